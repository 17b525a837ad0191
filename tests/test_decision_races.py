"""Finding 5 (issue 12): two people deciding on one shared object at the same moment.

Each race runs the two decisions in two threads, each with its own database connection, released
together at a barrier, as two requests served by two processes would be. Every repetition works
on fresh objects and must end with exactly one decision taken and the other refused with its
Chinese message, and with the record consistent (one audit entry, the winner's state kept).

50 repetitions on PostgreSQL, where the row locks are what is tested. On SQLite a writing
transaction takes the database's write lock when it begins (settings: IMMEDIATE), so the
decisions queue there whatever the code does inside; 10 repetitions show that the re-checks
happen inside that transaction, and each costs a busy-timeout wait rather than a row lock.

These tests commit (transactional_db), so they are marked `processes` and run after the others,
whose shared region their flush would empty; each loads the region it needs itself.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from zhicheng.accounts.models import User
from zhicheng.audit.models import AuditEntry
from zhicheng.certificates.filing import approve_filing, return_filing, submit_filings
from zhicheng.certificates.models import Filing, FilingEntry, FilingStatus
from zhicheng.certificates.services import CertificateError
from zhicheng.core import clock
from zhicheng.declarations.holders import regional_hr_department
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.publicity.models import Objection, ObjectionStatus, Publicity, PublicityOutcome
from zhicheng.publicity.services import close_publicity, handle_objection
from zhicheng.review import drawing
from zhicheng.review.models import DrawObjection, DrawStatus, ExpertDraw, PlanStatus, ReviewPlan
from zhicheng.review.plans import PlanError, approve_plan, return_plan, review_opened

from .conftest import staff_of
from .cycle_helpers import advance

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2021, 9, 15)


@pytest.fixture
def region(transactional_db):
    """The demo region's structure and review plans (a transactional test loads what it needs)."""
    from zhicheng.demo.loader import DemoLoader

    loader = DemoLoader(out=lambda *a: None)
    _, _, committees = loader.load_region()
    loader.review_plans(committees)


def repetitions() -> int:
    return 50 if connection.vendor == "postgresql" else 10


def race(*decisions):
    """Run the decisions at once, each in its own thread and connection; each outcome is
    ("ok", what it returned) or ("refused", the exception it raised). Each decision reads its own
    copy of the object, as a request would."""
    barrier = threading.Barrier(len(decisions))
    outcomes = [None] * len(decisions)

    def run(i, decide):
        try:
            with clock.frozen(DAY):
                barrier.wait()
                outcomes[i] = ("ok", decide())
        except Exception as exc:  # noqa: BLE001  the refusal is what the test looks at
            outcomes[i] = ("refused", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, decide)) for i, decide in enumerate(decisions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def one_winner(outcomes, refusal: type[Exception], message: str) -> int:
    """Exactly one decision taken, the other refused with ``message``; returns the winner's index."""
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    [loser] = [value for kind, value in outcomes if kind == "refused"]
    assert isinstance(loser, refusal) and message in " ".join(getattr(loser, "messages", [str(loser)])), repr(loser)
    return next(i for i, (kind, _) in enumerate(outcomes) if kind == "ok")


def audited(action: str, obj) -> int:
    return AuditEntry.objects.filter(action=action, object_id=str(obj.pk)).count()


def colleague(user, username: str):
    """A second member of the user's staff, so that the record shows which of the two decided."""
    return User.objects.create(username=username, role=user.role, organisation=user.organisation)


def two_submits_of_one_committees_results_file_each_declaration_once(make_applicant):
    apps = [advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)[0] for _ in range(2)]
    committee = apps[0].committee
    office = staff_of(committee.office)
    other = colleague(office, "second-office-clerk")

    for _ in range(repetitions()):
        outcomes = race(*(lambda who=who: submit_filings(committee=committee, year=2021, actor=who)
                          for who in (office, other)))
        winner = one_winner(outcomes, CertificateError, "没有公示期满、待报核准备案的评审结果")
        filings = outcomes[winner][1]
        submitted = Filing.objects.filter(committee=committee, status=FilingStatus.SUBMITTED)
        assert [f.pk for f in submitted] == [f.pk for f in filings]
        entries = FilingEntry.objects.filter(filing__in=submitted)
        assert sorted(entries.values_list("application_id", flat=True)) == sorted(a.pk for a in apps)
        assert sum(audited("filing.submit", f) for f in filings) == len(filings)
        # The body gives them back, so that the next repetition submits the same results afresh.
        with clock.frozen(DAY):
            for filing in filings:
                return_filing(filing, staff_of(filing.filing_body), reason="重复报送测试，退回重报。")


