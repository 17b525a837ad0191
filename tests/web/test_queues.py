"""Queues people can work through (issue 14, feature 2): sorting by arrival, deadline, name and unit; the
arrival and days-waiting columns; pages that keep the filter and the sort; the Excel export of a filtered
list (typed cells, masked identity numbers, no formulas, the reader's scope only, audited); and the
queue's steps on the dossier page, through the bulk view's permission, services and named results."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.core.identifiers import mask_id_number
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import TransitionError, transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation, OrgKind
from zhicheng.people.models import Person
from zhicheng.publicity.services import start_publicity
from zhicheng.web.views import queues

from ..conftest import staff_of
from ..cycle_helpers import advance
from .test_list_queries import assert_flat

D = dt.date
TODAY = D(2021, 6, 14)
# Codepoint order (SQLite, and PostgreSQL's C collation): 张 < 李 < 王.
FIRST, SECOND, THIRD = "李明二", "王明一", "张明三"


def submitted(make_applicant, name: str, day: dt.date, profile=None) -> Application:
    app = make_applicant(profile or P.regular_engineer())
    Person.objects.filter(pk=app.person_id).update(name=name)
    return advance(app, State.SUBMITTED, start=day)[0]


@pytest.fixture
def three(make_applicant):
    """Three declarations at one unit, arriving 7, 8 and 9 June; the first went into the unit's publicity on
    10 June (its state changed, its holder did not)."""
    first = submitted(make_applicant, FIRST, D(2021, 6, 7))
    second = submitted(make_applicant, SECOND, D(2021, 6, 8))
    third = submitted(make_applicant, THIRD, D(2021, 6, 9))
    employer = staff_of(first.unit)
    with clock.frozen(D(2021, 6, 10)):
        publicity = start_publicity(kind="employer", publisher=first.unit, applications=[first], actor=employer)
    first.refresh_from_db()
    assert first.state == State.EMPLOYER_PUBLICITY
    return {"apps": (first, second, third), "employer": employer, "publicity": publicity}


def order_on(client, url: str, names) -> list[str]:
    with clock.frozen(TODAY):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    body = body[body.index("<tbody>"):]
    return sorted(names, key=body.index)


def rows_of(html: str) -> dict[str, list[str]]:
    """Each table row's cells as text, by the name in it."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html[html.index("<tbody>"):], re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        name = re.search(r'href="/applications/\d+/">([^<]+)<', row)
        if name:
            rows[name.group(1)] = cells
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("sort, expected", [
    ("arrival", [FIRST, SECOND, THIRD]),
    ("-arrival", [THIRD, SECOND, FIRST]),
    ("name", [THIRD, FIRST, SECOND]),
    ("-name", [SECOND, FIRST, THIRD]),
    ("deadline", [FIRST, SECOND, THIRD]),  # only the first has one (its publicity); the rest by id
])
def test_the_queue_sorts_by_each_key(client, three, sort, expected):
    client.force_login(three["employer"])
    assert order_on(client, f"/applications/?queue=1&sort={sort}", expected) == expected


@pytest.mark.django_db
def test_arrival_is_when_the_holder_received_it_not_the_last_step(client, three):
    """The first declaration entered its publicity on 10 June, but reached the unit on 7 June."""
    first, second, third = three["apps"]
    client.force_login(three["employer"])
    with clock.frozen(TODAY):
        rows = rows_of(client.get("/applications/?queue=1").content.decode())
    header = ["申报人", "年度", "系列/层级", "用人单位", "途径", "状态", "当前办理", "到达日期", "已等待（自然日）", "截止日期"]
    arrival, waiting, deadline = (header.index(h) + 1 for h in ("到达日期", "已等待（自然日）", "截止日期"))  # + the tick box
    assert rows[FIRST][arrival] == "2021-06-07" and rows[FIRST][waiting] == "7 天"
    assert rows[SECOND][arrival] == "2021-06-08" and rows[SECOND][waiting] == "6 天"
    assert rows[THIRD][arrival] == "2021-06-09" and rows[THIRD][waiting] == "5 天"
    ends = three["publicity"].ends_on
    assert rows[FIRST][deadline].split() == [f"{ends:%Y-%m-%d}", "公示期满"]
    assert rows[SECOND][deadline] == "—"
    first.refresh_from_db()
    assert first.held_since.date() == D(2021, 6, 7) and first.state_since.date() == D(2021, 6, 10)
    with clock.frozen(TODAY):
        dashboard = client.get(reverse("dashboard")).content.decode()
    recent = dashboard[dashboard.index("最近到达"):]
    row = recent[recent.index(first.person.name):]
    assert "2021-06-07" in row[:row.index("</tr>")], "the dashboard's arrival is the list's"


