"""The demo's declarations carry what their stage implies (issue 14, defect 8).

The whole demo is loaded once for the module, inside a transaction rolled back at the end, so the
region the other tests share is untouched. Every submitted declaration has a file for each checklist
item it needs and the archive records it went up with, frozen; the files are stored by their hashes
and re-hash; the one waiting for corrections misses exactly what the correction notice names.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test.utils import override_settings

from zhicheng.declarations.states import State

pytestmark = pytest.mark.django_db

# The states a declaration has left the employer's hands in (四, 六（一）): checkers beyond the employer see it.
PAST_EMPLOYER = {s for s in State.values} - {State.DRAFT, State.SUBMITTED, State.EMPLOYER_PUBLICITY, State.WITHDRAWN}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from zhicheng.demo.loader import DemoLoader

    media = tmp_path_factory.mktemp("demo-media")
    out = []
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            logins = DemoLoader(out=out.append).run()
            yield {"media": media, "out": out, "logins": logins}
            transaction.set_rollback(True)


@pytest.fixture
def media(demo, settings):
    settings.MEDIA_ROOT = demo["media"]
    return demo["media"]


def _named_materials(notice) -> set[str]:
    """The material items a correction notice names, through the standard list's item → material link."""
    from zhicheng.catalogue.models import CorrectionItem

    links = dict(CorrectionItem.objects.filter(text__in=notice.items).values_list("text", "material__code"))
    assert set(links) == set(notice.items), f"every item of the demo's notice is a standard one: {notice.items}"
    assert all(links.values()), "every item the demo's notice names is a material of the checklist"
    return set(links.values())


def test_the_loader_reports_nothing_wrong(demo):
    assert [line for line in demo["out"] if "!" in line] == []


def test_every_declaration_past_the_employer_has_its_materials_and_records(demo, media):
    from zhicheng.declarations.checklist import checklist
    from zhicheng.declarations.models import Application
    from zhicheng.files.services import read_verified
    from zhicheng.people.models import ARCHIVE_MODELS

    submitted = list(Application.objects.filter(version__gte=1).select_related("person").order_by("pk"))
    assert PAST_EMPLOYER <= {a.state for a in submitted}
    problems = []
    for app in submitted:
        frozen = {}
        for s in app.selected_records.filter(version=app.version):
            frozen.setdefault(s.kind, []).append(s)
            assert s.snapshot and s.snapshot.get("summary"), f"{app.pk}: a frozen record without its content"
        # The checklist as it was when this version went up (a certificate since adds a title to the archive).
        rows = [r for r in checklist(app, version=app.version, holds_title="title" in frozen) if r.applies and r.by_applicant]
        missing = [r.item.code for r in rows if r.missing]
        if missing:
            problems.append(f"{app.pk} {app.state} v{app.version}: no file for {missing}")
        for row in rows:
            for material in row.files:
                read_verified(material.file)  # stored under its hash, and still matching it
        # The archive it went up with: every kind of record the person's profile gave them (the title a
        # certificate of this year added is not among them).
        held = {kind for kind, model in ARCHIVE_MODELS.items()
                if model.objects.filter(person_id=app.person_id).exclude(**({"obtained_on__year": app.plan.year} if kind == "title" else {}))
                .exists()}
        if not held <= set(frozen):
            problems.append(f"{app.pk} {app.state}: records of {sorted(held - set(frozen))} not in the submitted version")
        if not {"education", "work"} <= set(frozen):
            problems.append(f"{app.pk} {app.state}: no education or work history went up")
    assert problems == [], "\n".join(problems)


def test_files_of_the_archive_records_are_in_the_snapshot_and_stored(demo, media):
    from zhicheng.declarations.models import SelectedRecord
    from zhicheng.files.models import StoredFile
    from zhicheng.files.services import read_verified

    shas = {sha for s in SelectedRecord.objects.filter(version__gte=1) for sha in (s.snapshot or {}).get("evidence", [])}
    assert shas, "the education and title records went up with their scans"
    stored = StoredFile.objects.filter(sha256__in=shas)
    assert stored.count() == len(shas)
    for f in stored:
        read_verified(f)


