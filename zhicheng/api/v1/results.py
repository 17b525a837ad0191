"""Committee results, filings and certificates.

Results: each outcome recorded for a declaration the key's account sees (for_user), with the meeting's
ballot where the committee met in the system and the account sees the meeting (as the meeting page).
Filings: the filing page's scope, roster (identity numbers masked as there) and decisions, through
certificates.filing. Certificates: the certificate list's scope; issuing is the dossier's `certify` step.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhicheng.accounts.roles import Role
from zhicheng.api.errors import refusal
from zhicheng.api.models import Scope
from zhicheng.catalogue.models import Level
from zhicheng.certificates import filing as filing_service
from zhicheng.certificates.forms import FilingApproveForm, FilingSubmitForm, ReturnForm
from zhicheng.certificates.models import Certificate, Filing
from zhicheng.certificates.rendering import objection_rows, roster_rows
from zhicheng.certificates.scope import certificates_for
from zhicheng.certificates.services import CertificateError
from zhicheng.core.identifiers import mask_id_number
from zhicheng.core.params import LARGEST_ID
from zhicheng.declarations.models import Application, ApplicationEvent
from zhicheng.declarations.services import transition
from zhicheng.declarations.workflow import ACTIONS
from zhicheng.review.meeting import meetings_for
from zhicheng.review.models import MeetingResult

from .declarations import (
    ACTING_ERRORS, DEFAULT_PAGE, LIST_ERRORS, TEXT, Coded, Cursor, Id, Limit, Named, acting_user, cleaned, named, not_found, page_after,
    reading_user, scoped,
)

router = Router()

Year = Annotated[int | None, Query(ge=2000, le=2100)]

# The steps that record a review's outcome (七（四）；八（二）3、八（三）) or a recognition's (五（十二）), and what each records.
OUTCOMES = {"record_pass": True, "record_fail": False, "veto": False, "overturn": False, "recognise": True,
            "refuse_recognition": False}  # nosec B105 - step names mapped to outcomes, not a password


# ---- committee results ----------------------------------------------------------------------

class BallotOut(Schema):
    meeting_id: int
    held_on: dt.date
    group: str
    eligible: int = Field(description="应参加表决（出席且无须回避）")
    yes: int
    no: int
    abstain: int
    yes_needed: int
    reached_two_thirds: bool
    passed: bool
    note: str


class ResultOut(Schema):
    id: int = Field(description="登记结果的办理记录编号")
    declaration_id: int
    name: str
    year: int
    title: str
    committee: Named | None
    passed: bool
    action: str
    label: str
    recorded_at: dt.datetime
    note: str
    ballot: BallotOut | None = Field(description="在系统中召开评审会议的表决结果（本账户能看到该会议时）")


class ResultPage(Schema):
    items: list[ResultOut]
    next_cursor: str | None


@router.get("/committee", response={200: ResultPage, **LIST_ERRORS}, url_name="results_committee", summary="评审结果（游标翻页）")
def committee_results(request, year: Year = None, committee: Annotated[int | None, Query(ge=1, le=LARGEST_ID)] = None,
                      limit: Limit = DEFAULT_PAGE, cursor: Cursor = None):
    """每次登记的评审结果（评审通过、未通过、一票否决、公示期间查实不予通过）和考核认定结果（五（十二）），按登记先后。"""
    user = reading_user(request, Scope.READ_RESULTS)
    events = ApplicationEvent.objects.filter(action__in=list(OUTCOMES), application__in=Application.objects.for_user(user))
    if year is not None:
        events = events.filter(application__plan__year=year)
    if committee is not None:
        events = events.filter(application__committee_id=committee)
    rows, next_cursor = page_after(
        events.select_related("application__person", "application__plan", "application__series", "application__committee"),
        cursor, limit, salt="results")
    ballots = {r.application_id: r for r in MeetingResult.objects.filter(
        application_id__in=[e.application_id for e in rows], meeting__in=meetings_for(user)).select_related("meeting")}
    items = []
    for e in rows:
        app, ballot = e.application, ballots.get(e.application_id)
        items.append(ResultOut(
            id=e.pk, declaration_id=app.pk, name=app.person.name, year=app.plan.year, title=app.title_label, committee=named(app.committee),
            passed=OUTCOMES[e.action], action=e.action, label=ACTIONS[e.action], recorded_at=e.at, note=e.note,
            ballot=BallotOut(meeting_id=ballot.meeting_id, held_on=ballot.meeting.held_on, group=ballot.get_group_display(),
                             eligible=ballot.eligible, yes=ballot.yes, no=ballot.no, abstain=ballot.abstain, yes_needed=ballot.yes_needed,
                             reached_two_thirds=ballot.reached_two_thirds, passed=ballot.passed, note=ballot.note) if ballot else None,
        ))
    return Status(200, ResultPage(items=items, next_cursor=next_cursor))


# ---- filings ------------------------------------------------------------------------------

class FilingRow(Schema):
    id: int
    committee: Named
    year: int
    filing_body: Named = Field(description="核准备案机关")
    status: Coded
    review_ended_on: dt.date
    due_on: dt.date = Field(description="应报备截止日期（评审结束后一个月，七（五）1）")
    submitted_on: dt.date
    late: bool
    document_number: str
    approved_on: dt.date | None
    return_reason: str


class FilingPage(Schema):
    items: list[FilingRow]
    next_cursor: str | None


class RosterOut(Schema):
    declaration_id: int
    name: str
    sex: str
    id_number: str = Field(description="身份证号码（如页面隐去中间各位）")
    unit: str
    series: str
    specialty: str
    title_name: str
    level: str


class FilingObjectionOut(Schema):
    name: str
    raised_on: str
    content: str
    status: str
    finding: str
    handled_on: str


class FilingOut(FilingRow):
    report: str
    roster: list[RosterOut] = Field(description="评审通过人员花名册")
    objections: list[FilingObjectionOut] = Field(description="结果公示期间的举报、异议及处理情况")


class FilingSubmitIn(Schema):
    year: int = Field(description="年度")
    report: str = Field("", max_length=20000, pattern=TEXT, description="核准备案报告（留空则按评审与公示情况自动生成）")


class FilingApproveIn(Schema):
    document_number: str = Field("", max_length=60, pattern=TEXT, description="核准备案文号（留空则由系统编号）")


class FilingReturnIn(Schema):
    reason: str = Field(max_length=200, pattern=TEXT)


def _filing_row(f: Filing) -> dict:
    return dict(id=f.pk, committee=named(f.committee), year=f.year, filing_body=named(f.filing_body),
                status=Coded(code=f.status, label=f.get_status_display()), review_ended_on=f.review_ended_on, due_on=f.due_on,
                submitted_on=f.submitted_on, late=f.late, document_number=f.document_number, approved_on=f.approved_on,
                return_reason=f.return_reason)


@router.get("/filings", response={200: FilingPage, **LIST_ERRORS}, url_name="filings", summary="核准备案批次（游标翻页）")
def list_filings(request, year: Year = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None):
    """评委会办事机构：本评委会报送的；人社局：报本局核准备案的；自治区人社厅和监督账户：全部。"""
    user = reading_user(request, Scope.READ_RESULTS)
    queryset = filing_service.filings_in_scope(user)
    if year is not None:
        queryset = queryset.filter(year=year)
    rows, next_cursor = page_after(queryset, cursor, limit, salt="filings")
    return Status(200, FilingPage(items=[FilingRow(**_filing_row(f)) for f in rows], next_cursor=next_cursor))


def _filing(user, filing_id: int) -> Filing:
    item = filing_service.filings_in_scope(user).filter(pk=filing_id).first()
    if item is None:
        raise not_found("核准备案批次")
    return item


def _filing_out(item: Filing) -> FilingOut:
    ids = sorted(item.entries.values_list("application_id", flat=True))  # roster_rows lists them in this order
    roster = [RosterOut(declaration_id=pk, name=row[1], sex=row[2], id_number=row[3], unit=row[4], series=row[5], specialty=row[6],
                        title_name=row[7], level=row[8]) for pk, row in zip(ids, roster_rows(item, masked=True))]
    objections = [FilingObjectionOut(name=row[1], raised_on=row[2], content=row[3], status=row[4], finding=row[5], handled_on=row[6])
                  for row in objection_rows(item)]
    return FilingOut(**_filing_row(item), report=item.report, roster=roster, objections=objections)


@router.get("/filings/{filing_id}", response={200: FilingOut}, url_name="filing", summary="核准备案批次详情：花名册与异议处理情况")
def filing_detail(request, filing_id: Id):
    return Status(200, _filing_out(_filing(reading_user(request, Scope.READ_RESULTS), filing_id)))


@router.post("/filings", response={201: list[FilingOut], **ACTING_ERRORS}, url_name="filings", summary="报送核准备案（评委会办事机构）")
def submit_filings(request, body: FilingSubmitIn):
    """本评委会该年度公示期满的评审结果，按核准备案机关各成一批报送（七（五）1、3）。"""
    user = acting_user(request)
    values = cleaned(FilingSubmitForm({"year": body.year, "report": body.report}))
    committee = getattr(user.organisation, "committee", None) if user.role == Role.COMMITTEE_OFFICE else None
    try:
        if committee is None:
            raise CertificateError(_("您的机构不是评委会办事机构。"))
        made = filing_service.submit_filings(committee=committee, year=values["year"], actor=user, report=values["report"])
    except CertificateError as exc:
        raise refusal(exc) from exc
    return Status(201, [_filing_out(f) for f in made])


@router.post("/filings/{filing_id}/approve", response={200: FilingOut, **ACTING_ERRORS}, url_name="filing_approve", summary="核准备案")
def approve_filing(request, filing_id: Id, body: FilingApproveIn):
    """核准备案机关核准：批次内每件申报经状态转换表的 file 转为“已核准备案”，全部或全不。不能撤回。"""
    user = acting_user(request)
    item = _filing(user, filing_id)
    values = cleaned(FilingApproveForm({"document_number": body.document_number}))
    try:
        filing_service.approve_filing(item, user, document_number=values["document_number"])
    except CertificateError as exc:  # a refused `file` step (TransitionError) is errors.install's 409
        raise refusal(exc) from exc
    return Status(200, _filing_out(_filing(user, filing_id)))


@router.post("/filings/{filing_id}/return", response={200: FilingOut, **ACTING_ERRORS}, url_name="filing_return", summary="退回核准备案")
def return_filing(request, filing_id: Id, body: FilingReturnIn):
    user = acting_user(request)
    item = _filing(user, filing_id)
    values = cleaned(ReturnForm({"reason": body.reason}))
    try:
        filing_service.return_filing(item, user, reason=values["reason"])
    except CertificateError as exc:
        raise refusal(exc) from exc
    return Status(200, _filing_out(_filing(user, filing_id)))


# ---- certificates --------------------------------------------------------------------------

class CertificateOut(Schema):
    id: int
    number: str
    kind: Coded
    declaration_id: int | None
    holder_name: str
    id_number: str = Field(description="身份证号码（如证书和核验页隐去中间各位）")
    series: str
    specialty: str
    title_name: str
    level: Coded
    committee: str
    approval_document_number: str
    approval_date: dt.date
    issuer: str
    issued_on: dt.date
    status: Coded
    revoked_on: dt.date | None
    revocation_reason: str


class CertificatePage(Schema):
    items: list[CertificateOut]
    next_cursor: str | None


class IssueIn(Schema):
    declaration_id: int = Field(ge=1, le=LARGEST_ID)


def _certificate(c: Certificate) -> CertificateOut:
    return CertificateOut(
        id=c.pk, number=c.number, kind=Coded(code=c.kind, label=c.get_kind_display()), declaration_id=c.application_id,
        holder_name=c.holder_name, id_number=mask_id_number(c.id_number), series=c.series_name, specialty=c.specialty,
        title_name=c.title_name, level=Coded(code=c.level, label=Level(c.level).label), committee=c.committee_name,
        approval_document_number=c.approval_document_number, approval_date=c.approval_date, issuer=c.issuer_name,
        issued_on=c.issued_on, status=Coded(code=c.status, label=c.get_status_display()), revoked_on=c.revoked_on,
        revocation_reason=c.revocation_reason,
    )


@router.get("/certificates", response={200: CertificatePage, **LIST_ERRORS}, url_name="certificates", summary="电子证书（游标翻页）")
def list_certificates(request, year: Annotated[int | None, Query(ge=1950, le=2100, description="发证年度")] = None,
                      limit: Limit = DEFAULT_PAGE, cursor: Cursor = None):
    """自治区人社厅和监督账户：全部；人社局：本局所发及本地区持证人的。"""
    user = reading_user(request, Scope.READ_RESULTS)
    queryset = certificates_for(user)
    if year is not None:
        queryset = queryset.filter(issued_on__year=year)
    rows, next_cursor = page_after(queryset, cursor, limit, salt="certificates")
    return Status(200, CertificatePage(items=[_certificate(c) for c in rows], next_cursor=next_cursor))


@router.get("/certificates/{certificate_id}", response={200: CertificateOut}, url_name="certificate", summary="电子证书详情")
def certificate_detail(request, certificate_id: Id):
    cert = certificates_for(reading_user(request, Scope.READ_RESULTS)).filter(pk=certificate_id).first()
    if cert is None:
        raise not_found("证书")
    return Status(200, _certificate(cert))


@router.post("/certificates", response={201: CertificateOut, **ACTING_ERRORS}, url_name="certificates", summary="制发电子证书")
def issue(request, body: IssueIn):
    """已核准备案的申报经状态转换表的 certify 制发电子证书（七（五）2），与档案页的“制发电子证书”相同。"""
    user = acting_user(request)
    app = scoped(user, body.declaration_id)
    transition(app, "certify", user)  # refused: TransitionError, errors.install's 409
    return Status(201, _certificate(Certificate.objects.get(application_id=app.pk)))  # issued by certify's effect