@pytest.mark.django_db
def test_the_deadline_of_a_correction_and_of_the_review_stage(client, make_applicant):
    corrected, _, day = advance(make_applicant(P.regular_county_doctor()), State.DEPARTMENT_REVIEW)
    department = staff_of(corrected.holder)
    with clock.frozen(day):
        transition(corrected, "request_correction", department, payload={"items": ["缺聘书"], "deadline": D(2021, 7, 2)})
    at_committee, _, _ = advance(make_applicant(P.regular_county_doctor()), State.COMMITTEE_INTAKE)
    client.force_login(Organisation.objects.filter(kind=OrgKind.REGIONAL_HR_DEPARTMENT).get().staff.order_by("pk").first())
    with clock.frozen(D(2021, 7, 1)):
        rows = rows_of(client.get("/applications/?sort=deadline").content.decode())
    assert rows[corrected.person.name][-1].split() == ["2021-07-02", "补正截止"]
    review_deadline = at_committee.plan.review_deadline
    assert rows[at_committee.person.name][-1].split() == [f"{review_deadline:%Y-%m-%d}", "评审及公示截止"]
    assert list(rows) == [corrected.person.name, at_committee.person.name]


@pytest.mark.django_db
def test_the_region_sorts_by_unit(client, three, make_applicant):
    other = submitted(make_applicant, "赵明四", D(2021, 6, 9), P.regular_city_engineer_intermediate())
    assert three["apps"][0].unit.name < other.unit.name  # 内 < 呼
    client.force_login(Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT).staff.order_by("pk").first())
    names = [FIRST, SECOND, THIRD, "赵明四"]
    assert order_on(client, "/applications/?sort=unit", names) == [THIRD, FIRST, SECOND, "赵明四"]
    assert order_on(client, "/applications/?sort=-unit", names) == ["赵明四", SECOND, FIRST, THIRD]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["password", "person__account__password", "-", "--name", "name;drop table", "arrival,pk", "ａｒｒｉｖａｌ"])
def test_a_sort_the_list_does_not_know_is_ignored(client, three, sort):
    client.force_login(three["employer"])
    names = [FIRST, SECOND, THIRD]
    assert order_on(client, f"/applications/?queue=1&sort={sort}", names) == order_on(client, "/applications/?queue=1", names)


@pytest.mark.django_db
def test_the_pages_keep_the_filter_and_the_sort(client, three, monkeypatch):
    monkeypatch.setattr(queues, "LIST_PAGE_SIZE", 1)
    client.force_login(three["employer"])
    url = "/applications/?queue=1&q=明&series=engineering&sort=arrival"
    with clock.frozen(TODAY):
        body = client.get(url).content.decode()
    assert FIRST in body and SECOND not in body
    next_link = re.search(r'<a href="([^"]+)" rel="next">', body).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_link).query) == {"queue": ["1"], "q": ["明"], "series": ["engineering"], "sort": ["arrival"], "page": ["2"]}
    with clock.frozen(TODAY):
        body = client.get("/applications/" + next_link).content.decode()
    assert SECOND in body and FIRST not in body, "page two of the same sorted, filtered list"
    prev_link = re.search(r'<a href="([^"]+)" rel="prev">', body).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(prev_link).query)["sort"] == ["arrival"] and parse_qs(urlsplit(prev_link).query)["q"] == ["明"]
    # The column headers sort the same filtered list.
    name_header = re.search(r'<th scope="col" aria-sort="none"><a href="\?([^"]+)">申报人</a>', body).group(1).replace("&amp;", "&")
    assert parse_qs(name_header) == {"queue": ["1"], "q": ["明"], "series": ["engineering"], "sort": ["name"]}


