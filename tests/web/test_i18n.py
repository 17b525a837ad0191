"""Chinese first, English complete: the catalogue covers every string of the pages and every label
the domain keeps in Chinese; the switcher changes the language; in English the pages' own words
(headings, labels, buttons, messages) hold no Chinese, only the data they show may."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from zhicheng.audit import checkpoints
from zhicheng.audit.services import record
from zhicheng.certificates.models import Certificate, CertificateStatus
from zhicheng.certificates.services import revoke_certificate
from zhicheng.core import clock, wording
from zhicheng.declarations.holders import regional_hr_department
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.review import drawing, pool
from zhicheng.web.management.commands.domain_labels import TARGET, render

from ..conftest import staff_of
from ..cycle_helpers import advance
from ..review.conftest import CITY
from ..review.kit import Kit
from .conftest import PO

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def entries(text: str):
    """(msgctxt, msgid, msgstrs, fuzzy) of every live entry of a .po file but its header."""
    for block in text.split("\n\n")[1:]:
        fields, current = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match[1]
                fields[current] = match[2]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" in fields:  # obsolete entries (#~) are not used
            fuzzy = any(re.match(r"^#,.*\bfuzzy\b", line) for line in block.splitlines())
            yield fields.get("msgctxt"), fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], fuzzy


def untranslated(text: str) -> list[str]:
    return [msgid for _, msgid, msgstrs, fuzzy in entries(text) if fuzzy or not all(msgstrs)]


def test_domain_labels_are_current():
    assert TARGET.read_text(encoding="utf-8") == render(), "run `make messages` after changing the domain's labels"


def test_every_string_in_the_catalogue_has_an_english_translation():
    text = PO.read_text(encoding="utf-8")
    assert len(list(entries(text))) > 1000
    assert untranslated(text) == []


def test_the_catalogue_check_finds_empty_and_fuzzy_entries():
    text = """msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\\n"

#: a.py
msgid "已翻译"
msgstr "Done"

#: b.html
msgid "空的"
msgstr ""

#: c.html
#, fuzzy, python-format
msgid "模糊%(n)s"
msgstr "Fuzzy %(n)s"

#: d.html
msgid "一人"
msgid_plural "多人"
msgstr[0] "One person"
msgstr[1] ""

#: e.py
msgid ""
"分两行"
"的原文"
msgstr ""
"Split over "
"two lines"

