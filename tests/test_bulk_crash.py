"""kill -9 in the middle of a set-based filing and certification: no declaration is half moved.

Thousands of declarations are made in bulk and driven, set by set, to the end of their result
publicity; the committee office submits its filing. A `zhicheng shell` process then approves the
filing and certifies the declarations with transition_many; a hook in that process stops it inside
a transaction (when a chunk's work is written but not committed) and the test kills it with SIGKILL
there. Afterwards every declaration is either moved completely — its state, one event, one
audit entry, its certificate and title record — or untouched, `zhicheng audit verify` passes, and
running the same step again moves the rest.

CI runs it with 2,000 declarations (four chunks of 500: the kills fall inside the third; about two minutes on
PostgreSQL); the issue's size is 10,000, which takes about fifteen and passed on both databases on 7 December:
`ZHICHENG_BULK_CRASH_N=10000 pytest tests/test_bulk_crash.py` (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess

import pytest

from tests.processes import process_env, run, wait_for, zhicheng

N = int(os.environ.get("ZHICHENG_BULK_CRASH_N", "2000"))
# Each run below reads or moves all N declarations, or verifies the audit chain they wrote.
TIMEOUT = 600 * max(1, N // 2000)
CHUNK = 500
DAY = dt.date(2021, 8, 23)

STEP = """
import os, sys, time
from django.db import connection
from zhicheng.accounts.models import User
from zhicheng.certificates.filing import approve_filing
from zhicheng.certificates.models import Filing
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import transition_many

phase, marker, stop_after = os.environ["STEP_PHASE"], os.environ["STEP_MARKER"], int(os.environ["STEP_STOP_AFTER"])
events = [0]

def stop_inside(execute, sql, params, many, context):
    # The audit head moves once per chunk, inside the chunk's transaction, when the chunk's work is written:
    # after it has moved this many times, say so and wait to be killed there.
    result = execute(sql, params, many, context)
    if stop_after and sql.startswith('UPDATE "audit_audithead"'):
        events[0] += 1
        if events[0] == stop_after:
            open(marker, "w").close()
            time.sleep(600)
    return result

with connection.execute_wrapper(stop_inside):
    if phase == "file":
        for filing in Filing.objects.filter(status="submitted").order_by("pk"):
            approve_filing(filing, User.objects.filter(organisation_id=filing.filing_body_id).order_by("pk").first())
    else:
        ids = list(Application.objects.filter(state="filed").order_by("pk").values_list("pk", flat=True))
        actor = User.objects.get(username=os.environ["STEP_ACTOR"])
        outcome = transition_many(ids, "certify", actor, chunk=int(os.environ["STEP_CHUNK"]))
        print("moved", len(outcome.moved), "refused", len(outcome.refused))
"""


@pytest.fixture
def results_published(transactional_db, settings):
    """N declarations at the end of their result publicity, their committee's filing submitted."""
    from zhicheng.certificates.filing import submit_filings
    from zhicheng.core import clock
    from zhicheng.declarations.states import State
    from zhicheng.demo import applicants as P
    from zhicheng.demo.bulk import clone_applicants, make_templates
    from zhicheng.demo.cycle import ONE_PASS, Driver, Intent
    from zhicheng.demo.loader import DemoLoader
    from zhicheng.orgs.models import Committee, Organisation

    settings.NOTIFICATIONS_EMAIL_ON_COMMIT = False
    loader = DemoLoader(out=lambda *a: None)
    _, _, committees = loader.load_region()
    loader.review_plans(committees)
    Organisation.objects.update(senior_posts_set=1_000_000, senior_posts_filled=0)
    with clock.frozen(dt.date(2021, 6, 1)):
        ids = clone_applicants(make_templates(loader, [P.regular_engineer()]), N)
    driver = Driver({pk: Intent(target=State.CERTIFIED) for pk in ids}, batched=True)
    driver.run([(dt.date(2021, *md), stage) for stage, md in ONE_PASS if stage not in ("file", "certify")])
    assert driver.refused == []
    committee = Committee.objects.get(applications__pk=ids[0])
    with clock.frozen(dt.date(2021, 8, 20)):
        submit_filings(committee=committee, year=2021, actor=driver.staff(committee.office_id))
    return ids


def _start(tmp_path, phase: str, *, stop_after: int, actor: str = "") -> tuple[subprocess.Popen, object]:
    marker = tmp_path / f"{phase}.stopped"
    env = process_env(ZHICHENG_TODAY=DAY.isoformat(), STEP_PHASE=phase, STEP_MARKER=str(marker), STEP_STOP_AFTER=str(stop_after),
                      STEP_ACTOR=actor, STEP_CHUNK=str(CHUNK))
    return subprocess.Popen(zhicheng("shell", "-c", STEP), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), marker


