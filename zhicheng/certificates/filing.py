"""核准备案 of review results (七（五）1、3; 八（二）2).

The committee office submits a committee's published results as one filing per approving
body (the roster of those who passed, the objection-handling record and its report); the
body approves it with its document number, which files every declaration in it through the
`file` transition.

The deadline (七（五）1) is one month after the review work ends, and the review work of a result
ends with its results publicity (三（二） sets 评审和公示 as one stage; the filing reports on the
objections of that publicity, which only exist once it is over). So each result's deadline is one
month after the last day of its result publicity: the queue warns from that day, and a filing
submitted later is flagged ``late``. A different date is the year's 核准备案截止 (三（二）, 12月31日,
``AnnualPlan.filing_deadline``), by which the approving bodies complete the filing; the pages name both.

The approving body may also file one result directly from its queue (the workflow's `file` row, the
v1 API): the result reached it when its office closed the result publicity, with the roster data and the
objection record in the system. Such a filing carries the same package as a batch (roster, objection
record, a report on the publicity) and the same deadline, and is shown as filed directly; it cannot pass
by a batch that is waiting or was returned (the office reports it again, corrected).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.wording import enumeration
from zhicheng.declarations.states import State

from .models import Filing, FilingEntry, FilingStatus
from .numbering import next_filing_number
from .services import CertificateError

OPEN_STATUSES = (FilingStatus.SUBMITTED, FilingStatus.APPROVED)
# Results whose filing deadline may be running: their result publicity has begun (and, to count, ended).
AWAITING_STATES = (State.RESULT_PUBLICITY, State.RESULT_PUBLISHED)


def one_month_after(day: dt.date) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _latest_result_publicity_end():
    """The last day of a declaration's latest result publicity (as publicity.workflow picks the current one)."""
    from django.db.models import OuterRef, Subquery

    from zhicheng.publicity.models import PublicityEntry

    return Subquery(PublicityEntry.objects.filter(application=OuterRef("pk"), publicity__kind="result")
                    .order_by("-publicity__starts_on", "-publicity__pk").values("publicity__ends_on")[:1])


def result_publicity_ends(application_ids) -> dict[int, dt.date]:
    """Each declaration's end of review work: the last day of its latest result publicity (七（五）1; 三（二））."""
    from zhicheng.publicity.models import PublicityEntry

    ends: dict[int, dt.date] = {}
    for app_id, ends_on in (PublicityEntry.objects.filter(application_id__in=list(application_ids), publicity__kind="result")
                            .order_by("application_id", "-publicity__starts_on", "-publicity__pk")
                            .values_list("application_id", "publicity__ends_on")):
        ends.setdefault(app_id, ends_on)
    return ends


def work_ended_on(apps, ends: dict[int, dt.date], committee, year: int) -> dt.date:
    """When the review work of ``apps`` ended, for their deadline: the earliest end of their result publicities
    (each result is due one month after its own), else the review plan's end, else today."""
    known = [ends[a.pk] for a in apps if a.pk in ends]
    return min(known) if known else (review_ended_on(committee, year) or clock.today())


def annual_filing_deadline(year: int) -> dt.date | None:
    """三（二）: the year's 核准备案 is completed by this day (12月31日), the approving bodies' date."""
    from zhicheng.catalogue.models import AnnualPlan

    return AnnualPlan.objects.filter(year=year).values_list("filing_deadline", flat=True).first()


def review_ended_on(committee, year: int) -> dt.date | None:
    """The last day of the committee's review meetings: its review plan, else the last recorded result (a review's or
    a recognition's, 五（十二））.
    Only a fallback for the deadline, which counts from the end of the results publicity."""
    from zhicheng.declarations.models import ApplicationEvent
    from zhicheng.review.models import ReviewPlan

    plan = ReviewPlan.objects.filter(committee=committee, year=year).values_list("review_ends_on", flat=True).first()
    if plan:
        return plan
    last = ApplicationEvent.objects.filter(
        application__committee=committee, application__plan__year=year, action__in=("record_pass", "record_fail", "veto", "recognise", "refuse_recognition"),
    ).aggregate(last=Max("at"))["last"]
    return last.astimezone(clock.CHINA).date() if last else None


def approved_filing_of(app) -> Filing | None:
    return approved_filings_of([app.pk]).get(app.pk)


