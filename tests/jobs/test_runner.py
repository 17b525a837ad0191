"""The background-job runner: jobs survive a restart, retry with backoff, run once however many
workers take from the queue, are taken over when their worker dies, and are shown on their pages.

The process tests start real `zhicheng worker` processes (tests/jobs/worker.py adds the test job
kind) on the test database, on SQLite and on PostgreSQL alike; tests/jobs/tasks.py records every
run in a table without a unique key, so that a task run twice is counted twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.processes import process_env, wait_for
from zhicheng.jobs import runner
from zhicheng.jobs.models import Job, JobStatus, WorkerProcess

from . import tasks

ROOT = Path(__file__).resolve().parents[2]


class Workers:
    """Worker processes on the test database; whatever still runs at the end of the test is killed."""

    def __init__(self, tmp_path: Path):
        self.tmp_path, self.started = tmp_path, []

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"worker-{len(self.started)}.log", "w")
        process = subprocess.Popen([sys.executable, "-m", "tests.jobs.worker", *args], cwd=ROOT, env=process_env(**env),
                                   stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.started.append(process)
        return process

    def run(self, *args: str, timeout: float = 120, **env: str) -> None:
        """Run a worker until it exits (e.g. with --batch); it must exit cleanly."""
        process = self.start(*args, **env)
        assert process.wait(timeout) == 0, self.log(process)

    def log(self, process: subprocess.Popen) -> str:
        return (self.tmp_path / f"worker-{self.started.index(process)}.log").read_text()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def workers(tmp_path):
    w = Workers(tmp_path)
    yield w
    w.stop_all()


@pytest.fixture
def runs_table(transactional_db):
    tasks.create_runs_table()
    yield
    tasks.drop_runs_table()


@pytest.fixture
def starter(transactional_db):
    from zhicheng.accounts.models import User

    return User.objects.create(username="job-starter")


def results(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path).order_by("enqueued_at"))


def _claimed_by(worker: WorkerProcess, name: str = "claimed") -> DBTaskResult:
    result = tasks.record.enqueue(name)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker.worker_id)
    return row


def _worker(worker_id: str, *, hostname: str = runner.HOSTNAME, pid: int = 1, started_ago: float = 0, seen_ago: float = 0):
    now = timezone.now()
    return WorkerProcess.objects.create(worker_id=worker_id, hostname=hostname, pid=pid,
                                        started_at=now - dt.timedelta(seconds=started_ago), seen_at=now - dt.timedelta(seconds=seen_ago))


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _recovered(row: DBTaskResult) -> bool:
    row.refresh_from_db()
    return row.status == TaskResultStatus.FAILED


# ---- 1. a restart loses nothing ---------------------------------------------------------------

@pytest.mark.processes
def test_tasks_queued_while_no_worker_runs_are_run_by_a_worker_started_later(runs_table, workers):
    first, second = tasks.record.enqueue("first"), tasks.record.enqueue("second")
    workers.run("--batch", "--max-tasks", "1")  # a worker that stops after one task, as at a restart
    assert [name for name, _ in tasks.runs()] == ["first"]
    assert DBTaskResult.objects.get(pk=second.id).status == TaskResultStatus.READY
    workers.run("--batch")
    assert sorted(name for name, _ in tasks.runs()) == ["first", "second"]
    for result in (first, second):
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL


# ---- 2. retries with backoff ----------------------------------------------------------------

@pytest.mark.processes
def test_a_task_whose_row_vanishes_while_it_runs_does_not_stop_the_worker(runs_table, workers):
    tasks.vanish.enqueue("gone")
    tasks.record.enqueue("after")
    workers.run("--batch")  # exits cleanly: a worker that died of the missing row would exit 1
    assert sorted(name for name, _pid in tasks.runs()) == ["after", "gone"]


@pytest.mark.processes
def test_a_failing_task_is_retried_with_doubling_delays_until_it_succeeds_or_runs_out(runs_table, workers):
    tasks.flaky.enqueue("flaky", failures=2)
    tasks.always_fails.enqueue("hopeless")
    worker = workers.start("--interval", "0.1")
    wait_for(lambda: DBTaskResult.objects.filter(task_path=tasks.flaky.module_path, status=TaskResultStatus.SUCCESSFUL).exists()
             and DBTaskResult.objects.filter(task_path=tasks.always_fails.module_path, status=TaskResultStatus.FAILED).count() == 3,
             timeout=90, what="retries done")
    time.sleep(2.5)  # longer than the next delay (0.5 s · 2²) would have been: nothing more is queued
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0, workers.log(worker)

    flaky = results(tasks.flaky)
    assert [r.status for r in flaky] == [TaskResultStatus.FAILED, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    assert len(tasks.runs("flaky")) == 3
    # The attempt number travels in the queued kwargs; the function is called with its own arguments only.
    assert [r.args_kwargs for r in flaky] == [{"args": ["flaky"], "kwargs": {"failures": 2}},
                                              {"args": ["flaky"], "kwargs": {"failures": 2, "attempt": 2}},
                                              {"args": ["flaky"], "kwargs": {"failures": 2, "attempt": 3}}]
    assert flaky[-1].return_value == {"runs": 3, "options": {}}
    delays = [(r.run_after - r.enqueued_at).total_seconds() for r in flaky[1:]]
    assert delays[0] == pytest.approx(1, abs=0.25) and delays[1] == pytest.approx(2, abs=0.25), delays
    assert all(r.started_at >= r.run_after for r in flaky[1:])

    hopeless = results(tasks.always_fails)
    assert [r.status for r in hopeless] == [TaskResultStatus.FAILED] * 3
    assert len(tasks.runs("hopeless")) == 3
    delays = [(r.run_after - r.enqueued_at).total_seconds() for r in hopeless[1:]]
    assert delays[0] == pytest.approx(0.5, abs=0.2) and delays[1] == pytest.approx(1, abs=0.2), delays


def test_a_task_may_not_take_the_retry_counter_as_an_argument():
    with pytest.raises(TypeError, match="attempt"):
        runner.retrying()(lambda attempt: None)


# ---- 3. several workers, each task once ------------------------------------------------------

@pytest.mark.processes
def test_three_workers_run_each_of_200_tasks_exactly_once(runs_table, workers):
    names = [f"task-{i:03d}" for i in range(200)]
    for name in names:
        tasks.record.enqueue(name, pause=0.02)
    started = [workers.start("--batch", "--interval", "0") for _ in range(3)]
    for process in started:
        assert process.wait(180) == 0, workers.log(process)

    ran = tasks.runs()
    assert sorted(name for name, _ in ran) == names  # each once: none missing, none twice
    assert len({pid for _, pid in ran}) >= 2, "the workers shared the queue"
    done = results(tasks.record)
    assert {r.status for r in done} == {TaskResultStatus.SUCCESSFUL}
    assert all(len(r.worker_ids) == 1 for r in done)
    assert not WorkerProcess.objects.exists()


# ---- 4. a worker that dies, a worker that is stopped -----------------------------------------

def _start_rows_job(starter, tmp_path, rows=20, pause=0.1) -> Job:
    return runner.start_job("test_rows", "写入测试行", starter, params={"rows": rows, "pause": pause, "marker": str(tmp_path / "half")})


@pytest.mark.processes
def test_a_job_whose_worker_is_killed_is_taken_over_and_completes_once(runs_table, workers, starter, tmp_path):
    job = _start_rows_job(starter, tmp_path)
    doomed = workers.start("--interval", "0.1")
    wait_for(lambda: (tmp_path / "half.1").exists(), what="job half-way")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # nobody knows yet
    # Its progress was seen while its transaction ran: on PostgreSQL, written through a connection of its own.
    assert (job.done > 0) == (connection.vendor == "postgresql")
    assert tasks.runs(f"job-{job.pk}") == []  # its transaction died with it

    # Two workers start at once; both look for lost tasks, one of them queues the job again.
    pair = [workers.start("--batch", "--interval", "0") for _ in range(2)]
    for process in pair:
        assert process.wait(120) == 0, workers.log(process)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.SUCCEEDED, 2, "")
    assert job.result == {"summary": "写入20行。"} and job.done == job.total == 20
    assert len(tasks.runs(f"job-{job.pk}")) == 20
    lost, again = results(runner.run_job)
    assert (lost.status, lost.exception_class_path) == (TaskResultStatus.FAILED, "zhicheng.jobs.runner.WorkerLost")
    assert again.status == TaskResultStatus.SUCCESSFUL and job.task_id == str(again.id)


@pytest.mark.processes
def test_a_job_lost_too_often_ends_failed_with_nothing_written(runs_table, workers, starter, tmp_path):
    job = _start_rows_job(starter, tmp_path, pause=0.2)
    for attempt in range(1, runner.MAX_JOB_ATTEMPTS + 1):
        doomed = workers.start("--interval", "0.1")
        wait_for(lambda: (tmp_path / f"half.{attempt}").exists(), what=f"attempt {attempt} half-way")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    workers.run("--batch")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "任务所在的后台进程已中断3次，任务终止；未完成的部分没有写入。"
    assert tasks.runs(f"job-{job.pk}") == []
    assert len(results(runner.run_job)) == runner.MAX_JOB_ATTEMPTS + 1


@pytest.mark.processes
def test_a_silent_worker_on_another_machine_is_taken_for_dead_after_the_stale_limit(runs_table, workers, starter, tmp_path):
    job = _start_rows_job(starter, tmp_path, rows=3, pause=0)
    DBTaskResult.objects.get(pk=job.task_id).claim(_worker("far:1:x", hostname="another machine", seen_ago=30).worker_id)
    workers.run("--batch", ZHICHENG_WORKER_STALE_SECONDS="120")
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.RUNNING  # heard from 30 s ago: at work
    workers.run("--batch", ZHICHENG_WORKER_STALE_SECONDS="20")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1) and len(tasks.runs(f"job-{job.pk}")) == 3


@pytest.mark.processes
def test_a_worker_started_during_a_long_write_waits_for_it(runs_table, workers):
    """SQLite has one writer at a time: a worker that starts while a long transaction (an import)
    holds the lock past the busy timeout (20 s) waits for it instead of dying."""
    queued = tasks.record.enqueue("after the long write")
    with transaction.atomic():
        tasks.record.call("long write")  # on SQLite the write lock is held from here to the end of the block
        worker = workers.start("--batch")
        # Until it has waited out the busy timeout (it says so) or exited (on PostgreSQL: done; without the wait: dead).
        wait_for(lambda: worker.poll() is not None or "database is locked" in workers.log(worker), timeout=120, what="worker waited")
    assert worker.wait(60) == 0, workers.log(worker)
    queued.refresh()
    assert queued.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.processes
def test_sigterm_lets_the_running_task_finish_then_the_worker_leaves(runs_table, workers):
    slow, waiting = tasks.record.enqueue("slow", pause=3), tasks.record.enqueue("waiting")
    worker = workers.start("--interval", "0.1")
    wait_for(lambda: DBTaskResult.objects.filter(pk=slow.id, status=TaskResultStatus.RUNNING).exists(), what="slow task running")
    assert WorkerProcess.objects.filter(pid=worker.pid).exists()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0, workers.log(worker)
    slow.refresh()
    assert slow.status == TaskResultStatus.SUCCESSFUL and tasks.runs("slow")
    assert DBTaskResult.objects.get(pk=waiting.id).status == TaskResultStatus.READY  # left for the next worker
    assert not WorkerProcess.objects.exists()


# ---- recovery decisions, in this process ------------------------------------------------------

@pytest.mark.django_db
def test_which_workers_count_as_lost(settings):
    settings.WORKER_STALE_SECONDS = 60
    me = os.getpid()
    cases = {
        # this machine: the process decides, whatever the heartbeat says (on SQLite a long task's
        # write transaction holds the heartbeat up)
        "alive here, silent": (_worker("a", pid=me, seen_ago=600), False),
        "dead here, heard just now": (_worker("b", pid=_dead_pid()), True),
        "pid reused by a later process": (_worker("c", pid=me, started_ago=10**6), True),
        # another machine: the heartbeat decides
        "elsewhere, heard recently": (_worker("d", hostname="elsewhere", seen_ago=30), False),
        "elsewhere, silent": (_worker("e", hostname="elsewhere", seen_ago=90), True),
    }
    rows = {case: _claimed_by(worker) for case, (worker, _) in cases.items()}
    unregistered = tasks.record.enqueue("nobody's")
    DBTaskResult.objects.get(pk=unregistered.id).claim("never-registered")
    assert runner.recover_lost_tasks() == 1 + sum(lost for _, lost in cases.values())
    assert {case: _recovered(row) for case, row in rows.items()} == {case: lost for case, (_, lost) in cases.items()}
    assert DBTaskResult.objects.filter(task_path=tasks.record.module_path, status=TaskResultStatus.READY).count() == 4


@pytest.mark.django_db
def test_a_lost_task_whose_code_is_gone_is_marked_failed_not_queued():
    row = _claimed_by(_worker("gone", pid=_dead_pid()))
    DBTaskResult.objects.filter(pk=row.pk).update(task_path="tests.jobs.tasks.no_such_task")
    assert runner.recover_lost_tasks() == 1
    assert _recovered(row)
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


@pytest.mark.django_db
def test_a_job_whose_worker_died_before_starting_it_waits_for_the_next_worker():
    from zhicheng.accounts.models import User

    tasks.create_runs_table()  # inside the test's transaction: rolled back with it
    job = runner.start_job("test_rows", "写入测试行", User.objects.create(username="early-starter"), params={"rows": 3, "pause": 0})
    DBTaskResult.objects.get(pk=job.task_id).claim(_worker("dead", pid=_dead_pid()).worker_id)
    assert runner.recover_lost_tasks() == 1
    job.refresh_from_db()
    again = DBTaskResult.objects.get(pk=job.task_id)
    assert (job.status, job.attempts, again.status) == (JobStatus.QUEUED, 0, TaskResultStatus.READY)
    assert runner.run_job.call(*again.args_kwargs["args"]) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1) and len(tasks.runs(f"job-{job.pk}")) == 3


@pytest.mark.processes  # not processes but threads; it commits, so it runs with the process tests, last
@pytest.mark.django_db(transaction=True)
def test_workers_recovering_at_once_queue_each_lost_task_once():
    dead = _worker("dead", pid=_dead_pid())
    lost = [_claimed_by(dead, f"lost-{i}") for i in range(30)]
    barrier, counts, errors = threading.Barrier(4), [], []

    def recover():
        from django.db import connection

        try:
            barrier.wait()
            counts.append(runner.recover_lost_tasks())
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=recover) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 30
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert sorted(r.args_kwargs["args"][0] for r in queued) == sorted(r.args_kwargs["args"][0] for r in lost)


# ---- 5. the job pages ---------------------------------------------------------------------

@pytest.fixture
def staff(db):
    """Two accounts of one employer (the starter and a colleague), and one of another employer."""
    from zhicheng.accounts.models import User
    from zhicheng.accounts.roles import Role
    from zhicheng.orgs.models import Organisation

    mine, theirs = Organisation.objects.units().order_by("pk")[:2]
    make = lambda name, org: User.objects.create(username=name, role=Role.EMPLOYER_HR, organisation=org)  # noqa: E731
    return {"starter": make("hr-starter", mine), "colleague": make("hr-colleague", mine), "stranger": make("hr-stranger", theirs)}


def _job(user, **fields) -> Job:
    return Job.objects.create(kind="test_rows", title=fields.pop("title", "导入历史证书"), started_by=user,
                              organisation=user.organisation, **fields)


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("starter", 200), ("colleague", 200), ("stranger", 404)])
def test_a_job_is_seen_by_its_starter_and_its_organisation(client, staff, who, status):
    job = _job(staff["starter"], status=JobStatus.RUNNING, done=30, total=120, phase="写入证书")
    client.force_login(staff[who])
    for name in ("job_detail", "job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == status, name
    listing = client.get(reverse("job_list")).content.decode()
    assert (reverse("job_detail", args=[job.pk]) in listing) == (status == 200)


@pytest.mark.django_db
def test_the_progress_partial_polls_until_the_job_ends(client, staff):
    job = _job(staff["starter"], status=JobStatus.RUNNING, done=30, total=120, phase="写入证书")
    client.force_login(staff["starter"])
    url = reverse("job_progress", args=[job.pk])
    running = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in running and f'hx-get="{url}"' in running
    assert 'value="25"' in running and "30 / 120" in running and "写入证书" in running

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, done=120, finished_at=timezone.now(),
        result={"summary": "已导入118条。", "refusals": [{"label": "第7行", "reason": "证书编号重复"}], "link": "/certificates/"})
    final = client.get(url).content.decode()
    assert "hx-trigger" not in final and "hx-get" not in final
    assert 'value="100"' in final and "已导入118条。" in final and "第7行：证书编号重复" in final and 'href="/certificates/"' in final

    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, result={}, error="第3行格式不对，未导入任何证书。")
    failed = client.get(url).content.decode()
    assert "hx-trigger" not in failed and "第3行格式不对，未导入任何证书。" in failed
    assert "hx-trigger" not in client.get(reverse("job_detail", args=[job.pk])).content.decode()


@pytest.mark.django_db
def test_the_job_list_costs_the_same_few_queries_for_many_jobs(client, staff, django_assert_num_queries):
    client.force_login(staff["colleague"])
    _job(staff["starter"])
    client.get(reverse("job_list"))  # the first request also saves the session
    with django_assert_num_queries(4):  # session, user, the user's organisation (page header), jobs with their starters
        client.get(reverse("job_list"))
    for i in range(20):
        _job(staff["starter" if i % 2 else "colleague"], title=f"批量办理第{i}批")
    with django_assert_num_queries(4):
        page = client.get(reverse("job_list")).content.decode()
    assert page.count("批量办理第") == 20
