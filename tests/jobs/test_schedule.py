"""The daily schedule as a deployment runs it: `zhicheng worker` processes on the test database,
their date pinned through ZHICHENG_TODAY_FILE. Each day's work is queued once and run once
however many workers start, and days missed while no worker ran are caught up, each as of its day."""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from zhicheng.core import clock
from zhicheng.declarations.models import ApplicationEvent
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.jobs import schedule
from zhicheng.jobs.models import ScheduledRun
from zhicheng.jobs.schedule import DAILY
from zhicheng.notifications.models import MailStatus, Notification, OutgoingMail
from zhicheng.notifications.outbox import send_mails

from ..processes import process_env, write_today, zhicheng
from ..test_daily_work import under_correction


D = dt.date
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def region():
    """The demo region's structure and review plans (a transactional test loads what it needs)."""
    from zhicheng.catalogue import materials_data
    from zhicheng.demo.loader import DemoLoader

    loader = DemoLoader(out=lambda *a: None)
    _, _, committees = loader.load_region()
    loader.review_plans(committees)
    materials_data.load()


@contextlib.contextmanager
def gate(seconds: float):
    """Hold the workers back for ``seconds`` while they start, then let them all go at once, so that
    their first looks at the schedule overlap: a write lock on SQLite (each worker's first write waits
    on it), the schedule's table on PostgreSQL."""
    with transaction.atomic():  # SQLite transactions begin IMMEDIATE: this one holds the write lock
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {ScheduledRun._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        yield
        time.sleep(seconds)


@pytest.fixture
def workers(tmp_path):
    """run(n, day): start n `zhicheng worker --batch` at once, on ``day``, and wait until all have finished."""
    today = tmp_path / "today"
    env = process_env(ZHICHENG_TODAY_FILE=str(today), ZHICHENG_DAILY_AT="00:00",
                      EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    rounds = []

    def run(n: int, day: dt.date, *, held: float = 0) -> None:
        write_today(today, day)
        logs = [tmp_path / f"worker-{len(rounds)}-{i}.log" for i in range(n)]
        with gate(held):
            started = [subprocess.Popen(zhicheng("worker", "--batch", "--interval", "0.1"), env=env, cwd=ROOT,
                                        stdout=log.open("w"), stderr=subprocess.STDOUT) for log in logs]
            rounds.append(started)
        for process, log in zip(started, logs):
            assert process.wait(timeout=300) == 0, log.read_text()[-3000:]

    yield run
    for process in (p for started in rounds for p in started):
        if process.poll() is None:
            process.kill()
            process.wait()


def results(name: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=DAILY[name].module_path).order_by("enqueued_at"))


def by_day(name: str) -> dict[dt.date, object]:
    runs = results(name)
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in runs), [r.traceback for r in runs]
    days = [D.fromisoformat(r.args_kwargs["kwargs"]["day"]) for r in runs]
    assert len(days) == len(set(days)), f"{name} ran twice for one day: {days}"
    return {day: r.return_value for day, r in zip(days, runs)}


def state_of_the_world() -> dict:
    return {
        "scheduled": sorted(ScheduledRun.objects.values_list("name", "day", "task_id")),
        "tasks": sorted(DBTaskResult.objects.values_list("id", "status", "task_path")),
        "events": ApplicationEvent.objects.count(),
        "inbox": sorted(Notification.objects.values_list("pk", "key", "mail_id")),
        "outbox": sorted(OutgoingMail.objects.values_list("pk", "status")),
    }