def approved_filings_of(application_ids) -> dict[int, Filing]:
    """Each declaration's latest approved filing; one query."""
    filings: dict[int, Filing] = {}
    for entry in (FilingEntry.objects.filter(application_id__in=list(application_ids), filing__status=FilingStatus.APPROVED)
                  .select_related("filing").order_by("application_id", "-filing__approved_on", "-filing__pk")):
        filings.setdefault(entry.application_id, entry.filing)
    return filings


def _unfiled(committee, year: int):
    from zhicheng.declarations.models import Application

    in_open_filing = FilingEntry.objects.filter(filing__status__in=OPEN_STATUSES).values("application_id")
    return (Application.objects.filter(committee=committee, plan__year=year, state=State.RESULT_PUBLISHED)
            .exclude(pk__in=in_open_filing).select_related("person", "series", "committee__area", "unit"))


def _default_report(committee, year, apps, filing_body, *, direct: bool = False) -> str:
    """The filing report (七（五）1): who passed, the results publicity and the objections handled in it."""
    from zhicheng.publicity.models import Objection, Publicity

    publicities = Publicity.objects.filter(kind="result", entries__application__in=apps).distinct().order_by("starts_on")
    objections = Objection.objects.filter(application__in=apps, publicity__kind="result").count()
    periods = "；".join(f"{p.starts_on:%Y年%m月%d日}至{p.ends_on:%Y年%m月%d日}" for p in publicities)
    handled = f"公示期间收到举报、异议{objections}件，均已核实处理" if objections else "公示期间未收到举报和异议"
    if direct:
        [app] = apps
        return (f"{committee.name}{year}年度评审通过{app.person.name}，评审结果已于{periods}公示（六（三）），{handled}。"
                f"该评审结果未经评委会办事机构整批报送，由{filing_body.name}按管理权限直接核准备案（七（五）1、3）；"
                f"评审通过人员花名册和公示期间举报事项处理情况见本核准备案材料。")
    return (f"{committee.name}{year}年度职称评审工作已完成，评审通过{len(apps)}人。"
            f"评审结果已于{periods}公示（六（三）），{handled}。"
            f"现将评审通过人员花名册、公示期间举报事项处理情况报请{filing_body.name}核准备案（七（五））。")


@dataclass
class PlannedFiling:
    """One batch a submission would make (and does make): its approving body, results and deadline."""

    filing_body: object
    members: list
    review_ended_on: dt.date
    due_on: dt.date
    submitted_on: dt.date

    @property
    def late(self) -> bool:
        return self.submitted_on > self.due_on

    @property
    def days_late(self) -> int:
        return max((self.submitted_on - self.due_on).days, 0)


def _check_submitter(committee, actor) -> None:
    if actor.role != Role.COMMITTEE_OFFICE or actor.organisation_id != committee.office_id:
        raise CertificateError(_("只有本评委会办事机构可以报送评审结果核准备案。"))


def _planned(committee, year: int, apps) -> list[PlannedFiling]:
    """The batches for ``apps`` (one per approving body), refused as a submission is. Inside holders.memoized()."""
    from zhicheng.declarations.holders import filing_body
    from zhicheng.publicity.workflow import results_published

    if not apps:
        raise CertificateError(_("没有公示期满、待报核准备案的评审结果。"))
    published = results_published(a.pk for a in apps)
    unpublished = [a.person.name for a in apps if a.pk not in published]
    if unpublished:
        raise CertificateError(_("以下人员的评审结果未履行公示程序，不予核准备案（八（二）2）：%(names)s") % {"names": enumeration(unpublished)})
    ends, today = result_publicity_ends(a.pk for a in apps), clock.today()
    groups: dict[int, list] = defaultdict(list)
    bodies = {}
    for app in apps:
        body = filing_body(app)
        bodies[body.pk] = body
        groups[body.pk].append(app)
    planned = []
    for body_id, members in groups.items():
        end = work_ended_on(members, ends, committee, year)
        planned.append(PlannedFiling(bodies[body_id], members, end, one_month_after(end), today))
    return planned


def submission_preview(*, committee, year: int, actor) -> list[PlannedFiling]:
    """What submit_filings would make now, without making it (for the page's question); refused as it would be."""
    from zhicheng.declarations.holders import memoized

    _check_submitter(committee, actor)
    with memoized():
        return _planned(committee, year, list(_unfiled(committee, year).order_by("pk")))