# —— the export ——

def workbook_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    return [c.value for c in rows[0]], rows[1:]


def column(header, name):
    return header.index(name)


@pytest.mark.django_db
def test_the_export_is_the_filtered_sorted_list_as_typed_data_with_masked_numbers(client, three):
    first, second, third = three["apps"]
    client.force_login(three["employer"])
    with clock.frozen(TODAY):
        header, rows = workbook_of(client.get("/applications/export.xlsx?queue=1&sort=arrival&q=明"))
    assert [r[0].value for r in rows] == [FIRST, SECOND, THIRD]
    ids = [r[column(header, "身份证号码")].value for r in rows]
    assert ids == [mask_id_number(a.person.id_number) for a in (first, second, third)]
    assert all(a.person.id_number not in ids for a in (first, second, third)), "a unit does not need the full number"
    arrival = rows[0][column(header, "到达日期")]
    assert arrival.is_date and arrival.value == dt.datetime(2021, 6, 7)
    assert [r[column(header, "已等待（自然日）")].value for r in rows] == [7, 6, 5]
    assert rows[0][column(header, "截止日期")].value == dt.datetime.combine(three["publicity"].ends_on, dt.time())
    assert rows[1][column(header, "截止日期")].value is None
    assert rows[0][column(header, "年度")].value == 2021 and rows[0][column(header, "年度")].data_type == "n"
    assert rows[0][column(header, "评审费（元）")].data_type == "n"
    assert not any(c.data_type == "f" for r in rows for c in r)

    entry = AuditEntry.objects.filter(action="application.export").get()
    assert entry.actor_id == three["employer"].pk
    assert entry.after == {"filter": {"queue": "1", "q": "明"}, "sort": "arrival", "rows": 3, "full_id_numbers": False}


@pytest.mark.django_db
def test_text_that_looks_like_a_formula_is_exported_as_text(client, three):
    first = three["apps"][0]
    Person.objects.filter(pk=first.person_id).update(name='=HYPERLINK("http://evil.example","点我")')
    client.force_login(three["employer"])
    with clock.frozen(TODAY):
        header, rows = workbook_of(client.get("/applications/export.xlsx?sort=arrival"))
    cell = rows[0][0]
    assert cell.value == '=HYPERLINK("http://evil.example","点我")'
    assert cell.data_type == "s" and cell.quotePrefix, "a text cell shown as typed, never a formula"


@pytest.mark.django_db
@pytest.mark.parametrize("role_of", ["committee_office", "regional"])
def test_the_bodies_that_file_the_roster_get_the_full_numbers(client, make_applicant, role_of):
    app, _, _ = advance(make_applicant(P.regular_engineer()), State.COMMITTEE_INTAKE)
    reader = staff_of(app.committee.office) if role_of == "committee_office" else \
        Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT).staff.order_by("pk").first()
    client.force_login(reader)
    header, rows = workbook_of(client.get("/applications/export.xlsx"))
    assert [r[column(header, "身份证号码")].value for r in rows] == [app.person.id_number]


@pytest.mark.django_db
def test_an_export_holds_only_the_readers_declarations(client, three, make_applicant):
    other = submitted(make_applicant, "赵明四", D(2021, 6, 9), P.regular_city_engineer_intermediate())
    client.force_login(three["employer"])
    header, rows = workbook_of(client.get("/applications/export.xlsx"))
    assert sorted(r[0].value for r in rows) == sorted([FIRST, SECOND, THIRD])
    header, rows = workbook_of(client.get(f"/applications/export.xlsx?unit={other.unit_id}"))
    assert rows == [], "another unit's filter finds nothing of it"
    client.force_login(staff_of(other.unit))
    header, rows = workbook_of(client.get("/applications/export.xlsx"))
    assert [r[0].value for r in rows] == ["赵明四"]


