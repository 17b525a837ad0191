"""The statistics page against hand-counted declarations: five declarations of 2021 in known states with known
timelines (the stays' medians and 90th percentiles worked out by hand below), one of 2020, corrections, an
objection, a certificate and its lookups; the scope of a bureau and of an employer; the workbook's cells; the
number of queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import applicant_maker, built_once, staff_of

D = dt.date
NOW = dt.datetime(2021, 9, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DAY0 = NOW - dt.timedelta(days=30)


def _at(days: float) -> dt.datetime:
    return DAY0 + dt.timedelta(days=days)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once inside a transaction rolled back after the module's last test."""
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role
    from zhicheng.catalogue.models import AnnualPlan
    from zhicheng.certificates.models import Certificate, CertificateKind, VerificationLookup
    from zhicheng.core import clock
    from zhicheng.declarations.models import Application, ApplicationEvent, CorrectionNotice
    from zhicheng.demo import applicants as P
    from zhicheng.demo.bulk import _copy
    from zhicheng.orgs.models import Organisation, OrgKind
    from zhicheng.publicity.models import Objection, Publicity

    def build():
        make = applicant_maker()
        d1, d2, d5 = (make(P.regular_county_doctor()) for _ in range(3))  # 准格尔旗人民医院 (鄂尔多斯市)
        d3 = make(P.regular_city_engineer_intermediate())  # 呼和浩特市市政工程设计研究院
        d4 = make(P.regular_engineer())  # 内蒙古自治区建筑勘察设计研究院 (in 呼和浩特市)
        draft = make(P.regular_county_doctor())
        department = Organisation.objects.get(name="鄂尔多斯市卫生健康委员会")
        ApplicationEvent.objects.filter(application__in=[d1, d2, d3, d4, d5, draft]).delete()
        states = {d1: "certified", d2: "failed", d3: "withdrawn", d4: "deemed_withdrawn", d5: "submitted"}
        for app, state in states.items():
            Application.objects.filter(pk=app.pk).update(state=state, submitted_at=DAY0)
        # The timelines: (days after DAY0, state entered, holder).
        timelines = {
            d1: [(0, "submitted", d1.unit), (2, "department_review", department), (5, "filed", None), (5.5, "certified", None)],
            d2: [(0, "submitted", d2.unit), (4, "failed", None)],
            d3: [(0, "submitted", d3.unit), (10, "withdrawn", None)],
            d4: [(0, "submitted", d4.unit), (1, "correction_requested", None), (8, "deemed_withdrawn", None)],
            d5: [(24, "submitted", d5.unit)],  # still there: 6 days until NOW
        }
        ApplicationEvent.objects.bulk_create([
            ApplicationEvent(application=app, action="x", from_state="draft", to_state=state, actor_role="system", holder=holder, at=_at(day))
            for app, steps in timelines.items() for day, state, holder in steps])
        ApplicationEvent.objects.create(application=draft, action="start", from_state="draft", to_state="draft", actor_role="applicant",
                                        at=_at(0))
        clerk = staff_of(department)
        CorrectionNotice.objects.create(application=d4, items=["缺少学历证书", "业绩材料未盖章"], deadline=D(2021, 8, 10), issued_by=clerk, issued_at=_at(1))
        CorrectionNotice.objects.create(application=d2, items=["缺少学历证书"], deadline=D(2021, 8, 10), issued_by=clerk, issued_at=_at(1),
                                        resolved_at=_at(2))
        publicity = Publicity.objects.create(kind="employer", publisher=d1.unit, title="单位公示", year=2021, starts_on=D(2021, 8, 1),
                                             ends_on=D(2021, 8, 7), created_by=clerk)
        Objection.objects.create(publicity=publicity, application=d2, objector_name="张三", objector_phone="13800000000",
                                 content="论文存疑", raised_at=_at(3))
        certificate = Certificate.objects.create(
            number="NM2021-T-1", kind=CertificateKind.REVIEW, person=d1.person, application=d1, holder_name=d1.person.name,
            id_number=d1.person.id_number, series=d1.series, series_name="卫生", title_name="副主任医师", level="associate_senior",
            approval_date=D(2021, 8, 20), issuer_name="内蒙古自治区人力资源和社会保障厅", issued_on=D(2021, 8, 25), check_code="x",
            payload_version=2, key_id="k", signature="s")
        for found in (True, True, False):
            VerificationLookup.objects.create(at=_at(29), ip="10.0.0.1", channel="form", certificate=certificate if found else None,
                                              number="NM2021-T-1", found=found)
        # One declaration of 2020 (a failed one): the comparison with the year before.
        plan2020, _ = AnnualPlan.objects.get_or_create(year=2020, defaults={
            "notice_number": "内人社办发〔2020〕1号", "ruleset": "nmg-2021-81", **AnnualPlan.defaults_for(2020)})
        old = _copy(d2, plan_id=plan2020.pk, state="failed")
        old.save()
        regional = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
        users = {
            "supervisor": User.objects.create(username="stat-supervisor", role=Role.SUPERVISOR, organisation=regional),
            "regional": staff_of(regional),
            "county_bureau": staff_of(Organisation.objects.get(name="鄂尔多斯市准格尔旗人力资源和社会保障局")),
            "employer": staff_of(d1.unit),
            "other_employer": staff_of(d3.unit),
        }
        return {"d": [d1, d2, d3, d4, d5], "draft": draft, "users": users, "department": department, "old": old}

    with built_once(django_db_blocker, build) as built, clock.frozen(NOW):
        yield built