def submit_filings(*, committee, year: int, actor, report: str = "") -> list[Filing]:
    """The committee office submits its published results, one filing per approving body (七（五）1、3)."""
    from zhicheng.declarations.holders import memoized

    _check_submitter(committee, actor)
    filings = []
    with transaction.atomic(), memoized():  # each approving body looked up once for the whole committee-year
        for plan in _planned(committee, year, _lock_unfiled(committee, year)):
            body, members = plan.filing_body, plan.members
            filing = Filing.objects.create(
                committee=committee, year=year, filing_body=body, review_ended_on=plan.review_ended_on, due_on=plan.due_on,
                submitted_on=plan.submitted_on, submitted_by=actor, late=plan.late,
                report=report.strip() or _default_report(committee, year, members, body),
            )
            FilingEntry.objects.bulk_create([FilingEntry(filing=filing, application=a) for a in members])
            audit("filing.submit", filing, actor=actor,
                  after={"applications": [a.pk for a in members], "due_on": plan.due_on, "late": filing.late, "filing_body": body.pk},
                  summary=f"报送{committee.name}{year}年评审结果核准备案（{len(members)}人）" + ("，已逾期" if filing.late else ""))
            filings.append(filing)
    return filings


def _lock_unfiled(committee, year: int) -> list:
    """The committee-year's unfiled results, locked for the rest of the caller's transaction.

    The committee row serialises two submits; the declarations' rows hold off a `file` transition
    of one of them. They are then read again: on PostgreSQL a statement that waited for a lock still
    sees the world as it was when it began, so only a fresh statement sees the filing entries the
    other submit committed meanwhile. On SQLite the transaction's write lock does all of this."""
    from zhicheng.orgs.models import Committee

    Committee.objects.select_for_update().filter(pk=committee.pk).first()
    ids = list(_unfiled(committee, year).order_by("pk").select_for_update(of=("self",)).values_list("pk", flat=True))
    return list(_unfiled(committee, year).filter(pk__in=ids).order_by("pk"))


def may_decide(actor, filing: Filing) -> bool:
    """The approving body's staff decide; a supervisor in the same department only reads."""
    return not actor.read_only and actor.organisation_id == filing.filing_body_id


def approve_filing(filing: Filing, actor, *, document_number: str = "", approved_on: dt.date | None = None) -> Filing:
    """The approving body records the filing; every declaration in it is filed (`file`), all or none."""
    from zhicheng.declarations.services import transition_many

    if not may_decide(actor, filing):
        raise CertificateError(_("该批评审结果应由%(body)s核准备案（七（五）1、3）。") % {"body": filing.filing_body.name})
    with transaction.atomic():
        _lock_submitted(filing)
        filing.status, filing.approved_by = FilingStatus.APPROVED, actor
        filing.approved_on = approved_on or clock.today()
        filing.document_number = document_number.strip() or next_filing_number(filing.filing_body, filing.year)
        filing.save()
        audit("filing.approve", filing, actor=actor, after={"document_number": filing.document_number, "approved_on": filing.approved_on},
              summary=f"核准备案：{filing}（{filing.document_number}）")
        outcome = transition_many(filing.entries.values_list("application_id", flat=True), "file", actor, payload={"filing": filing})
        if outcome.refused:
            raise next(iter(outcome.refused.values()))  # all or none: the filing is not approved
    return filing


MIN_RETURN_REASON = 4  # characters: a reason says what to correct


def gives_return_reason(reason: str) -> bool:
    return len(reason.strip()) >= MIN_RETURN_REASON


def return_filing(filing: Filing, actor, *, reason: str) -> Filing:
    if not may_decide(actor, filing):
        raise CertificateError(_("只有核准备案机关可以退回。"))
    if not gives_return_reason(reason):
        raise CertificateError(_("请写明退回原因。"))
    with transaction.atomic():
        _lock_submitted(filing)
        filing.status, filing.return_reason = FilingStatus.RETURNED, reason.strip()[:200]
        filing.save(update_fields=["status", "return_reason"])
        audit("filing.return", filing, actor=actor, after={"reason": filing.return_reason}, summary=f"退回核准备案：{filing.return_reason}")
    return filing


def _lock_submitted(filing: Filing) -> None:
    """Lock the filing's row and read it again; refuse unless it still waits for a decision, so that
    of an approval and a return made at the same moment only the first counts."""
    filing.refresh_from_db(from_queryset=Filing.objects.select_for_update())
    if filing.status != FilingStatus.SUBMITTED:
        raise CertificateError(_("该批核准备案已办理。"))


