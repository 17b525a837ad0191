"""Spot-check campaigns in the application: the population frozen at the last commitment, the draw from the
reveals, the record re-verified from a file in another directory, findings with evidence, every step audited."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Area, Committee
from zhicheng.supervision import sampling, services
from zhicheng.supervision.models import Campaign, CampaignStatus, Finding
from zhicheng.supervision.services import SpotCheckError

from ..conftest import applicant_maker, built_once
from ..cycle_helpers import advance
from .kit import SECRETS, people, run

DAY = dt.date(2021, 10, 8)


@pytest.fixture(scope="module")
def module_accepted(django_db_setup, django_db_blocker):
    """Four declarations accepted by two committees (health in 鄂尔多斯, engineering in 呼和浩特), made once for the
    module inside a transaction rolled back after its last test (each test rolls back its own changes on top)."""
    def build():
        make = applicant_maker()
        return [advance(make(profile()), "accepted")[0]
                for profile in [P.regular_county_doctor] * 2 + [P.regular_city_engineer_intermediate] * 2], make

    with built_once(django_db_blocker, build) as built:
        yield built


@pytest.fixture
def accepted(module_accepted, db):
    return module_accepted[0]


@pytest.fixture
def make(module_accepted, db):
    """The module's applicant maker: a new applicant of its own (another 身份证 number) for a test."""
    return module_accepted[1]


def test_a_stratified_campaign_on_accepted_declarations(accepted, tmp_path):
    supervisor, hr = people()
    with clock.frozen(DAY):
        campaign = run(hr, supervisor, kind="declarations_accepted", sample_count=2, stratify="committee")
    assert campaign.status == CampaignStatus.DRAWN and campaign.parties == ["regional_hr_department", "supervisor"]
    population = campaign.population
    assert population["keys"] == sorted(f"D{a.pk}" for a in accepted)
    committees = {f"C{a.committee_id}" for a in accepted}
    assert len(committees) == 2 and set(population["strata"].values()) == committees
    assert campaign.record["sample"]["allocation"] == {c: 1 for c in committees}
    items = list(campaign.items.order_by("position"))
    assert [i.key for i in items] == campaign.record["sample"]["items"]
    assert {i.application_id for i in items} <= {a.pk for a in accepted}
    # The record holds no names nor ID numbers.
    text = json.dumps(campaign.record, ensure_ascii=False)
    for app in accepted:
        assert app.person.name not in text and app.person.id_number not in text
    # Exported and re-verified by the command line from another directory.
    (tmp_path / "record.json").write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "zhicheng.cli", "spotcheck", "verify", "record.json",
                           "--publication", campaign.publication_sha256], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "复核通过" in done.stdout, done.stderr
    assert services.verify_stored(campaign).ok
    actions = list(AuditEntry.objects.filter(object_type="supervision.campaign", object_id=str(campaign.pk)).values_list("action", flat=True))
    assert sorted(actions) == sorted(["spotcheck.start", "spotcheck.commit", "spotcheck.commit", "spotcheck.freeze",
                                      "spotcheck.reveal", "spotcheck.reveal", "spotcheck.draw"])


def test_the_population_is_frozen_at_the_last_commitment(accepted, make):
    supervisor, hr = people()
    with clock.frozen(DAY):
        campaign = run(hr, supervisor, kind="declarations_accepted", sample_rate=50, draw=False)
        assert campaign.status == CampaignStatus.FROZEN and len(campaign.population["keys"]) == 4
        late, _, _ = advance(make(P.regular_county_doctor()), "accepted")
        with pytest.raises(SpotCheckError, match="不能再提交或更改承诺值"):
            services.commit(campaign, supervisor, "ab" * 32)
        with pytest.raises(SpotCheckError, match="尚未收到"):
            services.draw(campaign, hr)
        with pytest.raises(SpotCheckError, match="揭示值与其事先公布的承诺值不符"):
            services.reveal(campaign, hr, SECRETS["supervisor"])
        for user, party in ((supervisor, "supervisor"), (hr, "regional_hr_department")):
            services.reveal(campaign, user, SECRETS[party])
        with pytest.raises(SpotCheckError, match="监督账号只能查看"):  # the supervisor reveals; the organiser draws
            services.draw(campaign, supervisor)
        services.draw(campaign, hr)
    assert f"D{late.pk}" not in campaign.population["keys"] and campaign.record["sample"]["size"] == 2
    with pytest.raises(SpotCheckError, match="只能对总体已冻结"):
        services.draw(campaign, hr)