def test_the_declaration_under_correction_misses_only_what_the_notice_names(demo, media):
    from zhicheng.declarations.checklist import checklist
    from zhicheng.declarations.models import Application

    waiting = list(Application.objects.filter(state=State.CORRECTION_REQUESTED).order_by("pk"))
    assert waiting
    for app in waiting:
        named = _named_materials(app.correction_notices.get())
        working = checklist(app)  # the version the applicant is preparing
        assert {r.item.code for r in working if r.missing} == named
        present = {r.item.code for r in working if r.applies and r.required and r.by_applicant and r.files}
        assert present, "the rest of the checklist is there"
        assert not [r for r in checklist(app, version=app.version) if r.missing], "the submitted version was complete"
    assert Application.objects.get(person__account__username="applicant").state == State.CORRECTION_REQUESTED
    declarant = Application.objects.get(person__account__username="declarant")
    assert declarant.state == State.DRAFT and declarant.eligible
    assert [r for r in checklist(declarant) if r.files], "a draft under way holds its first files"


def test_a_corrected_and_resubmitted_declaration_replaced_the_named_files(demo, media):
    from zhicheng.declarations.checklist import materials_of_version
    from zhicheng.declarations.models import Application

    resubmitted = [a for a in Application.objects.filter(version__gte=2, correction_notices__resolved_at__isnull=False)]
    assert resubmitted
    for app in resubmitted:
        named = _named_materials(app.correction_notices.get())
        before = {m.item.code: m.file.sha256 for m in materials_of_version(app, app.version - 1)}
        after = {m.item.code: m.file.sha256 for m in materials_of_version(app, app.version)}
        assert set(before) == set(after)
        assert {code for code in after if after[code] != before[code]} == named


def test_the_checkers_who_passed_a_declaration_recorded_their_check(demo):
    from zhicheng.declarations.models import ApplicationEvent
    from zhicheng.demo.cycle import CHECKED_NOTE

    checks = ApplicationEvent.objects.filter(action__in=["recommend", "consent_entrustment", "department_approve", "county_approve",
                                                          "sort_to_committee", "accept"])
    assert checks.exists()
    assert set(checks.values_list("note", flat=True)) == {CHECKED_NOTE}


def test_demo_applicants_log_in_as_the_login_page_says(demo):
    """The login label says applicants log in with their 身份证 number; the demo's do (but the three it prints)."""
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role

    applicants = User.objects.filter(role=Role.APPLICANT, person__applications__isnull=False).distinct().select_related("person")
    assert applicants.exists()
    assert [u.username for u in applicants if u.username not in ("applicant", "declarant", "freelancer", u.person.id_number)] == []
    printed = [username for username, _role, _where in demo["logins"]]
    assert set(printed) <= set(User.objects.filter(username__in=printed).values_list("username", flat=True))


def test_the_login_page_lists_the_printed_logins_and_the_banner_the_date_in_force(demo, client, monkeypatch):
    from django.urls import reverse

    monkeypatch.setenv("ZHICHENG_TODAY", "2021-09-16")
    monkeypatch.delenv("ZHICHENG_TODAY_FILE", raising=False)
    body = client.get(reverse("login")).content.decode()
    assert "2021-09-16" in body.split('class="demo-day"', 1)[1].split("</p>", 1)[0]
    hint = body.split('class="notice-box demo-logins"', 1)[1].split("</section>", 1)[0]
    assert [u for u, _role, _where in demo["logins"] if f"<code>{u}</code>" not in hint] == []
    monkeypatch.delenv("ZHICHENG_TODAY")
    assert 'class="demo-day"' not in client.get(reverse("login")).content.decode(), "no banner on the real date"


