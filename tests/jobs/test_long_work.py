"""Long work as jobs with a progress bar (issue 10, point 4): the history import, bulk steps over the
threshold, re-screening a year, batch rendering of certificate PDFs.

The page that starts the work redirects to the job's page, whose result says what was done and each
refusal with its reason. Most tests here play the worker with run_job.call (in the test's
transaction); the process tests at the end run real `zhicheng worker` processes on the test
database: the 100,000-row import from the page with its progress moving, and an import whose worker
is killed (while checking, then while writing) that leaves nothing behind and completes exactly once.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import signal
import subprocess
import time
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.processes import process_env, zhicheng
from zhicheng.audit.models import AuditEntry
from zhicheng.certificates.history import HEADER
from zhicheng.certificates.models import Certificate, CertificateKind
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import transition
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.files.models import Rendition
from zhicheng.jobs.models import Job, JobStatus
from zhicheng.jobs.runner import run_job
from zhicheng.orgs.models import Organisation
from zhicheng.people.models import Person, TitleHeld
from zhicheng.publicity.models import Publicity

from ..conftest import staff_of
from ..cycle_helpers import advance

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNTY_CENTRE = "宁城县农牧技术推广中心"


def _started_job(response) -> Job:
    """The job the page just started: the page redirects to it."""
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk]), response
    return job


def _finished(job: Job) -> Job:
    run_job.call(job.pk)
    job.refresh_from_db()
    return job


# ---- bulk steps from the queue ---------------------------------------------------------------

@pytest.fixture
def employer_queue(make_applicant):
    """Three declarations at the end of their employer's publicity; the unit may recommend one more senior
    title this year, so the step takes the exempt one and the first regular one and refuses the second."""
    unit = Organisation.objects.get(name=COUNTY_CENTRE)
    unit.senior_posts_set, unit.senior_posts_filled = 20, 20
    unit.save()
    regular = [advance(make_applicant(P.regular_agronomist(unit=COUNTY_CENTRE)), "employer_publicity")[0] for _ in range(2)]
    exceptional = advance(make_applicant(P.exceptional_next_level()), "employer_publicity")[0]
    ends = max(Publicity.objects.filter(entries__application__unit=unit).values_list("ends_on", flat=True))
    return {"regular": regular, "exceptional": exceptional, "staff": staff_of(unit), "day": ends + dt.timedelta(days=1)}


def _bulk(client, apps, action="report"):
    return client.post(reverse("application_bulk"), {"action": action, "ids": [a.pk for a in apps], "next": "/applications/?queue=1"})


@pytest.mark.django_db
def test_a_bulk_step_over_the_threshold_runs_as_a_job_naming_who_moved_and_each_refusal(client, settings, employer_queue):
    settings.BULK_JOB_THRESHOLD = 2
    regular, exceptional, day = employer_queue["regular"], employer_queue["exceptional"], employer_queue["day"]
    client.force_login(employer_queue["staff"])
    with clock.frozen(day):
        job = _started_job(_bulk(client, [*regular, exceptional]))
        assert {a.state for a in Application.objects.filter(pk__in=[a.pk for a in (*regular, exceptional)])} == {
            State.EMPLOYER_PUBLICITY}, "the request itself moves nothing"
        job = _finished(job)
        page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert job.status == JobStatus.SUCCEEDED and job.kind == "bulk_step"
    assert job.result["done_names"] == [regular[0].person.name, exceptional.person.name]
    assert [r["label"] for r in job.result["refusals"]] == [regular[1].person.name]
    assert "本年度最多推荐1人" in job.result["refusals"][0]["reason"]
    assert "已办理2件，共选择3件" in page and f"{regular[0].person.name}、{exceptional.person.name}" in page
    assert f"{regular[1].person.name}：" in page and "本年度最多推荐1人" in page
    for app, state in ((regular[0], State.DEPARTMENT_REVIEW), (regular[1], State.EMPLOYER_PUBLICITY), (exceptional, State.DEPARTMENT_REVIEW)):
        app.refresh_from_db()
        assert app.state == state


@pytest.mark.django_db
def test_under_the_threshold_the_step_stays_in_the_request(client, settings, employer_queue):
    settings.BULK_JOB_THRESHOLD = 3
    client.force_login(employer_queue["staff"])
    with clock.frozen(employer_queue["day"]):
        response = _bulk(client, [*employer_queue["regular"], employer_queue["exceptional"]])
    assert response.status_code == 302 and response["Location"] == "/applications/?queue=1"
    assert not Job.objects.exists()
    employer_queue["exceptional"].refresh_from_db()
    assert employer_queue["exceptional"].state == State.DEPARTMENT_REVIEW


@pytest.mark.django_db
def test_all_matching_declarations_of_the_list_go_in_one_job(client, settings, employer_queue):
    """The list shows 50 a page: "all matching" takes the filter's declarations from every page."""
    settings.BULK_JOB_THRESHOLD = 2
    client.force_login(employer_queue["staff"])
    with clock.frozen(employer_queue["day"]):
        response = client.post(reverse("application_bulk"), {
            "action": "report", "all_matching": "1", "query": "queue=1&state=employer_publicity", "next": "/"})
    job = _started_job(response)
    assert sorted(job.params["ids"]) == sorted(a.pk for a in (*employer_queue["regular"], employer_queue["exceptional"]))