@pytest.mark.django_db
def test_applicants_experts_and_the_supervisor_cannot_export(client, three):
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role

    client.force_login(three["apps"][0].person.account)
    assert client.get("/applications/export.xlsx").status_code == 403
    client.force_login(User.objects.create(username="expert-export", role=Role.EXPERT))
    assert client.get("/applications/export.xlsx").status_code == 403
    client.force_login(User.objects.create(username="supervisor-export", role=Role.SUPERVISOR,
                                           organisation=Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)))
    assert client.get("/applications/export.xlsx").status_code == 403


@pytest.mark.django_db
def test_a_long_list_is_exported_by_a_job_and_downloaded_from_its_page(client, three, monkeypatch):
    from zhicheng.jobs.models import Job, JobStatus
    from zhicheng.jobs.runner import run_job
    from zhicheng.web import exports

    monkeypatch.setattr(exports, "IN_REQUEST", 2)
    client.force_login(three["employer"])
    with clock.frozen(TODAY):
        response = client.get("/applications/export.xlsx?queue=1&sort=-arrival")
        job = Job.objects.get(kind="application_export")
        assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
        assert not AuditEntry.objects.filter(action="application.export").exists(), "audited when it is made"
        run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.done == job.total == 3
    link = reverse("application_export_file", args=[job.pk])
    assert f'href="{link}"' in client.get(reverse("job_detail", args=[job.pk])).content.decode()
    response = client.get(link)
    assert response["Content-Disposition"].startswith("attachment")
    header, rows = workbook_of(response)
    assert [r[0].value for r in rows] == [THIRD, SECOND, FIRST]
    assert rows[0][column(header, "已等待（自然日）")].value == 5, "as of the day the job ran"
    assert [r[column(header, "身份证号码")].value for r in rows] == [mask_id_number(a.person.id_number) for a in reversed(three["apps"])]
    entry = AuditEntry.objects.get(action="application.export")
    assert entry.after == {"filter": {"queue": "1"}, "sort": "-arrival", "rows": 3, "full_id_numbers": False, "job": job.pk}
    # Another unit's staff neither see the job nor get its file.
    client.force_login(staff_of(Organisation.objects.get(name="呼和浩特市市政工程设计研究院")))
    assert client.get(link).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/applications/?queue=1&sort=deadline", "/applications/?sort=arrival", "/applications/export.xlsx?sort=deadline"])
def test_the_queue_and_its_export_cost_the_same_queries_for_more_rows(client, make_applicant, django_assert_num_queries, url):
    count = iter(range(100))

    def one():
        app = submitted(make_applicant, f"王{next(count)}", D(2021, 6, 7))
        with clock.frozen(D(2021, 6, 8)):
            start_publicity(kind="employer", publisher=app.unit, applications=[app], actor=staff_of(app.unit))
        return app

    client.force_login(staff_of(one().unit))
    assert_flat(client, django_assert_num_queries, url, lambda: [one() for _ in range(3)], day=TODAY)


# —— the steps of one declaration on its page ——

def dossier(client, app):
    with clock.frozen(TODAY):
        return client.get(reverse("application_detail", args=[app.pk])).content.decode()