@pytest.mark.django_db
def test_committees_by_league_and_a_bureau_in_its_own_area():
    supervisor, hr = people()
    from zhicheng.accounts.models import User
    from zhicheng.orgs.models import Organisation

    bureau_org = Organisation.objects.get(name="鄂尔多斯市人力资源和社会保障局")
    bureau = User.objects.filter(organisation=bureau_org).order_by("pk").first()
    with clock.frozen(DAY):
        region = run(hr, supervisor, kind="committees", sample_rate=30, stratify="area")
        assert region.parties == ["regional_hr_department", "supervisor"] and services.verify_stored(region).ok
        strata = set(region.population["strata"].values())
        assert len(strata) > 1 and strata <= set(Area.objects.filter(level__in=("region", "league_city")).values_list("code", flat=True))
        assert sum(region.record["sample"]["allocation"].values()) == region.record["sample"]["size"]
        with pytest.raises(SpotCheckError, match="本地区"):
            services.start(bureau, Campaign(title="越界", year=2021, kind="committees", sample_count=1,
                                             area=Area.objects.get(name="呼和浩特市")))
        own = run(bureau, supervisor, kind="committees", sample_count=1)
    assert own.parties == ["hr_bureau", "supervisor"] and own.area == bureau_org.area
    assert all(Committee.objects.get(pk=int(k[1:])).area.is_within(bureau_org.area) for k in own.population["keys"])
    assert list(services.campaigns_for(bureau)) == [own]


@pytest.mark.django_db
def test_refusals_say_why():
    supervisor, hr = people()
    with clock.frozen(DAY):
        with pytest.raises(SpotCheckError, match="请填写抽查比例或抽查数量中的一项"):
            services.start(hr, Campaign(title="x", year=2021, kind="committees"))
        with pytest.raises(SpotCheckError, match="只能填写其中一项"):
            services.start(hr, Campaign(title="x", year=2021, kind="committees", sample_rate=10, sample_count=5))
        with pytest.raises(SpotCheckError, match="不能按评委会分层"):
            services.start(hr, Campaign(title="x", year=2021, kind="committees", sample_count=1, stratify="committee"))
        with pytest.raises(SpotCheckError, match="没有可抽查的对象"):
            services.start(hr, Campaign(title="x", year=2021, kind="expert_draws", sample_count=1))
        with pytest.raises(SpotCheckError, match="年度"):
            services.start(hr, Campaign(title="x", year=2022, kind="committees", sample_count=1))


def test_a_risk_weighted_campaign_records_the_signal_weights(accepted, tmp_path):
    supervisor, hr = people()
    with clock.frozen(DAY):
        campaign = run(hr, supervisor, kind="declarations_accepted", sample_count=2, risk_weighted=True)
    weights = campaign.record["population"]["weights"]
    assert set(weights) == set(campaign.population["keys"]) and all(isinstance(w, int) and w >= 1 for w in weights.values())
    from zhicheng.monitoring.integrity_signals import weights_for

    assert weights == {f"D{pk}": w for pk, w in weights_for("declarations_accepted", [a.pk for a in accepted]).items()}
    assert campaign.publication["population"]["weights_sha256"] == sampling.digest(weights)
    assert sampling.verify(campaign.record, campaign.publication_sha256).ok


def test_a_finding_with_evidence(accepted):
    supervisor, hr = people()
    with clock.frozen(DAY):
        campaign = run(hr, supervisor, kind="declarations_accepted", sample_count=2)
        item = campaign.items.first()
        answers = {p.code: "yes" for p in services.checklist("declarations_accepted")}
        with pytest.raises(SpotCheckError, match="结论不能为"):
            services.record_finding(item, hr, answers={**answers, "employer_publicity": "no"}, conclusion="no_problem", text="")
        with pytest.raises(SpotCheckError, match="请逐项填写"):
            services.record_finding(item, hr, answers={}, conclusion="no_problem", text="")
        pdf = SimpleUploadedFile("公示记录.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf")
        finding = services.record_finding(item, hr, answers={**answers, "employer_publicity": "no"}, conclusion="problem",
                                          text="单位公示仅3个工作日，少于5个工作日（六（一））。", files=[pdf])
    assert Finding.objects.get(pk=finding.pk).evidence.get().file.original_name == "公示记录.pdf"
    assert AuditEntry.objects.filter(action="spotcheck.finding", object_id=str(finding.pk)).exists()
    applicant = Application.objects.get(pk=item.application_id).person.account
    with pytest.raises(SpotCheckError):
        services.record_finding(item, applicant, answers=answers, conclusion="no_problem", text="")