def _rows(table):
    return {row[0]: row[1:] for row in table.rows}


@pytest.mark.django_db
def test_counts_by_dimension_pass_rates_and_outcomes(world):
    from zhicheng.statistics.services import report

    rep = report(world["users"]["supervisor"], 2021)
    h = rep.headline
    assert h["total"] == 5 and h["previous_total"] == 1 and rep.previous == 2020
    assert (h["passed"], h["failed"], h["pass_rate"]) == (1, 1, 50.0)
    assert (h["withdrawn"], h["deemed_withdrawn"], h["returned"], h["objections"]) == (1, 1, 0, 1)
    assert _rows(rep.table("series")) == {"卫生": [3, 1, 2], "工程": [2, 0, 2]}
    assert _rows(rep.table("level")) == {"副高级": [4, 1, 3], "中级": [1, 0, 1]}
    assert _rows(rep.table("city")) == {"鄂尔多斯市": [3, 1, 2], "呼和浩特市": [2, 0, 2]}  # the regional institute sits in 呼和浩特
    health = [row for row in rep.table("pass_series").rows if row[0] == "卫生"]
    assert health == [["卫生", 1, 1, 2, 50.0]]
    outcomes = _rows(rep.table("outcomes"))
    assert outcomes["本人撤回"] == [1] and outcomes["逾期未补正，视为放弃申报"] == [1] and outcomes["异议：待核实"] == [1]
    assert h["corrections"] == {"issued": 2, "resolved": 1}
    assert rep.table("deficiencies").rows == [["缺少学历证书", 2], ["业绩材料未盖章", 1]]
    assert h["certificates"] == 1 and h["verified"] == {"lookups": 2, "certificates": 1}
    years = {row[0]: row[1:] for row in rep.table("years").rows}
    assert years[2020][:2] == [1, 0] and years[2021][:3] == [5, 1, 1]


@pytest.mark.django_db
def test_days_in_each_stage_median_and_90th_percentile(world):
    """submitted: stays of 2, 4, 10, 1 days and one still open for 6 → ordered 1, 2, 4, 6, 10: median 4; the 90th
    percentile at position 0.9 × 4 = 3.6 lies between 6 and 10: 6 + 0.6 × 4 = 8.4. At 准格尔旗人民医院 alone
    2, 4, 6: median 4, 90th at 1.8: 4 + 0.8 × 2 = 5.6. The department held d1 three days; the applicant held d4's
    correction seven. The draft's and the final states' stays are not counted."""
    from zhicheng.statistics.services import report

    d1 = world["d"][0]
    rep = report(world["users"]["supervisor"], 2021)
    stages = {row[0]: row[1:] for row in rep.table("stages").rows}
    assert stages["待单位审核"] == [5, 4.0, 8.4]
    assert stages["主管部门审核中"] == [1, 3.0, 3.0]
    assert stages["待补正（一次告知）"] == [1, 7.0, 7.0]
    assert set(stages) == {"待单位审核", "主管部门审核中", "待补正（一次告知）", "已核准备案"}  # filed: half a day before certified
    desks = {(row[0], row[1]): row[2:] for row in rep.table("desks").rows}
    assert desks[("待单位审核", d1.unit.name)] == [3, 4.0, 5.6]
    assert desks[("主管部门审核中", world["department"].name)] == [1, 3.0, 3.0]
    assert desks[("待补正（一次告知）", "申报人")] == [1, 7.0, 7.0]
    assert rep.headline["slowest"]["name"] == "呼和浩特市市政工程设计研究院" and rep.headline["slowest"]["median"] == 10.0