@pytest.mark.django_db
def test_a_worker_that_read_the_schedule_before_another_queued_the_days_queues_none_of_them(monkeypatch):
    now = dt.datetime(2021, 6, 25, 3, 0, tzinfo=clock.CHINA)
    for name in DAILY:
        ScheduledRun.objects.create(name=name, day=D(2021, 6, 22), queued_at=now)
    assert len(schedule.tick(now)) == 3 * len(DAILY), "the 23rd, 24th and 25th of every task"
    tasks = DBTaskResult.objects.count()
    # The second worker looked at the schedule before the first one's inserts were committed.
    monkeypatch.setattr(schedule, "first_unqueued_day", lambda name, due: D(2021, 6, 23))
    assert schedule.tick(now) == []
    assert DBTaskResult.objects.count() == tasks and ScheduledRun.objects.count() == 4 * len(DAILY)


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_three_workers_started_twice_on_one_day_run_each_daily_task_once(region, make_applicant, workers):
    day = D(2021, 6, 25)  # a Friday; the declaration deadline, Wednesday 30 June, is three working days away
    draft = make_applicant(P.regular_engineer())
    overdue = under_correction(make_applicant, D(2021, 6, 22))
    correcting = under_correction(make_applicant, D(2021, 6, 29))  # Monday 28 and Tuesday 29 left
    arrivals = Notification.objects.filter(key="queue_arrived")
    assert arrivals.filter(awaits_digest=True).exists()
    # The schedule last ran two weeks ago: the first tick queues 14 days of every task, and the three
    # workers, held back until all have started, tick at the same moment and race for every (task, day).
    for name in DAILY:
        ScheduledRun.objects.create(name=name, day=D(2021, 6, 11), queued_at=timezone.now())
    days = [D(2021, 6, 12) + dt.timedelta(days=n) for n in range(14)]

    workers(3, day, held=8)
    first = state_of_the_world()
    workers(3, day)
    assert state_of_the_world() == first, "the second start of the day queued and ran nothing"

    for name in DAILY:
        assert sorted(ScheduledRun.objects.filter(name=name, day__gt=D(2021, 6, 11)).values_list("day", flat=True)) == days
        runs = results(name)
        assert sorted(by_day(name)) == days, f"{name}: each day queued once and run once"
        assert all(len(run.worker_ids) == 1 for run in runs), "each run claimed by one worker"
    deemed = [pk for value in by_day("declarations.deem_overdue_withdrawn").values() for pk in value["deemed_withdrawn"]]
    assert deemed == [overdue.pk]
    reminders = by_day("declarations.deadline_reminders").values()
    assert [pk for value in reminders for pk in value["drafts"]] == [draft.pk]
    assert [pk for value in reminders for pk in value["corrections"]] == [correcting.pk], "the overdue one is past reminding"

    overdue.refresh_from_db()
    assert overdue.state == State.DEEMED_WITHDRAWN
    assert ApplicationEvent.objects.filter(application=overdue, action="deem_withdrawn").count() == 1
    assert Notification.objects.filter(application=draft, key="declaration_deadline_reminder").count() == 1
    assert Notification.objects.filter(application=correcting, key="correction_deadline_reminder").count() == 1
    assert not arrivals.filter(awaits_digest=True).exists()
    assert all(n.mail.key == "queue_digest" and n.emailed_at for n in arrivals), "each arrival mailed in a digest"
    digested = sum(value["arrivals"] for value in by_day("notifications.staff_digest").values())
    assert digested == arrivals.count(), "and in one digest only"

    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {MailStatus.SENT}, "the workers sent the outbox"
    sending = DBTaskResult.objects.filter(task_path=send_mails.module_path)
    assert sending.exists() and all(t.status == TaskResultStatus.SUCCESSFUL and len(t.worker_ids) == 1 for t in sending)


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_days_missed_while_no_worker_ran_are_caught_up_each_as_of_its_day(region, make_applicant, workers):
    draft = make_applicant(P.regular_engineer())
    early = under_correction(make_applicant, D(2021, 6, 23))
    late = under_correction(make_applicant, D(2021, 6, 24))

    workers(1, D(2021, 6, 23))
    workers(1, D(2021, 6, 26))  # no worker ran on the 24th and 25th

    days = [D(2021, 6, 23), D(2021, 6, 24), D(2021, 6, 25), D(2021, 6, 26)]
    for name in DAILY:
        assert sorted(ScheduledRun.objects.filter(name=name).values_list("day", flat=True)) == days
        assert sorted(by_day(name)) == days
    assert by_day("declarations.deem_overdue_withdrawn") == {
        days[0]: {"deemed_withdrawn": []},
        days[1]: {"deemed_withdrawn": [early.pk]},  # its deadline, the 23rd, had passed by the 24th
        days[2]: {"deemed_withdrawn": [late.pk]},
        days[3]: {"deemed_withdrawn": []},
    }
    drafts = {day: value["drafts"] for day, value in by_day("declarations.deadline_reminders").items()}
    assert drafts == {days[0]: [], days[1]: [], days[2]: [draft.pk], days[3]: []}, "reminded on the 25th, three working days ahead"
    for app in (early, late):
        assert ApplicationEvent.objects.filter(application=app, action="deem_withdrawn").count() == 1