def _kill_when_stopped(process, marker) -> None:
    wait_for(lambda: marker.exists() or process.poll() is not None, timeout=TIMEOUT, what="the step reaching its stop")
    assert process.poll() is None, process.stdout.read()[-3000:]
    process.send_signal(signal.SIGKILL)
    process.wait()


def _whole(ids) -> dict[str, int]:
    """Each declaration is filed or certified with exactly what its steps write, nothing half."""
    from django.db.models import Count

    from zhicheng.audit.models import AuditEntry
    from zhicheng.certificates.models import Certificate, FilingEntry
    from zhicheng.declarations.models import Application, ApplicationEvent
    from zhicheng.people.models import TitleHeld

    states = dict(Application.objects.filter(pk__in=ids).values_list("pk", "state"))
    events = {(a, act): n for a, act, n in ApplicationEvent.objects.filter(action__in=("file", "certify"))
              .values_list("application_id", "action").annotate(n=Count("pk"))}
    audits = {(int(o), act): n for o, act, n in AuditEntry.objects.filter(action__in=("application.file", "application.certify"))
              .values_list("object_id", "action").annotate(n=Count("pk"))}
    certificates = dict(Certificate.objects.values_list("application_id").annotate(n=Count("pk")))
    titles = set(TitleHeld.objects.filter(certificate_number__in=Certificate.objects.values("number")).values_list("certificate_number", flat=True))
    in_filing = set(FilingEntry.objects.filter(filing__status="approved").values_list("application_id", flat=True))
    counts = {}
    for pk in ids:
        state = states[pk]
        counts[state] = counts.get(state, 0) + 1
        filed = state in ("filed", "certified")
        assert (events.get((pk, "file"), 0), audits.get((pk, "application.file"), 0), pk in in_filing) == \
            ((1, 1, True) if filed else (0, 0, False)), pk
        certified = state == "certified"
        assert (events.get((pk, "certify"), 0), audits.get((pk, "application.certify"), 0), certificates.get(pk, 0)) == \
            ((1, 1, 1) if certified else (0, 0, 0)), pk
    assert len(titles) == counts.get("certified", 0)
    return counts


@pytest.mark.processes
def test_a_killed_filing_and_certification_leave_no_declaration_half_moved(results_published, tmp_path):
    from zhicheng.accounts.models import User
    from zhicheng.declarations.holders import regional_hr_department

    ids = results_published
    # The filing approves every declaration in one transaction: killed inside it (its own audit entry,
    # then two chunks written), none is filed.
    process, marker = _start(tmp_path, "file", stop_after=3)
    _kill_when_stopped(process, marker)
    assert _whole(ids) == {"result_published": N}
    assert run("audit", "verify", env=process_env(), timeout=TIMEOUT).returncode == 0
    done = run("shell", "-c", STEP, env=process_env(ZHICHENG_TODAY=DAY.isoformat(), STEP_PHASE="file", STEP_MARKER="-",
                                                     STEP_STOP_AFTER="0", STEP_ACTOR="", STEP_CHUNK=str(CHUNK)), timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert _whole(ids) == {"filed": N}

    # Certification goes chunk by chunk: killed inside the third chunk, the first two are certified whole.
    regional = User.objects.filter(organisation=regional_hr_department()).order_by("pk").first()
    process, marker = _start(tmp_path, "certify", stop_after=3, actor=regional.username)
    _kill_when_stopped(process, marker)
    assert _whole(ids) == {"certified": 2 * CHUNK, "filed": N - 2 * CHUNK}
    verified = run("audit", "verify", env=process_env(), timeout=TIMEOUT)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # Running the step again certifies the rest; the ones already certified are refused, not certified twice.
    again = run("shell", "-c", STEP, env=process_env(ZHICHENG_TODAY=DAY.isoformat(), STEP_PHASE="certify", STEP_MARKER="-",
                                                      STEP_STOP_AFTER="0", STEP_ACTOR=regional.username, STEP_CHUNK=str(CHUNK)),
                timeout=TIMEOUT)
    assert again.returncode == 0 and f"moved {N - 2 * CHUNK} refused 0" in again.stdout, again.stdout[-3000:] + again.stderr[-3000:]
    assert _whole(ids) == {"certified": N}
    assert run("audit", "verify", env=process_env(), timeout=TIMEOUT).returncode == 0
