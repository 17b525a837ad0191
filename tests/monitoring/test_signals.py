"""Integrity signals (八（三）): each found on data built to show it and not on clean data; the lottery's weights."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhicheng.core import clock
from zhicheng.declarations.models import ApplicationMaterial, SelectedRecord
from zhicheng.demo import applicants as P
from zhicheng.files.services import store_file
from zhicheng.monitoring import integrity_signals as signals
from zhicheng.monitoring.integrity_signals import authorship_claim, normalised_number, normalised_text, weights_for
from zhicheng.people.models import Publication, TitleHeld

from ..cycle_helpers import advance
from ..web.helpers import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_applicant):
    """Two submitted declarations of two people (different employers), each with a file of its own."""
    first, _, _ = advance(make_applicant(P.regular_engineer()), "submitted")
    second, _, _ = advance(make_applicant(P.regular_city_engineer_intermediate()), "submitted")
    for app in (first, second):
        own = store_file(f"业绩-{app.person.name}.pdf", pdf_bytes(f"业绩 {app.person.name}"))
        _material(app, own)
    return first, second


def _material(app, stored, version=1):
    item = ApplicationMaterial.objects.filter(application=app).values_list("item", flat=True).first()
    from zhicheng.catalogue.models import MaterialItem

    item = MaterialItem.objects.get(pk=item) if item else MaterialItem.objects.order_by("pk").first()
    return ApplicationMaterial.objects.create(application=app, item=item, file=stored, first_version=version,
                                              uploaded_by=app.person.account, uploaded_at=clock.now())


def _codes(year=2021):
    return [s.code for s in signals.all_signals(year)]


def test_clean_declarations_raise_no_signal(two):
    assert _codes() == []
    first, second = two
    assert weights_for("declarations", [first.pk, second.pk]) == {first.pk: 1, second.pk: 1}


def test_one_file_in_two_peoples_declarations(two):
    first, second = two
    copied = store_file("代表作.pdf", pdf_bytes("同一篇论文"))
    _material(first, copied)
    _material(second, copied)
    found = signals.shared_files(2021)
    assert [(s.code, s.application_ids, s.person_ids) for s in found] == [
        (signals.SHARED_FILE, {first.pk, second.pk}, {first.person_id, second.person_id})]
    links = [e.url for e in found[0].evidence]
    assert f"/applications/{first.pk}/" in links and f"/applications/{second.pk}/" in links
    assert any(copied.sha256 in url for url in links)  # the file itself, opened through a declaration it went up with
    assert signals.shared_files(2020) == []  # another year's declarations only


def test_a_file_only_in_a_version_not_yet_submitted_is_not_counted(two):
    first, second = two
    copied = store_file("代表作.pdf", pdf_bytes("同一篇论文"))
    _material(first, copied)
    _material(second, copied, version=2)  # added while correcting, not resubmitted
    assert signals.shared_files(2021) == []


def test_the_same_file_twice_in_one_persons_declaration_is_no_signal(two):
    first, _ = two
    copied = store_file("代表作.pdf", pdf_bytes("同一篇论文"))
    _material(first, copied)
    _material(first, copied)
    assert signals.shared_files(2021) == []


def test_archive_evidence_frozen_with_a_declaration_counts(two):
    first, second = two
    scan = store_file("毕业证书.pdf", pdf_bytes("毕业证书"))
    for app in (first, second):
        education = app.person.education_records.order_by("pk").first()
        education.evidence.add(scan)
        SelectedRecord.objects.create(application=app, kind="education", record_id=education.pk, version=1, snapshot={})
    assert [s.application_ids for s in signals.shared_files(2021)] == [{first.pk, second.pk}]


def _paper(app, title, authorship, venue="内蒙古科技与经济"):
    record = Publication.objects.create(person=app.person, title=title, venue=venue, published_on=dt.date(2019, 6, 1), authorship=authorship)
    SelectedRecord.objects.create(application=app, kind="publication", record_id=record.pk, version=1, snapshot={})


def test_a_paper_claimed_by_two_first_authors(two):
    first, second = two
    _paper(first, "寒区混凝土耐久性试验研究", "第一作者")
    _paper(second, "寒区混凝土 耐久性试验研究。", "第1作者", venue="内蒙古科技与经济 ")  # the same work, typed differently
    found = signals.overclaimed_works(2021)
    assert [(s.code, s.person_ids) for s in found] == [(signals.OVERCLAIMED_WORK, {first.person_id, second.person_id})]
    assert "2人均称第1作者" in found[0].summary


def test_a_paper_with_more_claimants_than_authors(two, make_applicant):
    first, second = two
    third, _, _ = advance(make_applicant(P.regular_county_doctor()), "submitted")
    for app, position in ((first, "1/2"), (second, "2/2"), (third, "通讯作者")):
        _paper(app, "牧区医疗服务体系研究", position)
    assert "署名共2人，申报3人" in signals.overclaimed_works(2021)[0].summary


def test_co_authors_at_their_own_positions_raise_no_signal(two):
    first, second = two
    _paper(first, "寒区混凝土耐久性试验研究", "第一作者")
    _paper(second, "寒区混凝土耐久性试验研究", "第二作者")
    _paper(first, "另一篇论文", "独著")
    assert signals.overclaimed_works(2021) == []


def test_a_sole_author_and_someone_else(two):
    first, second = two
    _paper(first, "草原生态修复技术", "独著")
    _paper(second, "草原生态修复技术", "第三作者")
    assert "独著" in signals.overclaimed_works(2021)[0].summary


@pytest.mark.parametrize("text, claim", [
    ("第一作者", (1, None)), ("第2作者", (2, None)), ("2/3", (2, 3)), ("独著", (0, 1)), ("独立作者", (0, 1)),
    ("通讯作者", (None, None)), ("第二作者（共4人）", (2, 4)), ("", (None, None)),
])
def test_authorship_as_people_write_it(text, claim):
    assert authorship_claim(text) == claim


def test_normalising():
    assert normalised_text("《寒区 混凝土》—研究") == normalised_text("寒区混凝土研究")
    assert normalised_number("ｎｍ-2016 0012") == normalised_number("NM20160012")


def _title(app, number):
    return TitleHeld.objects.create(person=app.person, series="engineering", level="intermediate", title_name="工程师",
                                    obtained_on=dt.date(2015, 12, 1), certificate_number=number)


def test_a_certificate_number_in_two_peoples_records(two):
    first, second = two
    _title(first, "NM-2015-0042")
    _title(second, "nm 2015 0042")
    found = signals.reused_certificates(2021)
    assert [(s.code, s.person_ids, s.application_ids) for s in found] == [
        (signals.CERTIFICATE_REUSED, {first.person_id, second.person_id}, {first.pk, second.pk})]
    assert weights_for("declarations", [first.pk, second.pk]) == {first.pk: 4, second.pk: 4}


def test_distinct_numbers_and_one_persons_repeated_number_raise_no_signal(two):
    first, second = two
    _title(first, "NM-2015-0042")
    _title(first, "NM-2015-0042")  # the same person's title entered twice: a slip, not another person's certificate
    _title(second, "NM-2015-0043")
    assert signals.reused_certificates(2021) == []


def _checked(make_applicant, minutes: int, *, approve=True):
    """A declaration of 准格尔旗人民医院 submitted at 10:00 and checked by its employer ``minutes`` later."""
    from zhicheng.declarations.services import transition
    from zhicheng.publicity.services import start_publicity

    from ..conftest import staff_of

    app = make_applicant(P.regular_county_doctor())
    at = dt.datetime(2021, 6, 10, 10, 0, tzinfo=clock.CHINA)
    with clock.frozen(at):
        transition(app, "submit", app.person.account)
    employer = staff_of(app.unit)
    with clock.frozen(at + dt.timedelta(minutes=minutes)):
        if approve:
            start_publicity(kind="employer", publisher=app.unit, applications=[app], actor=employer)
        else:
            transition(app, "employer_return", employer, note="材料不全。")
    return app


def test_an_employer_approving_everything_within_minutes(make_applicant):
    apps = [_checked(make_applicant, 2), _checked(make_applicant, 4)]
    found = signals.rubber_stamp_employers(2021, minimum=2, minutes=10)
    assert [(s.code, s.unit_id, s.application_ids) for s in found] == [
        (signals.RUBBER_STAMP, apps[0].unit_id, {a.pk for a in apps})]
    assert signals.rubber_stamp_employers(2021, minimum=3, minutes=10) == []  # too few to say


def test_an_employer_that_takes_its_time_or_returns_one_is_no_signal(make_applicant):
    _checked(make_applicant, 2)
    _checked(make_applicant, 180)
    assert signals.rubber_stamp_employers(2021, minimum=2, minutes=10) == []
    _checked(make_applicant, 3, approve=False)
    assert signals.rubber_stamp_employers(2021, minimum=2, minutes=10) == []


def test_weights(two):
    first, second = two
    copied = store_file("代表作.pdf", pdf_bytes("同一篇论文"))
    _material(first, copied)
    _material(second, copied)
    _title(first, "NM-2015-0042")
    _title(second, "NM-2015-0042")
    weights = weights_for("declarations_accepted", [first.pk, second.pk, 10**9])
    assert weights == {first.pk: 1 + 3 + 3, second.pk: 7, 10**9: 1}  # an unknown key weighs 1
    many = [first.pk, *range(10**6, 10**6 + 2500)]  # more keys than one query takes on SQLite
    assert weights_for("results_filed", many) == {first.pk: 7} | {key: 1 for key in many[1:]}
    assert weights_for("committees", [1, 2]) == {1: 1, 2: 1}
    assert weights_for("expert_draws", []) == {}
    assert all(isinstance(w, int) and w >= 1 for w in weights.values())


def test_certificate_weights_come_from_the_holders_signals(make_applicant):
    from zhicheng.certificates.models import Certificate

    certified, _, _ = advance(make_applicant(P.regular_county_doctor()), "certified")
    other, _, _ = advance(make_applicant(P.regular_engineer()), "submitted")
    certificate = Certificate.objects.get(application=certified)
    assert weights_for("certificates", [certificate.pk]) == {certificate.pk: 1}
    _title(other, certificate.number)  # someone else claims the region's certificate number as their own
    assert weights_for("certificates_issued", [certificate.pk]) == {certificate.pk: 4}


def test_the_finders_cost_a_fixed_number_of_queries(two, make_applicant):
    first, second = two

    def count():
        with CaptureQueriesContext(connection) as ctx:
            signals.all_signals(2021)
        return len(ctx.captured_queries)

    copied = store_file("代表作.pdf", pdf_bytes("同一篇论文"))
    _material(first, copied)
    _material(second, copied)
    _title(first, "NM-1")
    _title(second, "NM-1")
    before = count()
    third, _, _ = advance(make_applicant(P.regular_county_doctor()), "submitted")
    _material(third, copied)
    _title(third, "NM-1")
    _title(third, "NM-2")
    _title(first, "NM-2")
    assert count() == before