def an_approval_and_a_return_of_one_filing_at_once_keep_only_the_first():
    from zhicheng.orgs.models import Committee

    committee = Committee.objects.filter(office__isnull=False).order_by("pk").first()
    approver = staff_of(regional_hr_department())
    returner = colleague(approver, "second-filing-clerk")
    reason = "花名册与公示名单不一致，请核对后重报。"

    for _ in range(repetitions()):
        filing = Filing.objects.create(committee=committee, year=2021, filing_body=approver.organisation, review_ended_on=DAY,
                                       due_on=DAY + dt.timedelta(days=30), submitted_on=DAY, submitted_by=staff_of(committee.office))
        outcomes = race(lambda: approve_filing(Filing.objects.get(pk=filing.pk), approver),
                        lambda: return_filing(Filing.objects.get(pk=filing.pk), returner, reason=reason))
        winner = one_winner(outcomes, CertificateError, "该批核准备案已办理")
        filing.refresh_from_db()
        if winner == 0:
            assert (filing.status, filing.approved_by, filing.return_reason) == (FilingStatus.APPROVED, approver, "")
            assert filing.document_number
        else:
            assert (filing.status, filing.approved_by, filing.document_number) == (FilingStatus.RETURNED, None, "")
            assert filing.return_reason == reason
        assert (audited("filing.approve", filing), audited("filing.return", filing)) == ((1, 0) if winner == 0 else (0, 1))


def _publicity(unit, actor, *, ends_on) -> Publicity:
    return Publicity.objects.create(kind="employer", publisher=unit, title="单位内部公示", year=2021, starts_on=ends_on - dt.timedelta(days=7),
                                    ends_on=ends_on, created_by=actor)


def two_findings_on_one_objection_record_only_the_first(make_applicant):
    app = make_applicant(P.regular_engineer())
    first = staff_of(app.unit)
    second = colleague(first, "second-employer-clerk-1")
    publicity = _publicity(app.unit, first, ends_on=DAY)

    for _ in range(repetitions()):
        objection = Objection.objects.create(publicity=publicity, application=app, objector_name="李明", objector_phone="13800001111",
                                             content="该同志的论文系他人代写，有证据可以提供。", raised_at=clock.now())
        outcomes = race(
            lambda: handle_objection(Objection.objects.get(pk=objection.pk), first, substantiated=True, finding="经核实，论文系他人代写。"),
            lambda: handle_objection(Objection.objects.get(pk=objection.pk), second, substantiated=False, finding="经核实，论文系本人撰写。"),
        )
        winner = one_winner(outcomes, ValidationError, "该异议已处理")
        objection.refresh_from_db()
        expected = [(ObjectionStatus.SUBSTANTIATED, first, "代写"), (ObjectionStatus.UNSUBSTANTIATED, second, "本人")][winner]
        assert objection.status == expected[0] and objection.handled_by == expected[1] and expected[2] in objection.finding
        assert audited("publicity.handle_objection", objection) == 1


def two_closes_of_one_publicity_close_it_once(make_applicant):
    app = make_applicant(P.regular_engineer())
    first = staff_of(app.unit)
    second = colleague(first, "second-employer-clerk-2")

    for _ in range(repetitions()):
        publicity = _publicity(app.unit, first, ends_on=DAY - dt.timedelta(days=1))
        outcomes = race(*(lambda who=who: close_publicity(Publicity.objects.get(pk=publicity.pk), who) for who in (first, second)))
        winner = one_winner(outcomes, ValidationError, "该公示已经结束")
        publicity.refresh_from_db()
        assert publicity.outcome == PublicityOutcome.NO_OBJECTION and publicity.closed_by == (first, second)[winner]
        assert audited("publicity.close", publicity) == 1