#~ msgid "已废弃"
#~ msgstr ""
"""
    assert untranslated(text) == ["空的", "模糊%(n)s", "一人"]


ENGLISH = {
    "audit_checkpoints": ("Audit log checkpoints", "Download all checkpoints (JSON Lines)", "No checkpoints yet.", "Public key"),
    "notice_detail": ("One-time notice on title declaration: Engineering, Intermediate", "5. Materials (the annex's list)", "Skip to content"),
    "public_publicity_list": ("Public notices", "No publicity is running."),
    "register": ("Register as an applicant", "ID document number", "Confirm password"),
    "login": ("Log in", "No account yet?"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ENGLISH))
def test_public_pages_in_english(client, name):
    url = reverse(name, args=["engineering", "intermediate"]) if name == "notice_detail" else reverse(name)
    client.cookies["django_language"] = "en"
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        body = client.get(url).content.decode()
    assert 'lang="en"' in body
    for text in ENGLISH[name]:
        assert text in body, text
    assert "跳到正文" not in body and "主导航" not in body


@pytest.mark.django_db
def test_the_applicant_workspace_in_english_and_the_switcher(client, make_applicant):
    app = make_applicant(P.regular_engineer())
    client.force_login(app.person.account)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("declaration_edit", args=[app.pk])})
    assert response.status_code == 302
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        body = client.get(reverse("declaration_edit", args=[app.pk])).content.decode()
    for text in ("Archive records", "Materials (the annex's list, adapted to your route)", "Continuing-education record card",
                 "Regular (3(1))", "Engineering, Associate senior", "Series change: start date in the new post (5(11))",
                 "Submit the declaration", "days"):
        assert text in body, text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        assert "选择档案记录" in client.get(reverse("declaration_edit", args=[app.pk])).content.decode()


# ---- the committee's and the certificates' pages in English ----------------------------------

def chinese_outside(body: str, data) -> list[str]:
    """The Chinese left in a page once its data values (and the native name of the language
    switcher's Chinese option) are taken out: what the page itself says."""
    for value in sorted({str(v) for v in data if v}, key=len, reverse=True):
        body = body.replace(escape(value), "").replace(value, "")
    for _, name in settings.LANGUAGES:
        body = body.replace(f">{name}</option>", "></option>")
    return [body[max(0, m.start() - 50):m.end() + 50] for m in CJK.finditer(body)]


def english(client, url, params=None) -> str:
    client.cookies["django_language"] = "en"
    response = client.get(url, params or {})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="en"' in body
    return body


@pytest.fixture
def certified(make_applicant):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    return Certificate.objects.select_related("application__unit").get(application=app)


def certificate_data(cert) -> list:
    return [cert.holder_name, cert.title_name, cert.committee_name, cert.issuer_name, cert.specialty, cert.approval_document_number,
            cert.application.unit.name]


@pytest.mark.django_db
def test_certificate_verification_in_english(client, certified):
    with clock.frozen(clock.dt.date(2021, 12, 20)):
        body = english(client, reverse("certificate_verify"), {"number": certified.number, "name": certified.holder_name})
    for text in ("Verify a title e-certificate", "Certificate valid; electronic signature verified", "Issuing body",
                 "Review committee", "Engineering", "Associate senior", "Valid (key", "Look up"):
        assert text in body, text
    assert chinese_outside(body, certificate_data(certified)) == []


@pytest.mark.django_db
def test_the_holders_certificates_in_english(client, certified):
    client.force_login(certified.person.account)
    with clock.frozen(clock.dt.date(2021, 12, 20)):
        body = english(client, reverse("my_certificates"))
    for text in ("My title e-certificates", "Who has verified my certificates", "Engineering, Associate senior: signed on",
                 "Apply for an exchange"):
        assert text in body, text
    assert chinese_outside(body, [*certificate_data(certified), certified.person.name]) == []


@pytest.mark.django_db
def test_the_draw_notices_in_english(client):
    kit = Kit(CITY)
    kit.experts(7)
    draw = kit.publish(kit.start(size=5))
    data = [kit.committee.name]
    with clock.frozen(clock.dt.date(2021, 7, 27)):
        body = english(client, reverse("public_draws"))
        assert "Expert draw notices" in body and "Objections until" in body and "Published" in body
        assert chinese_outside(body, data) == []
        body = english(client, reverse("public_draw_detail", args=[draw.pk]))
    for text in ("2021 expert draw notice", "Expert pool digest", "people,", "of them not eligible",
                 "Object to the expert pool (real name)", "Phone number"):
        assert text in body, text
    assert chinese_outside(body, data) == []


@pytest.mark.django_db
def test_the_committee_offices_pages_in_english(client):
    kit = Kit(CITY)
    kit.experts(7)
    draw = kit.start(size=5, quotas={"grassroots": {"true": {"max": 3}}})
    client.force_login(kit.office)
    chrome = [kit.office, kit.office.organisation]
    with clock.frozen(clock.dt.date(2021, 7, 26)):
        body = english(client, reverse("review_plans"))
        for text in ("Review plans (7(3))", "Review period", "Approved", "New review plan", "Review venue", "Save the draft"):
            assert text in body, text
        assert chinese_outside(body, [*chrome, kit.committee.name]) == []
        body = english(client, reverse("draw_detail", args=[draw.pk]))
        for text in ("2021 expert draw", "Draw parameters", "Collecting commitments", "Commitment and reveal",
                     "Freeze the expert pool and publish", "Grassroots front-line expert: at most 3", "Cancel this draw"):
            assert text in body, text
        assert chinese_outside(body, [*chrome, kit.committee.name]) == []
        body = english(client, reverse("review_plan_detail", args=[kit.plan.pk]))
        for text in ("2021 review plan", "Review venue", "Roster of applicants", "Collecting commitments",
                     "Schedule the review meeting after the draw."):
            assert text in body, text
        plan = kit.plan
        plan_text = [plan.place, plan.declarations_summary, plan.composition, plan.procedure, plan.measures,
                     *[f.original_name for f in plan.attachments.all()]]  # data: file names as uploaded
        assert chinese_outside(body, [*chrome, kit.committee.name, *plan_text]) == []
        body = english(client, reverse("expert_pool"))
        assert "7 experts" in body and "Can be drawn" in body
        experts = kit.committee.pool.select_related("person", "unit__area__parent")
        assert chinese_outside(body, [*chrome, kit.committee.name, *[value for e in experts for value in (
            e.person.name, e.unit.name, e.title_name, pool.region_of(e.unit))]]) == []
        body = english(client, reverse("filing_queue"))
        for text in ("Approval filing of review results (7(5))", "Waiting to be filed", "Submit for approval filing"):
            assert text in body, text
        assert chinese_outside(body, chrome) == []


@pytest.mark.django_db
def test_the_audit_checkpoints_in_english(client):
    record("test.action", object_type="test", object_id="1", summary="原始记录")
    checkpoint = checkpoints.take_checkpoint()
    body = english(client, reverse("audit_checkpoints"))
    for text in ("Audit log checkpoints", "The audit log is a hash chain", "1 checkpoint", "Entry hash", checkpoint.entry_hash,
                 "This key signs audit checkpoints only"):
        assert text in body, text
    assert chinese_outside(body, []) == []


@pytest.mark.django_db
def test_a_revoked_certificate_in_english(client, certified, django_capture_on_commit_callbacks):
    reason, document = "代表作系抄袭他人论文", "内人社职撤〔2021〕9号"
    with clock.frozen(clock.dt.date(2021, 12, 20)), django_capture_on_commit_callbacks(execute=True):
        revoke_certificate(certified, staff_of(regional_hr_department()), reason=reason, document_number=document)
    data = [*certificate_data(certified), reason, document]
    with clock.frozen(clock.dt.date(2021, 12, 21)):
        body = english(client, reverse("certificate_verify"), {"number": certified.number, "name": certified.holder_name})
        assert "Revoked on" in body and "Revocation document number" in body
        assert chinese_outside(body, data) == []
        # Undone in the database alone (as an insider could): the signed record stands, and the page says so in English.
        Certificate.objects.filter(pk=certified.pk).update(status=CertificateStatus.VALID)
        body = english(client, reverse("certificate_verify"), {"number": certified.number, "name": certified.holder_name})
    assert "The signed revocation list records this certificate as revoked on" in body
    assert chinese_outside(body, data) == []


@pytest.mark.django_db
def test_pieces_of_messages_follow_the_language(make_applicant):
    app = make_applicant(P.regular_engineer())
    day = clock.dt.date(2021, 8, 2)
    with translation.override("zh-hans"):
        assert (wording.long_date(day), wording.month_day(day), wording.enumeration(["甲", "乙"]), wording.clauses(["甲", "乙"]),
                wording.title_label(app)) == ("2021年08月02日", "08月02日", "甲、乙", "甲；乙", app.title_label)
    with translation.override("en"):
        assert (wording.long_date(day), wording.month_day(day), wording.enumeration(["A", "B"]), wording.clauses(["A", "B"]),
                wording.title_label(app)) == ("2021-08-02", "08-02", "A, B", "A; B", "Engineering, Associate senior")


@pytest.mark.django_db
def test_a_refusal_of_the_draw_in_both_languages(client):
    kit = Kit(CITY)
    kit.experts(7)
    with clock.frozen(clock.dt.date(2021, 7, 26)):
        draw = drawing.start_draw(kit.plan, kit.office, kit.spec(size=5))
        client.force_login(kit.office)
        for language, expected in (("zh-hans", "公示前须收到评委会办事机构、纪检监察机构的承诺值。"),
                                   ("en", "Publication needs the commitments of Committee office, Discipline inspection body.")):
            client.cookies["django_language"] = language
            response = client.post(reverse("draw_act", args=[draw.pk]), {"action": "publish", "objection_days": 5}, follow=True)
            assert [str(m) for m in response.context["messages"]] == [expected]


# ---- issue 14, defect 7: raw codes, untranslated labels, fields the route does not ask for -------

LEVEL_CODES = re.compile(r"(?<![\w-])(junior|assistant|intermediate|associate_senior|full_senior)(?![\w-])")


def visible_text(body: str) -> str:
    """The page's text as read: no tags, attributes, scripts or styles."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.django_db
def test_no_level_code_is_shown_where_its_label_belongs(client, make_applicant):
    app = make_applicant(P.regular_county_doctor())
    client.force_login(app.person.account)
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        pages = {name: client.get(reverse(name, args=args)).content.decode()
                 for name, args in (("declaration_edit", [app.pk]), ("application_detail", [app.pk]), ("archive", []))}
    for name, body in pages.items():
        assert LEVEL_CODES.findall(visible_text(body)) == [], name
    assert "主治医师（2010.09，评审）" in pages["declaration_edit"], "a title held reads by its name, never series + level code"


@pytest.mark.django_db
def test_archive_records_and_holders_in_english(client, make_applicant):
    app = make_applicant(P.regular_county_doctor())
    client.force_login(app.person.account)
    client.cookies["django_language"] = "en"
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        pages = [client.get(reverse(name, args=args)).content.decode()
                 for name, args in (("declaration_edit", [app.pk]), ("archive", []), ("application_detail", [app.pk]))]
    workspace, archive, dossier = pages
    for body in (workspace, archive):
        text = visible_text(body)
        for english_text in ("Bachelor's degree", "2003.08—present", "(2010.09, Review)", "2020: 90 hours", "2020: Excellent"):
            assert english_text in text, english_text
        for chinese in ("至今", "大学本科", "，评审）", "学时", "年 优秀"):
            assert chinese not in text, chinese
    assert "The applicant" in dossier and "申报人本人" not in dossier
    client.cookies["django_language"] = "zh-hans"
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        chinese_page = client.get(reverse("archive")).content.decode()
    assert "2003.08—至今" in chinese_page and "大学本科" in chinese_page and "2020年 90学时" in chinese_page


@pytest.mark.django_db
def test_a_submitted_version_freezes_its_records_in_chinese(make_applicant):
    from zhicheng.declarations.models import SelectedRecord
    from zhicheng.declarations.services import select_records

    app = make_applicant(P.regular_county_doctor())
    work = app.person.workperiod_records.get()
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        select_records(app, app.person.account, "work", [work.pk])
    with translation.override("en"):
        advance(app, State.SUBMITTED)
    frozen = SelectedRecord.objects.get(application=app, kind="work", version=1)
    assert frozen.snapshot["summary"].startswith("2003.08—至今")


@pytest.mark.django_db
@pytest.mark.parametrize("profile, asks", [(P.regular_engineer, False), (P.regular_county_doctor, True)])
def test_the_draft_asks_only_for_what_its_series_and_route_need(client, make_applicant, profile, asks):
    """五（八） gives the epidemic circumstances to medical and health workers; 五（二）1 asks an exam only on its route."""
    data = profile()
    data.pop("exam", None)
    app = make_applicant(data)
    client.force_login(app.person.account)
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        body = client.get(reverse("declaration_edit", args=[app.pk])).content.decode()
    exam = (app.decision or {}).get("conditions", {}).get("exam")
    assert ('name="epidemic_frontline"' in body) is asks
    assert ('name="exam_score"' in body) is (exam == "required")
    if not asks:
        assert exam != "required" and "不需考试" in body
    else:
        assert exam == "required" and "须参加考试并达到合格标准（考评结合）" in body
    assert 'name="new_post_since"' in body


@pytest.mark.django_db
def test_the_fee_row_without_a_receipt_number(client, make_applicant):
    app = make_applicant(P.regular_county_doctor())
    assert app.fee_paid_at and not app.fee_reference
    client.force_login(app.person.account)
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        dossier = visible_text(client.get(reverse("application_detail", args=[app.pk])).content.decode())
        workspace = visible_text(client.get(reverse("declaration_edit", args=[app.pk])).content.decode())
    assert "凭证号 ）" not in dossier and "凭证号 ）" not in workspace
    assert re.search(r"已缴（\d{4}-\d\d-\d\d）", dossier)
    type(app).objects.filter(pk=app.pk).update(fee_reference="NMG-2021-0042")
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        dossier = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert "凭证号 NMG-2021-0042）" in dossier


@pytest.mark.django_db
def test_notifications_in_the_readers_language(client, make_applicant):
    from zhicheng.notifications.models import Notification, NotificationTemplate

    app, _, _ = advance(make_applicant(P.regular_county_doctor()), State.EMPLOYER_PUBLICITY)
    account = app.person.account
    assert Notification.objects.filter(recipient=account, key="state_changed").count() == 2
    client.force_login(account)
    client.cookies["django_language"] = "en"
    body = html.unescape(client.get(reverse("notifications")).content.decode())
    assert "Your title declaration has moved on: Awaiting employer check" in body
    assert "Your declaration for Health, Associate senior (2021) went through the step" in body
    assert "您的职称申报有新进展" not in body and "您好" not in body and "卫生副高级" not in body
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("notifications")).content.decode()
    assert "您的职称申报有新进展：待单位审核" in body and "您申报的卫生副高级（2021年度）" in body

    # A text the department edited has no translation: it is shown as written, in either language.
    NotificationTemplate.objects.create(key="state_changed", subject="申报进展：{{ state }}", body="{{ name }}：{{ state }}")
    with clock.frozen(clock.dt.date(2021, 6, 20)):
        advance(app, State.DEPARTMENT_REVIEW, start=clock.dt.date(2021, 6, 20))
    client.cookies["django_language"] = "en"
    body = client.get(reverse("notifications")).content.decode()
    assert "申报进展：主管部门审核中" in body


@pytest.mark.django_db
def test_the_level_names_on_the_start_page_in_english(client, make_applicant):
    app = make_applicant(P.regular_county_doctor())
    client.force_login(app.person.account)
    client.cookies["django_language"] = "en"
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        body = client.get(reverse("declare_start")).content.decode()
    levels = re.search(r'<select name="level"[^>]*>(.*?)</select>', body, re.S)[1]
    names = re.findall(r"<option[^>]*>([^<]*)</option>", levels)
    assert "Intermediate" in names and "Associate senior" in names, names
    assert not [name for name in names if CJK.search(name)], names


@pytest.mark.django_db
def test_the_employers_bulk_step_and_the_webhook_events_in_english(client, make_applicant):
    """Labels kept beside the workflow's own (the bulk step named for either next body) and the webhook form's
    event choices read in the reader's language."""
    app, _, day = advance(make_applicant(P.regular_engineer()), "employer_publicity")
    client.force_login(staff_of(app.unit))
    with clock.frozen(day):
        body = english(client, reverse("application_list"))
        assert "No objection: report to the next body" in body and "公示无异议，上报" not in body
        body = english(client, reverse("webhook_list"))
    for text in ("Declaration state changed", "E-certificate issued"):
        assert text in body, text
    assert "申报状态变更" not in body and "电子证书制发" not in body