@pytest.mark.django_db
def test_a_bulk_job_run_again_counts_what_it_already_moved_as_done(client, settings, employer_queue):
    """The worker died after moving the first declaration: the job, run again, does not report it refused."""
    settings.BULK_JOB_THRESHOLD = 2
    regular, exceptional, staff = employer_queue["regular"], employer_queue["exceptional"], employer_queue["staff"]
    client.force_login(staff)
    with clock.frozen(employer_queue["day"]):
        job = _started_job(_bulk(client, [*regular, exceptional]))
        transition(regular[0].pk, "report", staff)  # what the first, killed, run did
        job = _finished(job)
    assert job.result["done_names"] == [regular[0].person.name, exceptional.person.name]
    assert [r["label"] for r in job.result["refusals"]] == [regular[1].person.name]


@pytest.mark.django_db
def test_a_bulk_job_stopped_by_an_error_says_why_and_which_declarations_it_moved(client, settings, employer_queue, monkeypatch):
    from zhicheng.declarations import jobs

    settings.BULK_JOB_THRESHOLD = 2
    regular, exceptional = employer_queue["regular"], employer_queue["exceptional"]
    real = jobs.transition_many

    def first_chunk_then_fail(ids, action, actor, *, outcome, **kwargs):
        real(ids[:1], action, actor, outcome=outcome, **kwargs)  # the first chunk commits; the second meets the error
        raise RuntimeError("database gone")

    monkeypatch.setattr(jobs, "transition_many", first_chunk_then_fail)
    client.force_login(employer_queue["staff"])
    with clock.frozen(employer_queue["day"]):
        job = _finished(_started_job(_bulk(client, [*regular, exceptional])))
        page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert job.status == JobStatus.FAILED and "RuntimeError" in job.error and "其余未办理" in job.error
    assert job.result["done_names"] == [regular[0].person.name] and "已办理1件，共选择3件" in page
    assert [a.state for a in Application.objects.filter(pk__in=[a.pk for a in (*regular, exceptional)]).order_by("pk")] == [
        State.DEPARTMENT_REVIEW, State.EMPLOYER_PUBLICITY, State.EMPLOYER_PUBLICITY]


@pytest.mark.django_db
def test_a_bulk_publication_over_the_threshold_runs_as_a_job(client, settings, make_applicant):
    settings.BULK_JOB_THRESHOLD = 1
    published = advance(make_applicant(P.regular_engineer()), "employer_publicity")[0]
    ready = [advance(make_applicant(P.regular_engineer()), "submitted")[0] for _ in range(2)]
    client.force_login(staff_of(ready[0].unit))
    with clock.frozen(dt.date(2021, 6, 8)):
        job = _started_job(client.post(reverse("application_bulk"), {
            "action": "employer_publish", "ids": [a.pk for a in (published, *ready)], "working_days": 5, "contact": "0471-6600000",
            "next": "/", "confirm": "yes"}))
        job = _finished(job)
    publicity = Publicity.objects.get(entries__application=ready[0])
    assert job.status == JobStatus.SUCCEEDED and job.result["publicity"] == publicity.pk
    assert publicity.entries.count() == 2 and job.result["done_names"] == [a.person.name for a in ready]
    assert [r["label"] for r in job.result["refusals"]] == [published.person.name]
    assert "不能列入本次公示" in job.result["refusals"][0]["reason"]
    assert job.result["link"] == reverse("publicity_detail", args=[publicity.pk])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)  # as if its worker died before recording the end
    with clock.frozen(dt.date(2021, 6, 8)):
        assert _finished(Job.objects.get(pk=job.pk)).result == job.result  # run again: the recorded result
    assert Publicity.objects.filter(entries__application__in=ready).distinct().count() == 1, "no second publicity"