def record_filing(app, actor, payload: dict, now: dt.datetime) -> Filing:
    """Effect of the `file` transition. From approve_filing the filing comes in the payload;
    a body filing one declaration directly gets a one-person filing with its document number
    (or the system's filing number when it gives none), carrying what 七（五）1 asks of a filing: the
    roster (its entry), the objection record of the result publicity and a report on them, and the
    deadline counted from the end of that publicity. Declarations in a submitted or returned batch are
    refused before this runs (certificates.workflow)."""
    filing = payload.get("filing")
    if filing is not None:
        return filing
    review_end = work_ended_on([app], result_publicity_ends([app.pk]), app.committee, app.plan.year)
    due = one_month_after(review_end)
    body = actor.organisation if actor is not None else app.holder
    filing = Filing.objects.create(
        committee=app.committee, year=app.plan.year, filing_body=body, review_ended_on=review_end, due_on=due,
        submitted_on=now.date(), submitted_by=actor, late=now.date() > due, status=FilingStatus.APPROVED,
        document_number=(payload.get("document_number") or "").strip() or next_filing_number(body, app.plan.year),
        approved_on=now.date(), approved_by=actor,
        report=_default_report(app.committee, app.plan.year, [app], body, direct=True),
    )
    FilingEntry.objects.create(filing=filing, application=app)
    audit("filing.approve", filing, actor=actor,
          after={"document_number": filing.document_number, "applications": [app.pk], "direct": True, "due_on": due},
          summary=f"直接核准备案：{app.person.name}（{filing.document_number}）" + ("，逾期报备" if filing.late else ""))
    return filing


# ---- the queue's warnings --------------------------------------------------------------------

@dataclass
class FilingWarning:
    """Results of a committee and year waiting to be submitted, whose review work ended on one day
    (``review_ended_on``: the last day of their result publicity) and are due one month after (七（五）1)."""

    committee: object
    year: int
    review_ended_on: dt.date
    due_on: dt.date
    waiting: int  # results not yet in a filing whose result publicity has ended

    @property
    def days_left(self) -> int:
        return (self.due_on - clock.today()).days

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


def committees_in_scope(user):
    from zhicheng.orgs.models import Committee

    committees = Committee.objects.select_related("area", "office")
    if user.role == Role.COMMITTEE_OFFICE:
        return committees.filter(office_id=user.organisation_id)
    if user.role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
        return committees
    if user.role == Role.HR_BUREAU:
        return committees.filter(area__path__startswith=user.organisation.area.path)
    return committees.none()


def filing_warnings(user) -> list[FilingWarning]:
    """From the day a result publicity ends until its results are all submitted (七（五）1): one row per
    committee, year and end of publicity, as each group of results has its own deadline."""
    from zhicheng.declarations.models import Application

    today = clock.today()
    committees = {c.pk: c for c in committees_in_scope(user)}
    in_open_filing = FilingEntry.objects.filter(filing__status__in=OPEN_STATUSES).values("application_id")
    waiting = (Application.objects.filter(committee_id__in=list(committees), state__in=AWAITING_STATES)
               .exclude(pk__in=in_open_filing).annotate(ended=_latest_result_publicity_end()).order_by()
               .values_list("committee_id", "plan__year", "state", "ended"))
    counts: dict[tuple, int] = defaultdict(int)
    for committee_id, year, state, ended in waiting:
        # The month runs from the publicity's last day, whether or not its office has closed it yet.
        if ended is not None and (state == State.RESULT_PUBLISHED or ended < today):
            counts[(committee_id, year, ended)] += 1
    rows = [FilingWarning(committees[committee_id], year, ended, one_month_after(ended), n)
            for (committee_id, year, ended), n in counts.items()]
    return sorted(rows, key=lambda r: (r.due_on, r.committee.name, r.year))


def filings_in_scope(user):
    qs = Filing.objects.select_related("committee", "filing_body")
    if user.role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
        return qs
    if user.role == Role.COMMITTEE_OFFICE:
        return qs.filter(committee__office_id=user.organisation_id)
    if user.role == Role.HR_BUREAU:
        return qs.filter(filing_body_id=user.organisation_id)
    return qs.none()


def issued_certificates(user, filing: Filing):
    """The certificates issued for the declarations of ``filing`` that ``user`` sees (what a batch rendering covers)."""
    from .jobs import certificates_to_render

    return certificates_to_render(user, {"filing": filing.pk})