def test_interpolation_is_percentile_cont():
    from zhicheng.statistics.durations import interpolate

    values = [1.0, 2.0, 4.0, 6.0, 10.0]
    assert interpolate(dict(enumerate(values)), 5, 0.5) == 4.0
    assert interpolate(dict(enumerate(values)), 5, 0.9) == pytest.approx(8.4)
    assert interpolate({0: 3.0}, 1, 0.9) == 3.0


@pytest.mark.django_db
def test_a_bureau_sees_its_area_and_an_employer_its_own(world):
    from zhicheng.statistics.services import report

    users = world["users"]
    bureau = report(users["county_bureau"], 2021)
    assert bureau.headline["total"] == 3 and _rows(bureau.table("city")) == {"鄂尔多斯市": [3, 1, 2]}
    assert {row[1] for row in bureau.table("desks").rows} <= {world["d"][0].unit.name, world["department"].name, "申报人"}
    employer = report(users["employer"], 2021)
    assert employer.headline["total"] == 3 and employer.headline["certificates"] == 1
    other = report(users["other_employer"], 2021)
    assert other.headline["total"] == 1 and other.headline["certificates"] == 0 and other.headline["corrections"]["issued"] == 0
    assert _rows(other.table("series")) == {"工程": [1]}  # nothing of 2020 in its scope: no comparison columns
    assert other.previous is None


@pytest.mark.django_db
def test_the_page_draws_each_chart_with_its_table(client, world):
    client.force_login(world["users"]["supervisor"])
    response = client.get(reverse("statistics"), {"year": 2021})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') >= 8
    assert '<title id="chart-series-t">按系列的申报</title>' in body
    assert "卫生：本年申报（件） 3，上年申报（件） 1" in body  # the chart's description says its numbers
    assert "<th scope=\"row\">鄂尔多斯市</th>" in body
    assert f"{reverse('statistics_export')}?year=2021&amp;table=series" in body