# ---- re-screening a year ---------------------------------------------------------------------

@pytest.fixture
def regional(db):
    from zhicheng.orgs.models import OrgKind

    return staff_of(Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT))


@pytest.mark.django_db
def test_rescreening_a_year_from_its_page_shows_who_changed_and_why(client, regional, make_applicant):
    changed, _, _ = advance(make_applicant(P.regular_engineer()), "submitted")
    unchanged, _, _ = advance(make_applicant(P.regular_lecturer()), "submitted")
    Application.objects.filter(pk=changed.pk).update(eligible=False, route="")  # as an earlier rule set had decided
    client.force_login(regional)
    assert client.get(reverse("rescreen")).status_code == 200
    asked = client.post(reverse("rescreen"), {"year": 2021}).content.decode()
    assert "在办的申报2份将逐份按其提交之日重新审查" in asked and not Job.objects.exists(), "asked first, with the count"
    none = client.post(reverse("rescreen"), {"year": 2030}).content.decode()
    assert "2030年度没有在办的申报，无需重新审查。" in none and not Job.objects.exists()
    job = _finished(_started_job(client.post(reverse("rescreen"), {"year": 2021, "confirm": "yes"})))
    assert job.status == JobStatus.SUCCEEDED and job.result["changes"] == 1
    [detail] = job.result["details"]
    assert detail["label"] == changed.person.name and detail["link"] == reverse("application_detail", args=[changed.pk])
    assert detail["reason"].startswith("不符合 → 符合（")
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "审查结论发生变化的申报" in page and changed.person.name in page and unchanged.person.name not in page
    changed.refresh_from_db()
    assert changed.eligible is True


@pytest.mark.django_db
def test_a_rescreening_that_fails_half_way_stores_no_decision(regional, make_applicant, monkeypatch):
    from zhicheng.declarations import screening
    from zhicheng.jobs.runner import start_job

    apps = [advance(make_applicant(P.regular_engineer()), "submitted")[0] for _ in range(2)]
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(eligible=False, route="")
    store, stored = screening._store, []

    def store_then_fail(app, decision, actor):
        if stored:
            raise RuntimeError("disk full")
        stored.append(app.pk)
        store(app, decision, actor)

    monkeypatch.setattr(screening, "_store", store_then_fail)
    job = _finished(start_job("rescreen", "重新审查2021年度申报", regional, params={"year": 2021}))
    assert job.status == JobStatus.FAILED and "RuntimeError" in job.error and stored == [apps[0].pk]
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("eligible", flat=True)) == {False}


# ---- batch rendering of certificate PDFs -----------------------------------------------------

@pytest.mark.django_db
def test_rendering_a_filings_certificates_keeps_each_pdf_until_the_certificate_changes(client, regional, make_applicant):
    from zhicheng.certificates.rendering import certificate_pdf_key
    from zhicheng.certificates.services import revoke_certificate

    app, _, _ = advance(make_applicant(P.regular_engineer()), State.CERTIFIED)
    cert = Certificate.objects.get(application=app)
    filing = app.filing_entries.get().filing
    client.force_login(regional)
    page = client.get(reverse("filing_detail", args=[filing.pk])).content.decode()
    assert reverse("certificate_render") in page

    job = _finished(_started_job(client.post(reverse("certificate_render"), {"filing": filing.pk})))
    assert job.status == JobStatus.SUCCEEDED and (job.result["rendered"], job.result["current"]) == (1, 0)
    kept = Rendition.objects.get(key=certificate_pdf_key(cert))
    served = client.get(reverse("certificate_pdf", args=[cert.pk]))
    from zhicheng.files.services import read_verified

    assert served.content == read_verified(kept.file), "the holder's download is the kept PDF"

    again = _finished(_started_job(client.post(reverse("certificate_render"), {"year": cert.issued_on.year})))
    assert (again.result["rendered"], again.result["current"]) == (0, 1) and "此前已生成" in again.result["summary"]

    revoke_certificate(cert, regional, reason="学历造假", document_number="内人社发〔2021〕99号")
    cert.refresh_from_db()
    assert not Rendition.objects.filter(key=certificate_pdf_key(cert)).exists(), "a revoked certificate is not the one kept"
    third = _finished(_started_job(client.post(reverse("certificate_render"), {"filing": filing.pk})))
    assert (third.result["rendered"], third.result["current"]) == (1, 0)