def test_the_overseers_dashboards_show_the_demo_regions_year(demo, client, monkeypatch):
    """Issue 15: the supervisor's and the regional department's dashboards show the demo region's own numbers, a late
    committee with its explanation and the open rectification; the signals page shows the two declarations that
    share one evidence file, and no paper of the demo is flagged as over-claimed (each demo paper names its case)."""
    from django.urls import reverse

    from zhicheng.accounts.models import User
    from zhicheng.declarations.models import Application
    from zhicheng.declarations.states import State
    from zhicheng.monitoring.integrity_signals import OVERCLAIMED_WORK, SHARED_FILE, all_signals
    from zhicheng.monitoring.models import PlanExplanation
    from zhicheng.rectification.models import RectificationOrder

    monkeypatch.setenv("ZHICHENG_TODAY", "2021-09-15")
    submitted = Application.objects.filter(plan__year=2021).exclude(state=State.DRAFT).count()
    explanation = PlanExplanation.objects.select_related("committee").get()
    open_orders = RectificationOrder.objects.exclude(state="accepted").count()
    assert submitted > 50 and open_orders >= 1
    for username in ("supervisor", "regional_hr"):
        client.force_login(User.objects.get(username=username))
        response = client.get(reverse("dashboard"))
        body = response.content.decode()
        assert response.context["overview"]["total"] == submitted, username
        assert f"<b>{submitted}</b>" in body
        assert response.context["rectification"]["open"] == open_orders
        assert [p.committee for p in response.context["plan_progress"]["late"]] == [explanation.committee]
        assert explanation.committee.name in body and reverse("plan_explanation_detail", args=[explanation.pk]) in body
    signals = all_signals(2021)
    shared = [s for s in signals if s.code == SHARED_FILE]
    assert len(shared) == 1 and len(shared[0].application_ids) == 2 and len(shared[0].person_ids) == 2
    assert [s.summary for s in signals if s.code == OVERCLAIMED_WORK] == []
    page = client.get(reverse("integrity_signals") + "?year=2021").content.decode()
    assert all(reverse("application_detail", args=[pk]) in page for pk in shared[0].application_ids)


def test_the_demo_holds_an_exchange_request_the_regional_department_can_decide(demo, client, media, monkeypatch):
    """七（五）4 in the demo: one senior certificate from another province waits for the regional department, whose
    login lists it, opens it with a decision form and reads its scan; the employer's login does not see it."""
    from django.urls import reverse

    from zhicheng.accounts.models import User
    from zhicheng.certificates.models import ExchangeRequest, ExchangeStatus

    monkeypatch.setenv("ZHICHENG_TODAY", "2021-09-15")
    req = ExchangeRequest.objects.get()
    assert req.status == ExchangeStatus.SUBMITTED and req.competent_body.kind == "regional_hr_department"
    assert req.submitted_at.date() < dt.date(2021, 9, 15), "filed before the demo's today, whatever the machine's date"
    client.force_login(User.objects.get(username="regional_hr"))
    listing = client.get(reverse("exchange_list")).content.decode()
    assert reverse("exchange_detail", args=[req.pk]) in listing and req.person.name in listing
    detail = client.get(reverse("exchange_detail", args=[req.pk]))
    assert detail.context["can_decide"] and req.original_number in detail.content.decode()
    scan = client.get(reverse("exchange_evidence", args=[req.pk]))
    assert scan.status_code == 200 and scan["Content-Type"] == "image/jpeg"
    client.force_login(User.objects.get(username="employer"))
    assert client.get(reverse("exchange_detail", args=[req.pk])).status_code == 403