@pytest.mark.django_db
def test_the_workbook_holds_typed_cells_and_is_audited(client, world):
    from zhicheng.audit.models import AuditEntry

    user = world["users"]["regional"]
    client.force_login(user)
    response = client.get(reverse("statistics_export"), {"year": 2021, "table": "pass_series"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("系列", "通过（人）", "未通过（人）", "已评审（人）", "通过率（%）")
    assert ("卫生", 1, 1, 2, 50) in rows
    assert all(isinstance(cell, (int, float)) for row in rows[1:] for cell in row[1:])  # numbers, not texts
    entry = AuditEntry.objects.filter(action="statistics.export").latest("seq")
    assert entry.actor_id == user.pk and entry.after == {"year": 2021, "table": "pass_series", "rows": 1}
    every = client.get(reverse("statistics_export"), {"year": 2021, "table": "all"})
    workbook = load_workbook(io.BytesIO(every.content))
    assert len(workbook.worksheets) == 13
    assert client.get(reverse("statistics_export"), {"year": 2021, "table": "nothing"}).status_code == 404


@pytest.mark.django_db
def test_queries_do_not_grow_with_declarations(client, world, django_assert_num_queries):
    """The page's queries are counted once; twenty more declarations with their timelines leave the count as it was
    (the stage figures are stored by each scope's first reader: the county bureau's are counted too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhicheng.declarations.models import Application, ApplicationEvent
    from zhicheng.demo.bulk import _copy
    from zhicheng.demo.ids import id_number

    client.force_login(world["users"]["supervisor"])
    client.get(reverse("statistics"), {"year": 2021})  # the region's stage figures stored by the first reader
    with CaptureQueriesContext(connection) as before:
        assert client.get(reverse("statistics"), {"year": 2021}).status_code == 200
    template = world["old"]

    def submitted_copies(n: int, born: dt.date, first: int, name: str) -> list:
        """``n`` more submitted declarations like d2 (准格尔旗人民医院), each of a new person."""
        copies = []
        for i in range(n):
            person = _copy(template.person, id_number=id_number("150102", born, first + i), name=f"{name}{i}")
            person.save()
            copies.append(_copy(world["d"][1], person_id=person.pk, state="submitted"))
        return Application.objects.bulk_create(copies)

    copies = submitted_copies(20, D(1980, 1, 1), 900, "复制")
    ApplicationEvent.objects.bulk_create([ApplicationEvent(application=a, action="submit", from_state="draft", to_state="submitted",
                                                           actor_role="applicant", holder_id=a.unit_id, at=_at(20)) for a in copies])
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(reverse("statistics"), {"year": 2021})
    assert "<b>25</b>" in response.content.decode()
    client.force_login(world["users"]["county_bureau"])
    client.get(reverse("statistics"), {"year": 2021})  # the bureau's stage figures stored by its first reader
    with CaptureQueriesContext(connection) as bureau_before:
        client.get(reverse("statistics"), {"year": 2021})
    submitted_copies(5, D(1980, 1, 2), 950, "又")
    with django_assert_num_queries(len(bureau_before.captured_queries)):
        response = client.get(reverse("statistics"), {"year": 2021})
    assert "<b>28</b>" in response.content.decode()  # its three, and the twenty and five more of 准格尔旗人民医院


@pytest.mark.django_db
def test_the_regional_dashboard_shows_the_year_at_a_glance(client, world):
    """This year's declarations by group of states, the pass rate, certificates and the slowest desk, linked to the page;
    an employer's dashboard has none of it."""
    client.force_login(world["users"]["regional"])
    body = client.get(reverse("dashboard")).content.decode()
    assert "2021年度概况" in body and "<b>5</b>本年申报（件，不含草稿）" in body
    assert "<b>1</b>办理中" in body and "<b>50.0%</b>" in body and "<b>1</b>已发电子证书（张）" in body
    assert "<b>10.0 天</b>最慢的办理环节：呼和浩特市市政工程设计研究院（待单位审核）" in body
    assert f'href="{reverse("statistics")}?year=2021"' in body
    client.force_login(world["users"]["employer"])
    assert "年度概况" not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
def test_each_scope_stores_its_figures_and_the_daily_run_renews_every_scope_read(client, world):
    """A bureau's days per stage are stored by its first view (as the region's are) and counted over its own
    declarations only; the daily run computes again the region's and every scope read before, no other."""
    from zhicheng.core import clock
    from zhicheng.statistics.models import StageFigure
    from zhicheng.statistics.services import refresh_all_stays, report

    bureau = world["users"]["county_bureau"]
    client.force_login(bureau)
    assert client.get(reverse("statistics"), {"year": 2021}).status_code == 200
    stored = StageFigure.objects.filter(year=2021, scope=bureau.organisation)
    assert stored.exists() and not StageFigure.objects.filter(year=2021, scope__isnull=True).exists()
    own = sum(r[1] for r in report(bureau, 2021).table("stages").rows)
    region = sum(r[1] for r in report(world["users"]["supervisor"], 2021).table("stages").rows)
    assert 0 < own < region, "the bureau counts its area's stays, the region all"
    before = stored.first().computed_at
    with clock.frozen(D(2021, 12, 21)):
        assert refresh_all_stays(2021) == 2  # the region and the one bureau that read
    assert stored.first().computed_at > before
    assert set(StageFigure.objects.filter(year=2021).values_list("scope_id", flat=True)) == {None, bureau.organisation_id}


@pytest.mark.django_db
def test_the_workbook_downloads_in_english_too(client, world):
    """An English table title with a slash (the cities' table) once stopped the whole download with a 500:
    a worksheet's name may not hold / \\ ? * [ ] :."""
    client.force_login(world["users"]["regional"])
    client.cookies["django_language"] = "en"
    for table in ("all", "city"):
        response = client.get(reverse("statistics_export"), {"year": 2021, "table": table})
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    names = load_workbook(io.BytesIO(client.get(reverse("statistics_export"), {"year": 2021, "table": "all"}).content)).sheetnames
    assert len(names) == 13 and not any(c in name for name in names for c in "/\\?*[]:")


@pytest.mark.django_db
def test_the_scope_names_the_role_in_english(client, world):
    """The line saying whose declarations are counted gave the role in Chinese on the English page."""
    client.force_login(world["users"]["county_bureau"])
    client.cookies["django_language"] = "en"
    body = client.get(reverse("statistics"), {"year": 2021}).content.decode()
    assert "(League/city or county HR bureau) can see" in body and "盟市/旗县人社局" not in body