# ---- who may start them ----------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("regional_hr", 302), ("city_bureau", 403), ("supervisor", 403), ("employer", 403)])
def test_only_the_regional_department_starts_imports_rescreenings_and_renderings(client, scene, who, status):
    client.force_login(getattr(scene["roles"], who))
    workbook = SimpleUploadedFile("h.xlsx", _xlsx(HEADER, []), XLSX)
    assert client.post(reverse("history_import"), {"workbook": workbook}).status_code == status
    assert client.post(reverse("rescreen"), {"year": 2021, "confirm": "yes"}).status_code == status
    assert client.post(reverse("certificate_render"), {"year": 2021}).status_code == status
    assert Job.objects.count() == (3 if status == 302 else 0)


@pytest.mark.django_db
def test_a_job_page_is_not_seen_outside_the_organisation_that_started_it(client, scene):
    client.force_login(scene["roles"].regional_hr)
    job = _started_job(client.post(reverse("rescreen"), {"year": 2021, "confirm": "yes"}))
    client.force_login(scene["roles"].city_bureau)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_progress", args=[job.pk])).status_code == 404


# ---- the history import, run by real worker processes ---------------------------------------

def _xlsx(header, rows) -> bytes:
    """A minimal .xlsx with inline strings, written directly: openpyxl's writer takes ~18 s for 100,000 rows,
    this a second or two. Like Excel's own files it gives the sheet's dimension."""
    sheet = io.StringIO()
    sheet.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<dimension ref="A1:{chr(ord("A") + len(header) - 1)}{len(rows) + 1}"/><sheetData>')
    for row in [header, *rows]:
        sheet.write("<row>" + "".join(f'<c t="inlineStr"><is><t>{escape(str(v))}</t></is></c>' for v in row) + "</row>")
    sheet.write("</sheetData></worksheet>")
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="历年职称记录" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet.getvalue(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, text in parts.items():
            package.writestr(name, text)
    return out.getvalue()


def _history_rows(n: int) -> list[list]:
    """Past records as bench/history_import.py makes them (about one person in four with two titles of a
    series), quicker to make: people share 100 birth dates, told apart by the 身份证 serial, so the costly
    birth-place lookup of a valid number is done 100 times rather than once per person."""
    from stdnum.cn import ric

    from zhicheng.catalogue.models import Level, TitleName
    from zhicheng.demo.ids import id_number

    rng = random.Random(2021)
    titles = list(TitleName.objects.values_list("series__name", "level", "name"))
    births = [dt.date(1955, 1, 1) + dt.timedelta(days=131 * i) for i in range(100)]
    places = [id_number("150102", birth, 0)[:14] for birth in births]
    rows, person = [], 0
    while len(rows) < n:
        body = f"{places[person % 100]}{person // 100:03d}"
        ident = body + ric.calc_check_digit(body + "0")
        name = "王李张刘陈杨赵黄周吴"[person % 10] + "建国志强丽娟海燕巴特尔其其格乌云"[person % 13:][:2]
        series, level, title = rng.choice(titles)
        for _ in range(2 if person % 4 == 0 else 1):
            year = rng.randint(max(1990, births[person % 100].year + 22), 2020)  # after the holder's studies (checked)
            rows.append([name, ident, series, Level(level).label, title, f"{year}-12-{rng.randint(1, 28):02d}",
                         f"内蒙古自治区{series}系列职称评审委员会", f"H{year}{len(rows):09d}"])
        person += 1
    return rows[:n]


@pytest.fixture
def importer(transactional_db, settings):
    """The catalogue and an account of the regional department, committed for the workers (a transactional
    test starts from whatever an earlier one's flush left)."""
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role
    from zhicheng.demo.region import load_catalogue

    # Sessions in a signed cookie: the polling below never waits on SQLite's write lock, which the
    # worker holds while it writes.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    load_catalogue(2021)
    return User.objects.create(username="history-importer", role=Role.REGIONAL_HR_DEPARTMENT)


class Worker:
    """`zhicheng worker` processes on the test database; whatever still runs at the end is killed."""

    def __init__(self, tmp_path):
        self.tmp_path, self.started = tmp_path, []

    def start(self) -> subprocess.Popen:
        with open(self.tmp_path / f"worker-{len(self.started)}.log", "w") as log:
            process = subprocess.Popen(zhicheng("worker", "--interval", "0.2"), env=process_env(), stdout=log,
                                       stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait()  # reaped: a zombie would still count as a live worker

    def logs(self) -> str:
        return "\n".join((self.tmp_path / f"worker-{i}.log").read_text()[-3000:] for i in range(len(self.started)))

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def workers(tmp_path):
    w = Worker(tmp_path)
    yield w
    w.stop_all()


def _wait_for(condition, timeout: float, what: str, workers: Worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise TimeoutError(f"{what}: not reached after {timeout} s\n{workers.logs()}")


def _upload(client, rows) -> Job:
    workbook = SimpleUploadedFile("history.xlsx", _xlsx(HEADER, rows), XLSX)
    return _started_job(client.post(reverse("history_import"), {"workbook": workbook}))


def _nothing_imported(people: int) -> bool:
    return (Certificate.objects.filter(kind=CertificateKind.HISTORY).count(), TitleHeld.objects.count(), Person.objects.count(),
            AuditEntry.objects.filter(action="certificate.import_history").count()) == (0, 0, people, 0)


PROGRESS = re.compile(r"(\d+) / (\d+)（(\d+)%）")


@pytest.mark.processes
def test_the_100000_row_import_started_from_the_page_completes_as_a_job_with_its_progress_moving(client, importer, workers):
    started = time.monotonic()
    rows = _history_rows(100_000)
    client.force_login(importer)
    job = _upload(client, rows)
    workers.start()
    seen = []  # (phase, rows done) as the progress partial showed them while the job ran
    # About a minute on this 2-CPU machine when it is quiet (bench-import: 47 s for the import itself);
    # the bound only keeps a stuck job from hanging the run.
    while time.monotonic() - started < 600:
        partial = client.get(reverse("job_progress", args=[job.pk])).content.decode()
        if "hx-get" not in partial:
            break  # the partial stops polling when the job has ended
        phase = re.search(r"</strong>：([^<]*)", partial)
        done = PROGRESS.search(partial)
        seen.append((phase.group(1) if phase else "", int(done.group(1)) if done else None))
        time.sleep(0.5)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, (job.error, seen, workers.logs())
    checking = [done for phase, done in seen if phase.startswith("逐行核对") and done]
    assert len(set(checking)) >= 3 and checking == sorted(checking) and checking[-1] <= 100_001, seen
    assert any(phase.startswith("写入中") for phase, _ in seen), seen
    assert Certificate.objects.filter(kind=CertificateKind.HISTORY).count() == 100_000 == TitleHeld.objects.count()
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "已导入100000条历年职称记录" in page and "hx-get" not in page


@pytest.mark.processes
def test_an_import_whose_worker_is_killed_leaves_nothing_and_completes_exactly_once(client, importer, workers):
    """Killed while checking rows, then while writing them: nothing of the import is in the database after
    either; the next worker takes the job over (runner.recover_lost_tasks) and the third completes it."""
    n = 20_000
    client.force_login(importer)
    people = Person.objects.count()
    job = _upload(client, _history_rows(n))

    def state():
        job.refresh_from_db()
        return job

    doomed = workers.start()
    _wait_for(lambda: state().phase.startswith("逐行核对") and job.done > 3000, 60, "checking under way", workers)
    workers.kill(doomed)
    assert state().status == JobStatus.RUNNING and _nothing_imported(people)

    doomed = workers.start()
    _wait_for(lambda: state().attempts == 2 and job.phase.startswith("写入中"), 90, "writing under way", workers)
    time.sleep(1.0)  # well inside the write transaction (about 5 s for 20,000 rows)
    assert not state().finished
    workers.kill(doomed)
    assert state().status == JobStatus.RUNNING and _nothing_imported(people), "the write transaction died with its worker"

    workers.start()
    _wait_for(lambda: state().finished, 120, "job finished", workers)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 3), (job.error, workers.logs())
    assert job.result["imported"] == n and Certificate.objects.filter(kind=CertificateKind.HISTORY).count() == n
    assert TitleHeld.objects.count() == n and AuditEntry.objects.filter(action="certificate.import_history").count() == 1