def test_the_collection_export_of_the_demo_validates_against_its_schema(demo, client, monkeypatch):
    """Issue 16: the demo region's titles, pulled by the regional department's key page by page, validate against
    docs/collection.schema.json; the signature verifies with the published key; a pull with the last cursor is empty."""
    import base64
    import datetime as dt
    import json
    from pathlib import Path

    import jsonschema
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from zhicheng.accounts.models import User
    from zhicheng.api.services import create_key
    from zhicheng.certificates.models import Certificate
    from zhicheng.core.canonical import canonical_json

    monkeypatch.setenv("ZHICHENG_TODAY", "2021-09-15")
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "collection.schema.json").read_text())
    secret = create_key(User.objects.get(username="regional_hr"), name="归集", scopes=["export"],
                        expires_on=dt.date(2021, 10, 15))[1]
    public = load_pem_public_key(client.get("/api/certificates/public-key").json()["public_key_pem"].encode())
    records, cursor = [], ""
    for _page in range(50):
        response = client.get("/api/v1/collection/titles", {"cursor": cursor, "limit": 20}, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200, response.content
        body = response.json()
        jsonschema.validate(body, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        public.verify(base64.b64decode(body["signature"]), canonical_json(body["batch"]))
        records += body["batch"]["records"]
        cursor = body["batch"]["cursor"]
        if not body["batch"]["has_more"]:
            break
    assert {r["certificate_number"] for r in records} == set(Certificate.objects.values_list("number", flat=True))
    again = client.get("/api/v1/collection/titles", {"cursor": cursor}, HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert again["batch"]["records"] == []


def test_the_demos_spot_checks_reverify_elsewhere_and_tampering_shows(demo, tmp_path):
    """Issue 15: each published spot check of the demo (the stratified one and the risk-weighted one), written out as
    its public record, re-verifies with the command line in another directory; one changed weight is named."""
    import json
    import subprocess
    import sys

    from zhicheng.supervision.models import Campaign

    campaigns = list(Campaign.objects.filter(record__isnull=False).order_by("pk"))
    assert len(campaigns) == 2 and any(c.risk_weighted for c in campaigns)
    for campaign in campaigns:
        (tmp_path / "record.json").write_text(json.dumps(campaign.record, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "zhicheng.cli", "spotcheck", "verify", "record.json", "--publication",
                               campaign.publication_sha256], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "复核通过" in done.stdout, done.stdout + done.stderr
    tampered = json.loads(json.dumps(campaigns[-1].record))
    key = next(iter(tampered["population"]["weights"]))
    tampered["population"]["weights"][key] += 1
    (tmp_path / "record.json").write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "zhicheng.cli", "spotcheck", "verify", "record.json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "权重" in done.stdout + done.stderr, done.stdout + done.stderr


def test_every_demo_persons_archive_fits_their_age(demo):
    """No demo applicant graduated, started work or held a title as a child (one graduated at 11 before)."""
    from zhicheng.core.identifiers import birth_date_from_id
    from zhicheng.demo.loader import GRADUATION_AGE
    from zhicheng.people.models import Education, TitleHeld, WorkPeriod

    too_young = []
    for record, day, age in (
        *((e, e.graduated_on, GRADUATION_AGE[e.level]) for e in Education.objects.select_related("person")),
        *((w, w.started_on, 18) for w in WorkPeriod.objects.select_related("person")),
        *((t, t.obtained_on, 21) for t in TitleHeld.objects.select_related("person")),
    ):
        born = birth_date_from_id(record.person.id_number)
        if day.year - born.year < age:
            too_young.append(f"{record.person.name}（{born}）{record} {day}")
    assert Education.objects.exists() and not too_young, too_young


def test_the_demos_audit_log_lies_in_the_demo_year(demo):
    """Every entry the loader writes is dated by the demo's clock (the webhook subscription was dated today)."""
    from zhicheng.audit.models import AuditEntry
    from zhicheng.demo.loader import DEMO_DAY

    late = list(AuditEntry.objects.filter(at__date__gt=DEMO_DAY).values_list("action", flat=True).distinct())
    assert AuditEntry.objects.exists() and not late, late


def test_the_demos_approved_review_plans_carry_their_attachments(demo):
    """七（三）: a plan is filed with its forms and the experts recommended; the demo's plans showed none."""
    from zhicheng.review.models import PlanStatus, ReviewPlan

    plans = ReviewPlan.objects.filter(status=PlanStatus.APPROVED)
    assert plans.exists() and not plans.filter(attachments__isnull=True).exists()