def two_findings_on_one_draw_objection_record_only_the_first():
    plan = ReviewPlan.objects.filter(year=2021, committee__office__isnull=False).order_by("pk").first()
    first = staff_of(plan.committee.office)
    second = colleague(first, "second-draw-clerk")

    for _ in range(repetitions()):
        draw = ExpertDraw.objects.create(plan=plan, spec={}, status=DrawStatus.PUBLISHED, objections_until=DAY, created_by=first)
        objection = DrawObjection.objects.create(draw=draw, name="王芳", phone="13800002222", content="专家库漏列了本单位的正高级专家。",
                                                 submitted_at=clock.now())
        outcomes = race(
            lambda: drawing.handle_objection(DrawObjection.objects.get(pk=objection.pk), first, upheld=True, finding="属实，作废重抽。"),
            lambda: drawing.handle_objection(DrawObjection.objects.get(pk=objection.pk), second, upheld=False, finding="不属实。"),
        )
        winner = one_winner(outcomes, drawing.DrawError, "该异议已处理")
        objection.refresh_from_db()
        draw.refresh_from_db()
        assert (objection.upheld, objection.handled_by) == ((True, first), (False, second))[winner]
        assert draw.status == (DrawStatus.CANCELLED, DrawStatus.PUBLISHED)[winner]
        assert audited("draw.objection_handle", objection) == 1
        assert audited("draw.cancel", draw) == (1, 0)[winner]


def an_approval_and_a_return_of_one_plan_never_leave_it_approved_with_a_return_note():
    """A return may follow an approval (the department takes an approved plan back), but an approval
    must not follow a return it did not see."""
    # A plan whose review has not opened: once it has, the plan can no longer be returned (七（三）).
    plan = next(p for p in ReviewPlan.objects.filter(year=2021).order_by("pk") if not review_opened(p))
    approver = staff_of(regional_hr_department())
    returner = colleague(approver, "second-plan-clerk")

    for _ in range(repetitions()):
        ReviewPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.FILED, return_note="", approved_on=None, approved_by=None,
                                                     review_starts_on=DAY + dt.timedelta(days=10))
        returns = audited("review_plan.return", plan)
        outcomes = race(lambda: approve_plan(ReviewPlan.objects.get(pk=plan.pk), approver),
                        lambda: return_plan(ReviewPlan.objects.get(pk=plan.pk), returner, "评审专家组成不符合要求。"))
        plan.refresh_from_db()
        if outcomes[0][0] == "refused":  # the return came first
            assert isinstance(outcomes[0][1], PlanError) and "只能对已报备的评审实施方案备案同意" in str(outcomes[0][1].messages)
        assert outcomes[1][0] == "ok", outcomes
        assert (plan.status, plan.approved_by, plan.return_note) == (PlanStatus.REJECTED, None, "评审专家组成不符合要求。")
        assert audited("review_plan.return", plan) == returns + 1


# Two tests, not six: each transactional test loads the region and flushes it afterwards, which
# costs more than its races; each helper above is one race and says which in its failure.

def test_decisions_on_filings_and_review_plans_have_one_winner(region, make_applicant):
    two_submits_of_one_committees_results_file_each_declaration_once(make_applicant)
    an_approval_and_a_return_of_one_filing_at_once_keep_only_the_first()
    an_approval_and_a_return_of_one_plan_never_leave_it_approved_with_a_return_note()


def test_decisions_on_objections_publicities_and_draws_have_one_winner(region, make_applicant):
    two_findings_on_one_objection_record_only_the_first(make_applicant)
    two_closes_of_one_publicity_close_it_once(make_applicant)
    two_findings_on_one_draw_objection_record_only_the_first()