def bulk_form(html: str, action: str) -> dict | None:
    """The fields of the dossier's form that posts ``action`` to the bulk view, or None."""
    for form in re.findall(r'<form method="post" action="/applications/bulk/".*?</form>', html, re.S):
        if f'name="action" value="{action}"' in form:
            fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
            fields.pop("csrfmiddlewaretoken", None)
            return fields
    return None


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_the_unit_publishes_one_declaration_from_its_page(client, three):
    second = three["apps"][1]
    client.force_login(three["employer"])
    fields = bulk_form(dossier(client, second), "employer_publish")
    assert fields == {"action": "employer_publish", "ids": str(second.pk), "next": f"/applications/{second.pk}/"}
    with clock.frozen(TODAY):
        response = client.post("/applications/bulk/", {**fields, "title": "", "working_days": 5, "contact": "0471-1234567",
                                                        "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == f"/applications/{second.pk}/"
    second.refresh_from_db()
    assert second.state == State.EMPLOYER_PUBLICITY
    assert any("已发起公示" in m and f"列入公示的是：{SECOND}" in m for m in messages_of(response)), "the result names the person"
    assert bulk_form(dossier(client, second), "employer_publish") is None, "done: the button is gone"


@pytest.mark.django_db
def test_a_step_refused_on_the_page_says_why_as_the_queue_does(client, three):
    first = three["apps"][0]  # its publicity is still open: it cannot be reported yet
    employer = three["employer"]
    with clock.frozen(TODAY), pytest.raises(TransitionError) as refused:
        transition(first, "report", employer)
    client.force_login(employer)
    # The page offers no button for it while the publicity runs (it says what the step waits for); a post all the same
    # is refused with the same reason the queue gives.
    assert bulk_form(dossier(client, first), "report") is None
    with clock.frozen(TODAY):
        response = client.post("/applications/bulk/", {"action": "report", "ids": [first.pk], "next": f"/applications/{first.pk}/"})
    first.refresh_from_db()
    assert first.state == State.EMPLOYER_PUBLICITY
    assert f"{FIRST}：{'；'.join(refused.value.reasons)}" in messages_of(response)


@pytest.mark.django_db
def test_the_page_offers_the_step_only_to_those_who_may_take_it(client, three, make_applicant):
    second = three["apps"][1]
    # The applicant owns it but takes no queue step; the supervisor only reads.
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role

    supervisor = User.objects.create(username="supervisor-q", role=Role.SUPERVISOR,
                                     organisation=Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT))
    for reader in (second.person.account, supervisor):
        client.force_login(reader)
        html = dossier(client, second)
        assert second.person.name in html and "/applications/bulk/" not in html
        with clock.frozen(TODAY):
            assert client.post("/applications/bulk/", {"action": "employer_publish", "ids": second.pk, "working_days": 5}).status_code == 403
    # Another unit's staff do not see it, and cannot take its step by posting.
    other = staff_of(Organisation.objects.get(name="呼和浩特市市政工程设计研究院"))
    client.force_login(other)
    with clock.frozen(TODAY):
        assert client.get(reverse("application_detail", args=[second.pk])).status_code == 404
        response = client.post("/applications/bulk/", {"action": "employer_publish", "ids": second.pk, "working_days": 5,
                                                        "next": f"/applications/{second.pk}/"})
    assert "请先勾选要办理的申报。" in messages_of(response)
    second.refresh_from_db()
    assert second.state == State.SUBMITTED
    # The regional department sees it but holds no unit's step: no button.
    client.force_login(supervisor.organisation.staff.exclude(pk=supervisor.pk).first())
    assert "/applications/bulk/" not in dossier(client, second)


@pytest.mark.django_db
def test_a_step_taken_on_the_page_names_the_person_as_the_queue_does(client, three):
    first = three["apps"][0]
    after = three["publicity"].ends_on + dt.timedelta(days=1)
    client.force_login(three["employer"])
    with clock.frozen(after):
        fields = bulk_form(client.get(reverse("application_detail", args=[first.pk])).content.decode(), "report")
        response = client.post("/applications/bulk/", fields)
    assert response["Location"] == f"/applications/{first.pk}/"
    first.refresh_from_db()
    assert first.state == State.DEPARTMENT_REVIEW
    assert f"已办理1件，共选择1件。已办理的是：{FIRST}。已送交：{first.holder.name} 1件。" in messages_of(response), "and where it went"


@pytest.mark.django_db
def test_the_migration_takes_the_arrival_of_existing_declarations_from_their_timeline(make_applicant):
    """Migration 0004 fills held_since as the steps themselves would have: from the first step of the last run
    of steps that kept the declaration in the same hands."""
    import importlib

    from django.apps import apps as registry

    backfill = importlib.import_module("zhicheng.declarations.migrations.0004_application_held_since").backfill
    made = [advance(make_applicant(P.regular_engineer()), state)[0]
            for state in (State.EMPLOYER_PUBLICITY, State.ROSTER_PUBLICITY, State.UNDER_REVIEW, State.FILED)]
    set_by_steps = dict(Application.objects.filter(pk__in=[a.pk for a in made]).values_list("pk", "held_since"))
    assert len(set(set_by_steps.values())) == 4 and all(set_by_steps.values())
    Application.objects.update(held_since=None)
    backfill(registry, None)
    assert dict(Application.objects.filter(pk__in=[a.pk for a in made]).values_list("pk", "held_since")) == set_by_steps


@pytest.mark.django_db
def test_a_closed_declaration_is_held_by_no_one_and_offers_no_bulk_step(client, make_applicant):
    """A returned declaration has no next step: the list says 已办结, not 申报人, and gives it no checkbox;
    an open one beside it keeps both."""
    returned, _, day = advance(make_applicant(P.regular_engineer()), "submitted")
    open_one, _, _ = advance(make_applicant(P.regular_engineer()), "submitted")
    employer = staff_of(returned.unit)
    with clock.frozen(day):
        transition(returned, "employer_return", employer, note="材料与原件不符")
        client.force_login(employer)
        page = client.get(reverse("application_list")).content.decode()
        detail = client.get(reverse("application_detail", args=[returned.pk])).content.decode()
    assert f'value="{open_one.pk}" id="pick-{open_one.pk}"' in page and f'id="pick-{returned.pk}"' not in page
    row = page[page.index(reverse("application_detail", args=[returned.pk])):]
    assert "已办结" in row[:row.index("</tr>")]
    assert "当前办理：<b>已办结</b>" in detail


@pytest.mark.django_db
def test_an_experts_menu_leads_to_their_review_tasks_not_to_a_queue(client, scene):
    """Nothing waits in a queue for an expert (they never hold a declaration): their menu shows 我的评审任务 and no
    待办 or 申报 list beside it; a checker's menu keeps both."""
    queue, listing = reverse("application_list") + "?queue=1", f'href="{reverse("application_list")}"'
    client.force_login(scene["roles"].expert)
    body = client.get(reverse("public_draws")).content.decode()
    assert reverse("expert_tasks") in body and queue not in body and listing not in body
    client.force_login(scene["roles"].employer)
    body = client.get(reverse("public_draws")).content.decode()
    assert queue in body and listing in body


@pytest.mark.django_db
def test_the_bulk_menu_offers_the_steps_the_pages_declarations_can_take(client, make_applicant):
    """A league/city bureau holds no county-stage declaration: its page of city-stage ones offers 审核汇总并公示花名册,
    not 旗县审核通过 nor 推荐报送, which would be refused for every row."""
    app, _, day = advance(make_applicant(P.regular_city_engineer_intermediate()), State.CITY_BUREAU_REVIEW)
    client.force_login(staff_of(app.holder))
    with clock.frozen(day):
        page = client.get(reverse("application_list") + "?queue=1").content.decode()
    menu = page[page.index('id="bulk-action"'):]
    menu = menu[:menu.index("</select>")]
    assert 'value="publish_roster"' in menu and 'value="county_approve"' not in menu and 'value="recommend"' not in menu


@pytest.mark.django_db
def test_the_publicity_options_show_only_beside_a_publishing_step(client, make_applicant):
    """A queue whose page offers no publication showed 公示选项（发起公示时适用）; the employer still is."""
    app = submitted(make_applicant, FIRST, D(2021, 6, 7))
    client.force_login(staff_of(app.unit))
    with clock.frozen(TODAY):
        assert "公示选项（发起公示时适用）" in client.get("/applications/?queue=1").content.decode()
    app, _, day = advance(app, State.COMMITTEE_INTAKE)  # the office publishes results, but none is on its page
    client.force_login(staff_of(app.holder))
    with clock.frozen(day):
        page = client.get("/applications/?queue=1").content.decode()
    assert 'name="action"' in page and "公示选项（发起公示时适用）" not in page
