"""Pages of the committee side. Thin: read the form, call the service, say what happened.

Every object is looked up through the role's scope (pool.experts_for, plans.plans_for,
drawing.draws_for, meeting.meetings_for, panels.assignments_for), so an object outside it is a 404.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import page, second_factor_required
from zhicheng.accounts.roles import Role
from zhicheng.core import clock, confirm, wording
from zhicheng.core.params import object_id
from zhicheng.declarations.states import State
from zhicheng.draw.model import CATEGORY_LABEL
from zhicheng.files.services import read_verified, store_upload
from zhicheng.web.feedback import attempt

from . import drawing, forms, meeting as meeting_service, minutes as minutes_service, otp, panels as panel_service
from . import plans as plan_service, pool as pool_service, recusal as recusal_service
from .models import (
    Assignment, CommitteeMember, DrawObjection, DrawStatus, Expert, ExpertDraw, ExpertRelation, GroupKind, Meeting, MeetingStatus,
    Minutes, Panel, PlanStatus, PoolFiling, ReviewPlan, VoteCast,
)

POOL_PAGE_SIZE = 100
NAMED = 30  # a confirmation names this many people, then counts the rest


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, _("%(label)s：%(error)s") % {"label": label, "error": error} if label else error)


def _attempt_form(request, form, action, success: str = "") -> bool:
    """`_attempt` with a bound form: a valid form's service call runs, an invalid form's errors show."""
    if not form.is_valid():
        _form_errors(request, form)
        return False
    return attempt(request, lambda: action(form.cleaned_data), success)


# ---- the second factor -----------------------------------------------------------------------

SECOND_FACTOR_FAILURES = "second_factor_failures"


@page("second_factor")
def second_factor(request):
    """Enrol (the QR code and secret until a first code confirms them) and pass the TOTP second factor."""
    if not second_factor_required(request.user):
        return redirect("dashboard")
    factor = otp.start_enrolment(request.user)
    form = forms.CodeForm(request.POST or None)
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        if otp.check(request.user, form.cleaned_data["code"]):
            request.session.pop(SECOND_FACTOR_FAILURES, None)
            otp.pass_in_session(request)
            return redirect(next_url or ("expert_tasks" if request.user.role == Role.EXPERT else "dashboard"))
        failures = request.session.get(SECOND_FACTOR_FAILURES, 0) + 1
        if failures >= settings.TOTP_FAILURE_LIMIT:
            # This session is done: the password again, which the login throttle counts too.
            logout(request)
            messages.error(request, _("动态口令错误次数过多，请重新登录。"))
            return redirect("login")
        request.session[SECOND_FACTOR_FAILURES] = failures
        if until := otp.locked_until(request.user):
            messages.error(request, _("动态口令连续错误次数过多，已暂时锁定，请于%(time)s后再试。")
                           % {"time": timezone.localtime(until).strftime("%H:%M")})
        else:
            messages.error(request, _("动态口令不正确或已使用过，请输入认证器上新的6位口令。"))
    enrolling = factor.confirmed_at is None
    uri = otp.provisioning_uri(factor) if enrolling else ""
    return render(request, "review/second_factor.html", {
        "form": form, "enrolling": enrolling, "qr": otp.qr_svg(uri) if enrolling else "", "secret": factor.secret if enrolling else "",
        "next": next_url, "is_expert": request.user.role == Role.EXPERT,
    })


# ---- the pool --------------------------------------------------------------------------------

@page("expert_pool")
def expert_pool(request):
    committees = pool_service.committees_for(request.user).order_by("name")
    experts = pool_service.experts_for(request.user)
    committee_id = request.GET.get("committee")
    if committee_pk := object_id(committee_id):
        experts = experts.filter(committees__pk=committee_pk)
    query = request.GET.get("q", "").strip()
    if query:
        experts = experts.filter(Q(person__name__contains=query) | Q(unit__name__contains=query))
    total = experts.count()
    rows = list(pool_service.experts_with_records().filter(pk__in=experts.values("pk")).order_by("person__name", "pk")[:POOL_PAGE_SIZE])
    today = clock.today()
    committee_list = list(committees)
    shown = {committee_pk} if committee_pk else {c.pk for c in committee_list}
    status = _draw_status(rows, shown, today)
    listing = [{
        "expert": e, "grassroots": pool_service.is_grassroots(e.unit), "private": pool_service.is_private_sector(e.unit),
        "region": pool_service.region_of(e.unit), "served": sorted({s.year for s in e.service_years.all()}), **status[e.pk],
    } for e in rows]
    return render(request, "review/expert_pool.html", {
        "rows": listing, "total": total, "committees": committee_list, "committee_id": committee_id, "q": query,
        "can_manage": pool_service.can_manage(request.user), "draw_year": today.year,
    })


def _draw_status(experts, shown: set[int], today) -> dict[int, dict]:
    """Per expert: whether this year's draw of their pools (those of ``shown``) may pick them, and why not, by the draw's
    own rule (pool.draw_exclusions); a committee is named only where the expert's pools differ."""
    pairs = [(e, c) for e in experts for c in e.committees.all() if c.pk in shown]
    per_expert: dict[int, list] = {}
    for (expert, committee), reasons in zip(pairs, pool_service.draw_exclusions(pairs, today.year, today)):
        per_expert.setdefault(expert.pk, []).append((committee, reasons))
    status = {}
    for expert in experts:
        pools = per_expert.get(expert.pk, [])
        if not pools:
            status[expert.pk] = {"drawable": False, "excluded": [_("不在任何评委库中")]}
            continue
        if len({reasons for _committee, reasons in pools}) == 1:
            excluded = [_(reason) for reason in pools[0][1]]
        else:
            excluded = [_("%(committee)s：%(reasons)s") % {"committee": committee.name, "reasons": "；".join(_(r) for r in reasons)}
                        for committee, reasons in pools if reasons]
        status[expert.pk] = {"drawable": any(not reasons for _committee, reasons in pools), "excluded": excluded}
    return status


def _expert_or_404(user, pk):
    return get_object_or_404(pool_service.experts_with_records().filter(pk__in=pool_service.experts_for(user).values("pk")), pk=pk)


@page("expert_detail")
def expert_detail(request, pk: int):
    return _expert_page(request, pk)


def _expert_page(request, pk: int, *, new_login: dict | None = None, **bound):
    """The expert's page, read afresh (a refused update may have touched the object in hand). A refused form comes back
    bound (what was typed, and why) in place of the page's fresh one, as _plan_page does; the forms are offered to the
    pool's keepers only. ``new_login``: the account just made, with its initial password, shown this once."""
    user = request.user
    expert = _expert_or_404(user, pk)
    can_manage = pool_service.can_manage(user)
    if bound and not can_manage:
        return redirect("expert_detail", pk=expert.pk)
    committees = pool_service.committees_for(user)
    today = clock.today()
    shown = set(committees.values_list("pk", flat=True))
    factor = otp.factor_of(expert.user) if expert.user_id else None
    context = {
        "expert": expert, "can_manage": can_manage,
        "grassroots": pool_service.is_grassroots(expert.unit), "private": pool_service.is_private_sector(expert.unit),
        "region": pool_service.region_of(expert.unit), "sanction_reasons": pool_service.sanction_reasons(expert, today),
        "relations": expert.relations.select_related("former_unit"), "service_years": expert.service_years.select_related("committee"),
        "sanctions": expert.sanctions.all(), "draw_year": today.year, **_draw_status([expert], shown, today)[expert.pk],
        "form": bound.get("form") or forms.ExpertForm(expert=expert, committees=committees, initial={
            "unit": expert.unit_id, "specialty": expert.specialty_id, "available": expert.available,
            "unavailable_reason": expert.unavailable_reason, "committees": list(expert.committees.all()),
        }),
        "relation_form": bound.get("relation_form") or forms.RelationForm(),
        "sanction_form": bound.get("sanction_form") or forms.SanctionForm(),
        "service_form": bound.get("service_form") or forms.ServiceYearForm(committees=committees),
        "can_create_login": can_manage and expert.user_id is None and pool_service.can_create_login(user, expert),
        "factor_confirmed": bool(factor and factor.confirmed_at), "new_login": new_login,
    }
    response = render(request, "review/expert_detail.html", context)
    if new_login:
        response["Cache-Control"] = "no-store"  # the initial password is in this page: no copy kept on the way
    return response


@page("expert_act")
@require_POST
def expert_act(request, pk: int):
    expert = _expert_or_404(request.user, pk)
    user, action = request.user, request.POST.get("action")
    committees = pool_service.committees_for(user)
    # A refused form comes back on the expert's page with what was typed (_expert_page); a step done redirects.
    if action == "update":
        form, left = forms.ExpertForm(request.POST, expert=expert, committees=committees), []
        if form.is_valid():
            # Taking the expert out of a pool asks once; out of all the office's pools, the office no longer sees them.
            left = pool_service.pools_left(expert, user, form.cleaned_data["committees"])
            if left and not confirm.confirmed(request):
                return confirm.ask(request, _leave_pool_question(expert, user, left, form.cleaned_data["committees"]))
        if not _attempt_form(request, form, lambda d: pool_service.update_expert(
                expert, user, unit=d["unit"], specialty=d["specialty"], available=d["available"],
                unavailable_reason=d["unavailable_reason"], committees=list(d["committees"])), "" if left else _("已保存。")):
            return _expert_page(request, expert.pk, form=form)
        if left:
            messages.success(request, _("已保存。%(name)s已移出评委库：%(pools)s。")
                             % {"name": expert.person.name, "pools": "、".join(c.name for c in left)})
            if not pool_service.experts_for(user).filter(pk=expert.pk).exists():
                return redirect("expert_pool")
    elif action == "relation_add":
        form = forms.RelationForm(request.POST)
        if not _attempt_form(request, form, lambda d: pool_service.add_relation(expert, user, **d), _("已登记回避关系。")):
            return _expert_page(request, expert.pk, relation_form=form)
    elif action == "relation_remove":
        relation = get_object_or_404(ExpertRelation, pk=object_id(request.POST.get("relation")) or 0, expert=expert)
        attempt(request, lambda: pool_service.remove_relation(relation, user), _("已删除。"))
    elif action == "sanction":
        form = forms.SanctionForm(request.POST)
        if not _attempt_form(request, form, lambda d: pool_service.add_sanction(expert, user, **d), _("已登记处理记录。")):
            return _expert_page(request, expert.pk, sanction_form=form)
    elif action == "service_year":
        form = forms.ServiceYearForm(request.POST, committees=committees)
        if not _attempt_form(request, form, lambda d: pool_service.add_service_year(expert, user, d["committee"], d["year"]),
                             _("已登记。")):
            return _expert_page(request, expert.pk, service_form=form)
    elif action == "login":
        if expert.user_id is None and pool_service.can_create_login(user, expert) and not confirm.confirmed(request):
            return confirm.ask(request, _login_question(expert))
        holder = {}
        if attempt(request, lambda: holder.update(login=pool_service.create_login(expert, user)),
                   _("已为%(name)s开通登录账号。") % {"name": expert.person.name}):
            account, password = holder["login"]
            # Shown in this answer only: the password is not kept anywhere to show again after a redirect.
            return _expert_page(request, expert.pk, new_login={"username": account.username, "password": password})
    return redirect("expert_detail", pk=expert.pk)


def _leave_pool_question(expert: Expert, user, left, chosen) -> confirm.Question:
    """Which pools the expert leaves, whether the office still sees them after, and what a seat this year keeps."""
    name = expert.person.name
    facts = [_("移出评委库：%(pools)s。") % {"pools": "、".join(c.name for c in left)}]
    after = [c for c in expert.committees.all() if c not in left] + [c for c in chosen if c not in expert.committees.all()]
    if user.role == Role.COMMITTEE_OFFICE and not any(c.office_id == user.organisation_id for c in after):
        facts.append(_("移出后%(name)s不在本机构的任何评委库中，评委库名单中不再显示，您也不能再打开其页面。") % {"name": name})
    sitting = CommitteeMember.objects.filter(expert=expert, active=True, draw__status=DrawStatus.DRAWN,
                                             draw__plan__committee__in=left).select_related("draw__plan__committee")
    for member in sitting:
        facts.append(_("%(name)s是%(committee)s %(year)d年的在任评委：移出评委库不影响本年度的席位；如需更换，请在抽选页面办理辞退并递补。")
                     % {"name": name, "committee": member.draw.plan.committee.name, "year": member.draw.plan.year})
    return confirm.Question(
        title=_("移出评委库"), subject=_("%(name)s（%(unit)s）") % {"name": name, "unit": expert.unit.name}, facts=facts,
        consequence=_("移出后该专家不再参加这些评委会以后的抽选；已公示的抽选按冻结的评委库进行，不受影响。移出记入审计日志；"
                      "如需重新入库，可通过Excel导入再次加入。"),
        button=_("确认移出评委库"), cancel_url=reverse("expert_detail", args=[expert.pk]),
    )


def _login_question(expert: Expert) -> confirm.Question:
    """The account is the expert's own: its password is shown once, their authenticator is enrolled by themselves."""
    return confirm.Question(
        title=_("开通登录账号"), subject=_("%(name)s（%(unit)s）") % {"name": expert.person.name, "unit": expert.unit.name},
        facts=[_("登录名：%(username)s") % {"username": pool_service.login_username(expert)},
               _("初始密码由系统随机生成，只在下一页显示一次，不保存、不记入日志。")],
        consequence=_("请将登录名和初始密码当面或密封交给专家本人。专家首次登录时须用手机上的认证器扫码绑定动态口令，"
                      "此后凭密码和动态口令登录、查看评审材料、提交评议意见和投票；开通记入审计日志。"),
        button=_("确认开通"), cancel_url=reverse("expert_detail", args=[expert.pk]),
    )


@page("expert_import")
def expert_import(request):
    if request.GET.get("template"):
        response = HttpResponse(pool_service.template_workbook(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="expert-pool-template.xlsx"'
        return response
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = pool_service.import_experts(form.cleaned_data["workbook"], request.user)
        if report.ok:
            messages.success(request, _("导入完成：新增%(c)d人，更新%(u)d人。") % {"c": report.created, "u": report.updated})
    return render(request, "review/expert_import.html", {"form": form, "report": report, "columns": pool_service.COLUMNS,
                                                          "required": pool_service.REQUIRED})


@page("pool_filings")
def pool_filings(request):
    return _pool_filings_page(request)


def _pool_filings_page(request, filing_form=None):
    """The filings; a refused filing comes back with its committee and year as chosen (``filing_form``, bound)."""
    committees = pool_service.committees_for(request.user)
    is_office = request.user.role == Role.COMMITTEE_OFFICE
    filings = (PoolFiling.objects.filter(committee__in=committees).select_related("committee", "filed_by", "acknowledged_by")
               .order_by("-filed_at")[:200])
    if is_office and filing_form is None:
        filing_form = forms.PoolFilingForm(committees=committees.order_by("name"), initial={"year": clock.today().year})
    return render(request, "review/pool_filings.html", {
        "filings": filings, "filing_form": filing_form if is_office else None,
        "is_office": is_office, "is_region": request.user.role == Role.REGIONAL_HR_DEPARTMENT,
    })


@page("pool_filing_act")
@require_POST
def pool_filing_act(request):
    user = request.user
    committees = pool_service.committees_for(user)
    if request.POST.get("action") == "acknowledge":
        filing = get_object_or_404(PoolFiling, pk=object_id(request.POST.get("filing")) or 0, committee__in=committees)
        if user.role == Role.REGIONAL_HR_DEPARTMENT and not filing.acknowledged_at and not confirm.confirmed(request):
            return confirm.ask(request, _acknowledge_question(filing))
        attempt(request, lambda: pool_service.acknowledge_filing(filing, user), _("已备案。"))
    else:
        form = forms.PoolFilingForm(request.POST, committees=committees.order_by("name"))
        if not _attempt_form(request, form, lambda d: pool_service.file_pool(d["committee"], d["year"], user), _("评委库已报送自治区人社厅。")):
            # The office's form comes back as chosen; a committee not among its own is nothing it chose there: back to the list.
            if user.role == Role.COMMITTEE_OFFICE and "committee" not in form.errors:
                return _pool_filings_page(request, filing_form=form)
    return redirect("pool_filings")


def _acknowledge_question(filing: PoolFiling) -> confirm.Question:
    experts = len(filing.snapshot or [])
    return confirm.Question(
        title=_("评委库备案"), subject=_("%(committee)s %(year)d年评委库") % {"committee": filing.committee.name, "year": filing.year},
        facts=[ngettext("报送专家%(n)d人。", "报送专家%(n)d人。", experts) % {"n": experts},
               _("报送：%(by)s，%(at)s；内容摘要 SHA-256 %(sha)s。") % {
                   "by": filing.filed_by, "at": timezone.localtime(filing.filed_at).strftime("%Y-%m-%d %H:%M"), "sha": filing.sha256}],
        consequence=_("备案记入审计日志，不能撤回；评委库如有变动，由办事机构重新报送。"),
        button=_("确认备案"), cancel_url=reverse("pool_filings"),
    )


# ---- review plans ----------------------------------------------------------------------------

@page("review_plans")
def review_plans(request):
    user = request.user
    committees = pool_service.committees_for(user)
    form = None
    if user.role == Role.COMMITTEE_OFFICE:
        form = forms.NewPlanForm(request.POST or None, committees=committees, initial={"year": clock.today().year})
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            committee, year = data.pop("committee"), data.pop("year")
            holder = {}
            if attempt(request, lambda: holder.update(plan=plan_service.create_plan(committee, year, user, **data)), _("已保存草稿。")):
                return redirect("review_plan_detail", pk=holder["plan"].pk)
    plans = plan_service.plans_for(user)
    if user.role != Role.COMMITTEE_OFFICE:
        # An office's draft is its own working copy: the department and the supervisor list what was filed (七（三））.
        plans = plans.exclude(status=PlanStatus.DRAFT)
    plans = plans.select_related("committee").order_by("-year", "committee__name")[:200]
    return render(request, "review/plan_list.html", {"plans": plans, "form": form})


def _plan_or_404(user, pk) -> ReviewPlan:
    return get_object_or_404(plan_service.plans_for(user).select_related("committee__office", "committee__series"), pk=pk)


@page("review_plan_detail")
def review_plan_detail(request, pk: int):
    return _plan_page(request, _plan_or_404(request.user, pk))


def _plan_page(request, plan: ReviewPlan, **bound):
    """The plan's page. A refused form comes back bound (what was typed, and why) in place of the page's fresh one, while
    the page offers that form to its reader; a form it does not offer them has nothing to keep: back to the page."""
    user = request.user
    is_office = plan_service.is_office_of(user, plan)
    is_region = user.role == Role.REGIONAL_HR_DEPARTMENT
    editable = is_office and plan.status in (PlanStatus.DRAFT, PlanStatus.REJECTED)
    draw = plan.draws.exclude(status=DrawStatus.CANCELLED).first()
    sitting = drawing.sitting_members(plan)
    apps = recusal_service.plan_applications(plan).select_related("series").order_by("pk")
    panels = plan.panels.prefetch_related("members__person")
    meeting = getattr(plan, "meeting", None)
    today = clock.today()
    # The region's steps, offered only where they can be taken; otherwise the page says why not.
    return_problem = plan_service.return_problem(plan) if is_region and plan.status in (PlanStatus.FILED, PlanStatus.APPROVED) else ""
    approval_problem = plan_service.approval_problem(plan, today) if is_region and plan.status == PlanStatus.FILED else ""
    drawable = plan.status in (PlanStatus.FILED, PlanStatus.APPROVED)
    offered = {
        "form": editable, "note_form": is_region and plan.status in (PlanStatus.FILED, PlanStatus.APPROVED) and not return_problem,
        "spec_form": is_office and draw is None and drawable,
        "panel_form": is_office and draw is not None and draw.status == DrawStatus.DRAWN,
        "assign_form": is_office and bool(panels), "meeting_form": is_office and meeting is None and bool(sitting),
    }
    if not all(offered[name] for name in bound):
        return redirect("review_plan_detail", pk=plan.pk)

    def form(name, fresh):
        return bound[name] if name in bound else fresh() if offered[name] else None

    assigned = dict(Assignment.objects.filter(plan=plan, panel__isnull=False).values_list("application_id", "panel__name").distinct())
    context = {
        "plan": plan, "is_office": is_office, "editable": editable, "is_region": is_region,
        "form": form("form", lambda: forms.PlanForm(instance=plan)), "file_form": forms.FileForm(),
        "note_form": form("note_form", forms.NoteForm),
        "roster": [(a, assigned.get(a.pk)) for a in apps], "draws": plan.draws.all(), "draw": draw,
        "spec_form": form("spec_form", lambda: forms.SpecForm(plan=plan, initial=dict(drawing.default_spec(plan)))),
        "panels": panels, "sitting": sitting,
        "panel_form": form("panel_form", lambda: forms.PanelForm(experts=_sitting_experts(plan))),
        "assign_form": form("assign_form", lambda: forms.AssignForm(panels=plan.panels.all(), applications=apps)),
        "meeting": meeting,
        "meeting_form": bound.get("meeting_form") or forms.MeetingForm(initial={"held_on": plan.review_starts_on, "place": plan.place}),
        "filing_problems": plan_service.filing_problems(plan, today) if editable else [],
        "lead_days": plan_service.FILING_LEAD_DAYS,
        "return_problem": return_problem, "approval_problem": approval_problem,
        "can_approve": is_region and plan.status == PlanStatus.FILED and not approval_problem,
        "can_delete": not plan_service.delete_problem(user, plan),
        "draw_waits": _("评审实施方案报备后方可抽选评委。") if is_office and draw is None and not drawable else "",
        "late_warning": plan_service.late_warning(plan),
    }
    return render(request, "review/plan_detail.html", context)


def _sitting_experts(plan):
    return Expert.objects.filter(pk__in=drawing.sitting_members(plan).values("expert_id")).select_related("person", "unit", "specialty")


@page("review_plan_act")
@require_POST
def review_plan_act(request, pk: int):
    user = request.user
    plan = _plan_or_404(user, pk)
    action = request.POST.get("action")
    # A refused form (invalid, or the service said no) comes back on the plan's page with what was typed (_plan_page);
    # a step done goes back to the page (POST/redirect/GET).
    if action == "save":
        form = forms.PlanForm(request.POST, instance=ReviewPlan.objects.get(pk=plan.pk))
        if not _attempt_form(request, form, lambda d: plan_service.save_plan(plan, user, **{n: d[n] for n in forms.PlanForm.Meta.fields}),
                             _("已保存。")):
            return _plan_page(request, plan, form=form)
    elif action == "delete":
        if not plan_service.delete_problem(user, plan) and not confirm.confirmed(request):
            return confirm.ask(request, _delete_question(plan))
        if attempt(request, lambda: plan_service.delete_plan(plan, user), _("评审实施方案草稿已删除。")):
            return redirect("review_plans")
    elif action == "attach":
        _attempt_form(request, forms.FileForm(request.POST, request.FILES),
                      lambda d: plan_service.add_attachment(plan, user, store_upload(d["file"], user)), _("已添加附件。"))
    elif action == "file":
        # Asked only where the filing would go through; otherwise the service says what is missing.
        if (plan_service.is_office_of(user, plan) and plan.status in (PlanStatus.DRAFT, PlanStatus.REJECTED)
                and not plan_service.filing_problems(plan, clock.today()) and not confirm.confirmed(request)):
            return confirm.ask(request, _file_question(plan))
        attempt(request, lambda: plan_service.file_plan(plan, user), _("评审实施方案已报备自治区人社厅。"))
    elif action == "approve":
        if (user.role == Role.REGIONAL_HR_DEPARTMENT and not plan_service.approval_problem(plan, clock.today())
                and not confirm.confirmed(request)):
            return confirm.ask(request, _approve_question(plan))
        attempt(request, lambda: plan_service.approve_plan(plan, user), _("已备案同意。"))
    elif action == "return":
        note = request.POST.get("note", "")
        if (user.role == Role.REGIONAL_HR_DEPARTMENT and note.strip() and not plan_service.return_problem(plan)
                and not confirm.confirmed(request)):
            return confirm.ask(request, _return_question(plan, note.strip()))
        if not attempt(request, lambda: plan_service.return_plan(plan, user, note), _("已退回。")):
            # The service says what is wrong with the note; the form only shows it again.
            return _plan_page(request, plan, note_form=forms.NoteForm(initial={"note": note}))
    elif action == "open_review":
        if plan_service.is_office_of(user, plan) and not confirm.confirmed(request):
            if not plan_service.declarations_of(plan).filter(state=State.ACCEPTED).exists():
                messages.error(request, plan_service.NONE_ACCEPTED)  # nothing to ask about
                return redirect("review_plan_detail", pk=plan.pk)
            return confirm.ask(request, _open_review_question(plan))
        holder = {}
        if attempt(request, lambda: holder.update(outcome=plan_service.open_review(plan, user))):
            opened, refused = holder["outcome"]
            messages.success(request, ngettext("%(n)d份申报进入评审。", "%(n)d份申报进入评审。", len(opened)) % {"n": len(opened)})
            for app_id, reason in refused.items():
                messages.error(request, _("申报%(id)d：%(reason)s") % {"id": app_id, "reason": reason})
    elif action == "draw":
        form, holder = forms.SpecForm(request.POST, plan=plan), {}
        if _attempt_form(request, form, lambda d: holder.update(
                draw=drawing.start_draw(plan, user, form.spec(drawing.default_spec(plan)), d["public_source"])),
                _("抽选参数已确定，请办事机构和纪检监察机构提交承诺值。")):
            return redirect("draw_detail", pk=holder["draw"].pk)
        return _plan_page(request, plan, spec_form=form)
    elif action == "panel":
        form = forms.PanelForm(request.POST, experts=_sitting_experts(plan))
        if not _attempt_form(request, form, lambda d: panel_service.create_panel(plan, user, d["name"], d["members"]), _("评议组已组建。")):
            return _plan_page(request, plan, panel_form=form)
    elif action == "assign":
        form = forms.AssignForm(request.POST, panels=plan.panels.all(), applications=recusal_service.plan_applications(plan))
        if not _attempt_form(request, form, lambda d: panel_service.assign(d["panel"], user, d["applications"]),
                             _("评审材料已分配；有利害关系的评委已回避。")):
            return _plan_page(request, plan, assign_form=form)
    elif action == "meeting":
        form, holder = forms.MeetingForm(request.POST), {}
        if _attempt_form(request, form, lambda d: holder.update(meeting=meeting_service.schedule(plan, user, **d)), _("已安排评审会议。")):
            return redirect("meeting_detail", pk=holder["meeting"].pk)
        return _plan_page(request, plan, meeting_form=form)
    return redirect("review_plan_detail", pk=plan.pk)


def _open_review_question(plan: ReviewPlan) -> confirm.Question:
    """The declarations accepted now enter the review, where their applicants can no longer withdraw them."""
    accepted = plan_service.declarations_of(plan).filter(state=State.ACCEPTED)
    n = accepted.count()
    names = list(accepted.order_by("pk").values_list("person__name", flat=True)[:NAMED])
    named = "、".join(names) + (_("等%(n)d人") % {"n": n} if n > NAMED else "")
    return confirm.Question(
        title=_("已受理的申报开始评审"), subject=_("%(committee)s %(year)d年评审实施方案") % {"committee": plan.committee.name, "year": plan.year},
        facts=[ngettext("已受理%(n)d份申报：%(names)s。", "已受理%(n)d份申报：%(names)s。", n) % {"n": n, "names": named or "—"}],
        consequence=_("开始评审后申报进入“评审中”，不能退回受理前的环节，申报人也不能再撤回；不能开始评审的申报会逐一说明原因。"),
        button=_("确认开始评审"), cancel_url=reverse("review_plan_detail", args=[plan.pk]),
    )


def _plan_subject(plan: ReviewPlan) -> str:
    return _("%(committee)s %(year)d年评审实施方案") % {"committee": plan.committee.name, "year": plan.year}


def _content_facts(content: dict) -> list[str]:
    """What a filing holds (plans.filed_content, as stored): the dates, the place, the roster, the attachments."""
    roster, attachments = content.get("roster") or [], content.get("attachments") or []
    return [
        _("评审时间：%(start)s至%(end)s；评审地点：%(place)s。") % {
            "start": content.get("review_starts_on"), "end": content.get("review_ends_on"), "place": content.get("place") or "—"},
        ngettext("申报人员花名册%(n)d人。", "申报人员花名册%(n)d人。", len(roster)) % {"n": len(roster)},
        ngettext("附件%(n)d份：%(names)s。", "附件%(n)d份：%(names)s。", len(attachments)) % {
            "n": len(attachments), "names": "、".join(name for name, _sha in attachments) or "—"},
    ]


def _late_words(plan: ReviewPlan) -> str:
    """The review ends after the year's deadline: say so, with the written explanation the office filed (if any)."""
    late = plan_service.late_warning(plan)
    if not late:
        return ""
    explanation = plan_service.late_explanation(plan)
    if explanation is None:
        return late + _("本评委会尚未报送书面说明（七（四）3）。")
    return late + _("本评委会已于%(on)s报送书面说明（%(decision)s）。") % {
        "on": timezone.localtime(explanation.filed_at).strftime("%Y-%m-%d"), "decision": _(explanation.get_decision_display())}


def _file_question(plan: ReviewPlan) -> confirm.Question:
    """Filing fixes the plan's text, roster and attachments: say what goes to the department."""
    return confirm.Question(
        title=_("报备评审实施方案"), subject=_plan_subject(plan),
        facts=_content_facts(plan_service.content_to_file(plan)), warning=_late_words(plan),
        consequence=_("报备后方案内容、申报人员花名册和附件即固定并记录内容摘要，不能再修改；经自治区人社厅备案同意后方可开展评审"
                      "（七（三））；如需调整，须由自治区人社厅退回。"),
        button=_("确认报备"), cancel_url=reverse("review_plan_detail", args=[plan.pk]),
    )


def _delete_question(plan: ReviewPlan) -> confirm.Question:
    """Deleting a draft takes its text and its attachments with it: name them."""
    names = [f.original_name for f in plan.attachments.all()]
    return confirm.Question(
        title=_("删除评审实施方案草稿"), subject=_plan_subject(plan),
        facts=[_("评审时间：%(start)s至%(end)s；评审地点：%(place)s。") % {
                   "start": plan.review_starts_on, "end": plan.review_ends_on, "place": plan.place or "—"},
               ngettext("附件%(n)d个：%(names)s。", "附件%(n)d个：%(names)s。", len(names)) % {"n": len(names), "names": "、".join(names) or "—"}],
        consequence=_("删除后方案内容和附件一并删除，不能恢复；删除记入审计日志。删除后可重新新建本年度的评审实施方案。"),
        button=_("确认删除"), cancel_url=reverse("review_plan_detail", args=[plan.pk]),
    )


def _approve_question(plan: ReviewPlan) -> confirm.Question:
    """The department agrees to what was filed: say what that is, and what was filed with it missing."""
    content = plan.filed_snapshot or plan_service.content_to_file(plan)
    facts = [_("报备：%(by)s，%(on)s；报备内容摘要 SHA-256 %(sha)s。") % {
        "by": plan.filed_by or "—", "on": plan.filed_on or "—", "sha": plan.filed_sha256 or "—"}, *_content_facts(content)]
    missing = []
    if not content.get("roster"):
        missing.append(_("报备的申报人员花名册为空（七（三））。"))
    if not content.get("attachments"):
        missing.append(_("报备时未附送审表等附件（七（三））。"))
    return confirm.Question(
        title=_("评审实施方案备案同意"), subject=_plan_subject(plan), facts=facts,
        warning=" ".join(filter(None, [_late_words(plan), *missing])),
        consequence=_("备案同意后办事机构即可按方案开展评审工作（七（三））；评审开始后方案不能再退回。备案同意记入审计日志。"),
        button=_("确认备案同意"), cancel_url=reverse("review_plan_detail", args=[plan.pk]),
    )


def _return_question(plan: ReviewPlan, note: str) -> confirm.Question:
    facts = [_("退回意见：%(note)s") % {"note": note}]
    if plan.status == PlanStatus.APPROVED:
        facts.append(_("该方案已于%(on)s备案同意，退回后备案同意失效。") % {"on": plan.approved_on or "—"})
    return confirm.Question(
        title=_("退回评审实施方案"), subject=_plan_subject(plan), facts=facts,
        consequence=_("退回后方案回到办事机构修改，须重新报备并经备案同意后方可开展评审；退回意见记入审计日志。"),
        button=_("确认退回"), cancel_url=reverse("review_plan_detail", args=[plan.pk]),
    )


# ---- the draw --------------------------------------------------------------------------------

def _draw_or_404(user, pk) -> ExpertDraw:
    return get_object_or_404(drawing.draws_for(user).select_related("plan__committee__office"), pk=pk)


@page("draw_detail")
def draw_detail(request, pk: int):
    return _draw_page(request, _draw_or_404(request.user, pk))


def _draw_page(request, draw: ExpertDraw, **bound):
    """The draw's page. Each step is offered only where it can be taken now, and otherwise the page says what it waits
    for. A refused form comes back bound (what was typed, and why) while the page offers it, as _plan_page does:
    ``commit_form``, ``reveal_form``, ``publish_form``, ``public_form``, ``cancel_form``, ``handle_form`` (one objection's)
    and ``decline`` (the member and the reason typed); a form it does not offer has nothing to keep: back to the page."""
    user = request.user
    party = drawing.party_of(user, draw)
    is_office = party == "office"
    today = clock.today()
    my_reveal = getattr(draw, f"{party}_reveal", "") if party else ""
    published, committing = draw.status == DrawStatus.PUBLISHED, draw.status == DrawStatus.COMMITTING
    after_objections = published and today > draw.objections_until
    missing = drawing.missing_commitments(draw) if committing else []
    all_objections = list(draw.objections.all())
    open_objections = {o.pk for o in all_objections if not o.handled_at}
    handle_id = object_id(bound["handle_form"].data.get("objection")) if "handle_form" in bound else None
    decline_id = bound["decline"][0] if "decline" in bound else None
    # Once the meeting votes, the committee is fixed: no decline, no cancellation (drawing.decline, drawing.cancel).
    ballot_opened = draw.status != DrawStatus.CANCELLED and Meeting.ballot_opened_for(draw.plan_id)
    offered = {
        "commit_form": bool(party) and committing,
        "reveal_form": bool(party) and after_objections and not my_reveal,
        "publish_form": is_office and committing and not missing,
        "public_form": is_office and after_objections and bool(draw.public_source) and draw.public_values is None,
        "cancel_form": is_office and draw.status != DrawStatus.CANCELLED and not ballot_opened,
        "handle_form": is_office and handle_id in open_objections,
        "decline": is_office and draw.status == DrawStatus.DRAWN and not ballot_opened and decline_id is not None
        and draw.members.filter(pk=decline_id, active=True).exists(),
    }
    if not all(offered[name] for name in bound):
        return redirect("draw_detail", pk=draw.pk)

    def form(name, fresh):
        return bound[name] if name in bound else fresh() if offered[name] else None

    perform_waits = drawing.perform_problems(draw, today) if is_office and published else []
    waits = []
    if is_office and missing:
        waits.append(_("公示前须收到%(parties)s的承诺值。") % {"parties": wording.enumeration(missing)})
    if party and published and not after_objections:
        waits.append(_("专家库公示异议期至%(date)s，期满后方可揭示。") % {"date": wording.long_date(draw.objections_until)})
    rehearsal = drawing.rehearse(draw) if request.GET.get("rehearse") and draw.status == DrawStatus.COMMITTING else None
    verification = None
    if request.GET.get("verify") and draw.record:
        verification = drawing.verify_stored(draw)
    members = draw.members.select_related("expert__person", "expert__unit").order_by("-active", "expert__person__name")
    names = {entry["id"]: entry["name"] for entry in draw.pool or []}
    # A reserve seated by a decline (or seated, then declined) is no longer waiting: only the rest are listed.
    seated = {m.expert.draw_id for m in members}
    reserves = [{**group, "reserve_names": [names.get(i, i) for i in group["reserves"] if i not in seated]}
                for group in (draw.record or {}).get("result", {}).get("reserves", [])]
    quota_lines = [_quota_line(category, value, bounds)
                   for category, values in sorted(draw.spec.get("quotas", {}).items()) for value, bounds in sorted(values.items())]
    # Each objection not yet handled has its own form (its own hidden id), the one refused comes back as typed.
    objections = [(o, (bound["handle_form"] if o.pk == handle_id else forms.HandleObjectionForm.for_objection(o.pk))
                   if is_office and o.pk in open_objections else None) for o in all_objections]
    return render(request, "review/draw_detail.html", {
        "draw": draw, "quota_lines": quota_lines, "plan": draw.plan, "party": party, "is_office": is_office, "today": today,
        "commit_form": form("commit_form", forms.CommitForm), "reveal_form": form("reveal_form", forms.RevealForm),
        "publish_form": form("publish_form", forms.PublishForm), "public_form": form("public_form", forms.PublicResultForm),
        "cancel_form": form("cancel_form", forms.CancelForm),
        "decline_member": decline_id, "decline_reason": bound["decline"][1] if "decline" in bound else "",
        "can_perform": is_office and published and not perform_waits, "perform_waits": perform_waits, "waits": waits,
        "ballot_opened": ballot_opened,
        "rehearsal": rehearsal, "verification": verification, "members": members, "reserves": reserves,
        "objections": objections, "excluded": (draw.publication or {}).get("excluded", {}), "names": names,
        "my_reveal": my_reveal,
    })


def _quota_line(category: str, value: str, bounds: dict) -> str:
    """One quota of the draw's parameters, as zhicheng.draw.model.describe_value words it, in the reader's language."""
    label = _(CATEGORY_LABEL.get(category, category))
    if value in ("true", "false"):
        what = label if value == "true" else _("非%(label)s") % {"label": label}
    else:
        what = _("%(label)s“%(value)s”") % {"label": label, "value": value}
    low, high = bounds.get("min"), bounds.get("max")
    if low and high is not None:
        return _("%(what)s至少%(min)d人至多%(max)d人") % {"what": what, "min": low, "max": high}
    if low:
        return _("%(what)s至少%(min)d人") % {"what": what, "min": low}
    if high is not None:
        return _("%(what)s至多%(max)d人") % {"what": what, "max": high}
    return what


def _handle_draw_objection(draw, user, data):
    objection = get_object_or_404(DrawObjection, pk=data["objection"], draw=draw)
    drawing.handle_objection(objection, user, upheld=data["upheld"], finding=data["finding"])


# The draw's steps that take a form: the form (from the POST), the service call, the message on success, and the name
# under which a refused form comes back on the draw's page (_draw_page).
DRAW_FORM_STEPS = {
    "commit": (forms.CommitForm, lambda draw, user, data: drawing.commit(draw, user, data["value"]), gettext_lazy("承诺值已提交。"),
               "commit_form"),
    "publish": (forms.PublishForm, lambda draw, user, data: drawing.publish(draw, user, data["objection_days"]), gettext_lazy("抽选方案已公示。"),
                "publish_form"),
    "reveal": (forms.RevealForm, lambda draw, user, data: drawing.reveal(draw, user, data["secret"]), gettext_lazy("秘密值已揭示并与承诺值核对一致。"),
               "reveal_form"),
    "public_result": (forms.PublicResultForm, lambda draw, user, data: drawing.enter_public_result(draw, user, data["values"]),
                      gettext_lazy("已录入开奖结果。"), "public_form"),
    "objection": (lambda data: forms.HandleObjectionForm.for_objection(object_id(data.get("objection")) or 0, data),
                  _handle_draw_objection, gettext_lazy("异议已处理。"), "handle_form"),
}


@page("draw_act")
@require_POST
def draw_act(request, pk: int):
    user = request.user
    draw = _draw_or_404(user, pk)
    action = request.POST.get("action")
    office = drawing.party_of(user, draw) == "office"
    # A refused form comes back on the draw's page with what was typed (_draw_page); a step done redirects.
    if action == "publish" and not confirm.confirmed(request):
        form = forms.PublishForm(request.POST)
        # Asked only for a period that can be published: the service says why another cannot.
        if draw.status == DrawStatus.COMMITTING and office and not drawing.missing_commitments(draw) and form.is_valid():
            try:
                until = drawing.objections_end(clock.today(), form.cleaned_data["objection_days"])
            except drawing.DrawError:
                until = None
            if until:
                return confirm.ask(request, _publish_question(draw, form.cleaned_data["objection_days"], until))
    if action in DRAW_FORM_STEPS:
        make_form, step, done, name = DRAW_FORM_STEPS[action]
        form = make_form(request.POST)
        if not _attempt_form(request, form, lambda d: step(draw, user, d), done):
            return _draw_page(request, draw, **{name: form})
    elif action == "perform":
        if (draw.status == DrawStatus.PUBLISHED and office and not drawing.perform_problems(draw, clock.today())
                and not confirm.confirmed(request)):
            return confirm.ask(request, _perform_question(draw))
        attempt(request, lambda: drawing.perform(draw, user), _("抽选完成，抽选记录已保存。"))
    elif action in ("decline", "chair"):
        member = get_object_or_404(CommitteeMember.objects.select_related("expert__person", "expert__unit"),
                                   pk=object_id(request.POST.get("member")) or 0, draw=draw)
        # Asked only where the step would run; otherwise the service says why it does not.
        askable = (draw.status == DrawStatus.DRAWN and office and member.active and not confirm.confirmed(request))
        if action == "chair":
            if askable and not member.is_chair:
                return confirm.ask(request, _chair_question(draw, member))
            attempt(request, lambda: drawing.set_chair(member, user), _("已确定主任委员。"))
        else:
            reason = request.POST.get("reason", "").strip()
            if askable and reason and not Meeting.ballot_opened_for(draw.plan_id):
                return confirm.ask(request, _decline_question(draw, member, reason))
            holder = {}
            if not attempt(request, lambda: holder.update(successor=drawing.decline(member, user, reason))):
                return _draw_page(request, draw, decline=(member.pk, request.POST.get("reason", "")))
            successor = holder["successor"]
            if successor is None:
                messages.success(request, _("已辞退%(declined)s；没有符合条件的候补，座位空缺，需重新抽选。")
                                 % {"declined": member.expert.person.name})
            else:
                messages.success(request, _("已辞退%(declined)s，由%(successor)s递补。")
                                 % {"declined": member.expert.person.name, "successor": successor.expert.person.name})
    elif action == "cancel":
        form = forms.CancelForm(request.POST)
        if (form.is_valid() and draw.status != DrawStatus.CANCELLED and office and not Meeting.ballot_opened_for(draw.plan_id)
                and not confirm.confirmed(request)):
            return confirm.ask(request, _cancel_question(draw, form.cleaned_data["reason"]))
        if not _attempt_form(request, form, lambda d: drawing.cancel(draw, user, d["reason"]), _("抽选已作废。")):
            return _draw_page(request, draw, cancel_form=form)
    return redirect("draw_detail", pk=draw.pk)


def _draw_subject(draw: ExpertDraw) -> str:
    return _("%(committee)s %(year)d年评委抽选") % {"committee": draw.plan.committee.name, "year": draw.plan.year}


def _publish_question(draw: ExpertDraw, objection_days: int, until) -> confirm.Question:
    return confirm.Question(
        title=_("冻结评委库并公示"), subject=_draw_subject(draw),
        facts=[_("冻结本评委会专家库%(pool)d人，公示抽选方案（评委会%(size)d人）和双方的承诺值。") % {
                   "pool": pool_service.pool_of(draw.plan.committee).count(), "size": draw.spec.get("size", 0)},
               _("异议期%(days)d个工作日，自今天起。") % {"days": objection_days},
               _("异议截止%(date)s，期满后双方揭示秘密值，方可抽选。") % {"date": wording.long_date(until)}],
        warning=_("异议截止日期不早于评审开始日期%(date)s：评委不能在评审开始前抽定。") % {
            "date": wording.long_date(draw.plan.review_starts_on)} if until >= draw.plan.review_starts_on else "",
        consequence=_("公示后专家库、抽选参数和承诺值都不能再改，抽选结果由公示的方案和双方揭示的秘密值决定；"
                      "公示不能撤回，如需改动只能作废本次抽选。"),
        button=_("确认冻结并公示"), cancel_url=reverse("draw_detail", args=[draw.pk]),
    )


def _perform_question(draw: ExpertDraw) -> confirm.Question:
    return confirm.Question(
        title=_("执行抽选"), subject=_draw_subject(draw),
        facts=[_("从已公示的专家库%(pool)d人中抽选评委会%(size)d人，并按类别确定候补顺序。") % {
            "pool": len(draw.pool or []), "size": draw.spec.get("size", 0)}],
        consequence=_("抽选按已公示的方案和双方揭示的秘密值进行，结果立即生效并保存抽选记录，不能重抽；"
                      "如需重新抽选，只能作废本次抽选并写明原因。"),
        button=_("确认执行抽选"), cancel_url=reverse("draw_detail", args=[draw.pk]),
    )


def _decline_question(draw: ExpertDraw, member: CommitteeMember, reason: str) -> confirm.Question:
    """Who leaves, why, who is seated instead, and what the member leaves: panels, dossiers, attendance."""
    expert = member.expert
    name = expert.person.name
    successor = drawing.successor_of(member)
    facts = [_("辞退评委：%(name)s（%(unit)s）") % {"name": name, "unit": expert.unit.name},
             _("辞退原因：%(reason)s") % {"reason": reason}]
    if successor is None:
        facts.append(_("递补：候补已用尽，没有符合条件的候补，座位将空缺，需重新抽选。"))
    else:
        facts.append(_("递补：%(name)s（按候补顺序）") % {"name": successor.person.name})
    if member.is_chair:
        facts.append(_("%(name)s是主任委员，辞退后须重新确定主任委员。") % {"name": name})
    # Counted apart from the filter on the member, or the count would see only them.
    panels = list(Panel.objects.filter(pk__in=draw.plan.panels.filter(members=expert).values("pk"))
                  .annotate(n=Count("members")).order_by("pk"))
    for panel in panels:
        facts.append(_("退出评议组“%(panel)s”，该组余下%(n)d人。") % {"panel": panel.name, "n": panel.n - 1})
    assigned = Assignment.objects.filter(plan=draw.plan, expert=expert)
    n, written = assigned.count(), assigned.filter(opinion__isnull=False).count()
    if n:
        facts.append(ngettext("分配给%(name)s的评审材料%(n)d份（已提交评议意见%(written)d份）不再向其开放；已提交的意见保留在记录中。",
                              "分配给%(name)s的评审材料%(n)d份（已提交评议意见%(written)d份）不再向其开放；已提交的意见保留在记录中。", n)
                     % {"name": name, "n": n, "written": written})
    short = [p.name for p in panels if p.n - 1 < Panel.MIN_MEMBERS]
    return confirm.Question(
        title=_("辞退并递补"), subject=_draw_subject(draw), facts=facts,
        warning=_("评议组%(panels)s将不足%(n)d人。") % {"panels": "、".join(f"“{p}”" for p in short), "n": Panel.MIN_MEMBERS} if short else "",
        consequence=_("辞退不能撤销：%(name)s立即失去本年度评审的全部权限（评审任务、申报材料、评议意见和投票），退出所在评议组和会议出席名单；"
                      "递补评委只接任评委会席位，不自动加入评议组。") % {"name": name},
        button=_("确认辞退并递补"), cancel_url=reverse("draw_detail", args=[draw.pk]),
    )


def _chair_question(draw: ExpertDraw, member: CommitteeMember) -> confirm.Question:
    """The chair presides over the meeting and signs its minutes: name who, and who stops being chair."""
    current = draw.members.filter(active=True, is_chair=True).select_related("expert__person").first()
    facts = [_("主任委员：%(name)s（%(unit)s）") % {"name": member.expert.person.name, "unit": member.expert.unit.name}]
    facts.append(_("现任主任委员%(name)s将不再担任。") % {"name": current.expert.person.name} if current
                 else _("本年度评委会尚未确定主任委员。"))
    return confirm.Question(
        title=_("设为主任委员"), subject=_draw_subject(draw), facts=facts,
        consequence=_("主任委员须出席并主持评审会议、签署会议纪要；确定后记入审计日志，如需更换，须另行确定。"),
        button=_("确认设为主任委员"), cancel_url=reverse("draw_detail", args=[draw.pk]),
    )


def _cancel_question(draw: ExpertDraw, reason: str) -> confirm.Question:
    members = draw.members.filter(active=True).count()
    return confirm.Question(
        title=_("作废本次抽选"), subject=_draw_subject(draw),
        facts=[_("作废原因：%(reason)s") % {"reason": reason},
               ngettext("已抽中的在任评委%(n)d人将全部失效。", "已抽中的在任评委%(n)d人将全部失效。", members) % {"n": members}],
        consequence=_("作废不能恢复：本次抽选的承诺值、公示和抽选结果都不再有效，须重新确定抽选参数、提交承诺值、公示后再抽选。"),
        button=_("确认作废"), cancel_url=reverse("draw_detail", args=[draw.pk]),
    )


@page("draw_record")
def draw_record(request, pk: int):
    draw = _draw_or_404(request.user, pk)
    if draw.record is None:
        raise Http404("该抽选尚未完成。")
    response = HttpResponse(json.dumps(draw.record, ensure_ascii=False, indent=2) + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-record-{draw.pk}.json"'
    return response


@page("public_draws")
def public_draws(request):
    draws = (ExpertDraw.objects.filter(status__in=(DrawStatus.PUBLISHED, DrawStatus.DRAWN, DrawStatus.CANCELLED), published_at__isnull=False)
             .select_related("plan__committee").order_by("-published_at")[:100])
    return render(request, "review/public_draws.html", {"draws": draws, "today": clock.today()})


@page("public_draw_detail")
def public_draw_detail(request, pk: int):
    draw = get_object_or_404(ExpertDraw.objects.select_related("plan__committee"), pk=pk, published_at__isnull=False)
    form = forms.ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drawing.object_to(draw, **form.cleaned_data)
        except drawing.DrawError as exc:
            # What the objection lacks goes next to its box (as on a results publicity's page); the rest above the form.
            for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("异议已收到，办事机构将核实处理。"))
            return redirect("public_draw_detail", pk=draw.pk)
    notice = draw.publication or {}
    return render(request, "review/public_draw_detail.html", {
        "draw": draw, "form": form, "notice": notice, "today": clock.today(),
        "open_for_objections": drawing.objections_open(draw, clock.today()),
        "seed": (draw.record or {}).get("seed"), "result": (draw.record or {}).get("result"),
    })


# ---- the meeting -----------------------------------------------------------------------------

def _meeting_or_404(user, pk) -> Meeting:
    return get_object_or_404(meeting_service.meetings_for(user).select_related("plan__committee__office"), pk=pk)


def _minutes_or_404(user, pk) -> Minutes:
    minutes = getattr(_meeting_or_404(user, pk), "minutes", None)
    if minutes is None:
        raise Http404("会议纪要尚未生成。")
    return minutes


@page("meeting_detail")
def meeting_detail(request, pk: int):
    return _meeting_page(request, _meeting_or_404(request.user, pk))


def _meeting_page(request, meeting: Meeting, **bound):
    """The meeting's page; a refused attendance or groups form comes back bound while the page offers it (as _plan_page)."""
    user = request.user
    plan = meeting.plan
    is_office = plan_service.is_office_of(user, plan)
    # The template offers both forms to the office while the meeting is scheduled.
    if bound and not (is_office and meeting.status == MeetingStatus.SCHEDULED):
        return redirect("meeting_detail", pk=meeting.pk)
    draw = drawing.current_draw(plan)
    size = draw.spec["size"] if draw else 0
    present = meeting_service.present_experts(meeting)
    rates = dict(meeting.groups.values_list("kind", "pass_rate"))
    voters = VoteCast.objects.filter(meeting=meeting).values("expert").distinct().count()
    return render(request, "review/meeting_detail.html", {
        "meeting": meeting, "plan": plan, "is_office": is_office, "size": size, "present": present, "quorum": meeting_service.quorum(size),
        "has_quorum": meeting_service.has_quorum(len(present), size),
        "attendance_form": bound.get("attendance_form")
        or forms.AttendanceForm(experts=_sitting_experts(plan), initial={"present": [e.pk for e in present]}),
        "groups_form": bound.get("groups_form")
        or forms.GroupsForm(initial={"general": rates.get(GroupKind.GENERAL, 100), "grassroots": rates.get(GroupKind.GRASSROOTS),
                                     "private_sector": rates.get(GroupKind.PRIVATE_SECTOR)}),
        "rates": sorted(rates.items()), "group_labels": dict(GroupKind.choices),
        "problems": meeting_service.opening_problems(meeting) if meeting.status == MeetingStatus.SCHEDULED and draw else [],
        "voters": voters, "results": [(r, meeting_service.not_voted(r))
                                      for r in meeting.results.select_related("application__person", "application__unit")],
        "minutes": getattr(meeting, "minutes", None),
    })


@page("meeting_act")
@require_POST
def meeting_act(request, pk: int):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    action = request.POST.get("action")
    # A refused form comes back on the meeting's page with what was typed (_meeting_page); a step done redirects.
    if action == "attendance":
        form = forms.AttendanceForm(request.POST, experts=_sitting_experts(meeting.plan))
        if not _attempt_form(request, form, lambda d: meeting_service.record_attendance(meeting, user, [e.pk for e in d["present"]]),
                             _("出席情况已登记。")):
            return _meeting_page(request, meeting, attendance_form=form)
    elif action == "groups":
        form = forms.GroupsForm(request.POST)
        if not _attempt_form(request, form, lambda d: meeting_service.configure_groups(meeting, user, form.rates()), _("分组和通过率已设置。")):
            return _meeting_page(request, meeting, groups_form=form)
    elif action == "open":
        if (meeting.status == MeetingStatus.SCHEDULED and plan_service.is_office_of(user, meeting.plan)
                and not meeting_service.opening_problems(meeting) and not confirm.confirmed(request)):
            return confirm.ask(request, _open_question(meeting))
        attempt(request, lambda: meeting_service.open_ballot(meeting, user), _("无记名投票开始。"))
    elif action == "close":
        if meeting.status == MeetingStatus.VOTING and plan_service.is_office_of(user, meeting.plan) and not confirm.confirmed(request):
            return confirm.ask(request, _close_question(meeting))
        attempt(request, lambda: meeting_service.close_ballot(meeting, user), _("表决结束，已计票。"))
    elif action == "minutes":
        attempt(request, lambda: minutes_service.generate(meeting, user), _("会议纪要已生成，请主任委员签署。"))
    return redirect("meeting_detail", pk=meeting.pk)


def _meeting_subject(meeting: Meeting, n: int) -> str:
    plan = meeting.plan
    return _("%(committee)s %(year)d年评审会议（%(date)s），表决%(n)d份申报") % {
        "committee": plan.committee.name, "year": plan.year, "date": meeting.held_on.strftime("%Y-%m-%d"), "n": n}


def _open_question(meeting: Meeting) -> confirm.Question:
    """Opening fixes who may vote and the groups: say who is present and what the ballot holds."""
    size = drawing.current_draw(meeting.plan).spec["size"]
    present = meeting_service.present_experts(meeting)
    labels = dict(GroupKind.choices)
    rates = "；".join(f"{_(labels[kind])} {rate}%" for kind, rate in sorted(meeting.groups.values_list("kind", "pass_rate")))
    return confirm.Question(
        title=_("开始表决"), subject=_meeting_subject(meeting, meeting_service.ballot_applications(meeting).count()),
        facts=[_("评委会%(size)d人，登记出席%(present)d人（法定人数%(quorum)d人）：%(names)s。") % {
                   "size": size, "present": len(present), "quorum": meeting_service.quorum(size),
                   "names": "、".join(e.person.name for e in present)},
               _("分组与通过率：%(rates)s。") % {"rates": rates}],
        consequence=_("开始后出席名单、分组和通过率不能再改；只有登记出席的评委可以投票，每人一次；未登记出席的评委不能投票。"),
        button=_("确认开始表决"), cancel_url=reverse("meeting_detail", args=[meeting.pk]),
    )


def _close_question(meeting: Meeting) -> confirm.Question:
    """Closing cannot be undone: the counts so far, and what the ballots not cast mean for the count."""
    present, voters, rows = meeting_service.ballots_so_far(meeting)
    missing = present - voters
    return confirm.Question(
        title=_("结束表决并计票"), subject=_meeting_subject(meeting, len(rows)),
        facts=[_("出席评委%(present)d人，已投票%(voters)d人，%(missing)d人尚未投票。") % {
            "present": present, "voters": voters, "missing": missing}],
        warning=ngettext("还有%(n)d位出席评委没有投票。现在结束，他们的选票按未投同意票计算，不能补投。",
                         "还有%(n)d位出席评委没有投票。现在结束，他们的选票按未投同意票计算，不能补投。", missing) % {"n": missing}
        if missing else "",
        head=[_("申报人"), _("应参加表决"), _("已投票"), _("未投票"), _("需同意票")],
        # Nobody eligible (all present recused): no number of yes votes passes it, so none is shown.
        rows=[[r.application.person.name, r.eligible, r.cast, r.missing, r.needed if r.eligible else "—"] for r in rows],
        consequence=_("结束后不再接受投票，立即计票，结果写入会议纪要，不能撤销。每份申报须获得应参加表决评委（出席且未回避）"
                      "三分之二的同意票方可通过，达到的还受本组通过率限制；未投票的评委计入应参加表决人数，与不同意、弃权一样不算同意票；"
                      "未达到的申报按未通过记录。"),
        button=_("确认结束表决并计票"), cancel_url=reverse("meeting_detail", args=[meeting.pk]),
    )


@page("minutes_pdf")
def minutes_pdf(request, pk: int):
    minutes = _minutes_or_404(request.user, pk)
    response = HttpResponse(read_verified(minutes.file), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{minutes.meeting_id}.pdf"'
    return response


# ---- the expert's own pages ------------------------------------------------------------------

@page("expert_tasks")
def expert_tasks(request):
    user = request.user
    assignments = (panel_service.assignments_for(user).select_related("application__person", "application__unit", "application__series",
                                                                       "panel", "plan__committee", "opinion"))
    meetings = []
    expert = getattr(user, "expert", None)
    for meeting in meeting_service.meetings_for(user).select_related("plan__committee", "minutes"):
        chair = drawing.current_draw(meeting.plan).members.filter(active=True, is_chair=True, expert=expert).exists()
        meetings.append({
            "meeting": meeting, "present": meeting.attendance.filter(expert=expert, present=True).exists(),
            "voted": meeting_service.has_voted(meeting, expert), "chair": chair, "minutes": getattr(meeting, "minutes", None),
        })
    return render(request, "review/expert_tasks.html", {"assignments": assignments, "meetings": meetings, "today": clock.today()})


@page("expert_opinion")
def expert_opinion(request, pk: int):
    user = request.user
    assignment = get_object_or_404(panel_service.assignments_for(user).select_related(
        "application__person", "application__unit", "application__series", "application__specialty", "plan", "panel", "opinion"), pk=pk)
    plan = assignment.plan
    existing = getattr(assignment, "opinion", None)
    initial = {} if existing is None else {"recommendation": existing.recommendation, "text": existing.text,
                                           **{name: getattr(existing, name) for name in panel_service.SCORE_FIELDS}}
    form = forms.OpinionForm(request.POST if request.POST.get("action") == "opinion" else None,
                             quantitative=plan.quantitative_review, initial=initial)
    recuse_form = forms.DeclareRecusalForm(request.POST if request.POST.get("action") == "recuse" else None)
    if request.method == "POST":
        if request.POST.get("action") == "opinion" and form.is_valid():
            d = form.cleaned_data
            scores = {name: d.get(name) for name in panel_service.SCORE_FIELDS}
            if attempt(request, lambda: panel_service.submit_opinion(assignment, user, recommendation=d["recommendation"],
                                                                     text=d["text"], scores=scores), _("评议意见已提交。")):
                return redirect("expert_tasks")
        elif request.POST.get("action") == "recuse" and recuse_form.is_valid():
            if not confirm.confirmed(request):
                return confirm.ask(request, _recuse_question(assignment, recuse_form.cleaned_data["reason"]))
            if attempt(request, lambda: recusal_service.declare(plan, assignment.expert, assignment.application,
                                                                 recuse_form.cleaned_data["reason"], user), _("已申请回避，您将不再看到该申报。")):
                return redirect("expert_tasks")
    return render(request, "review/expert_opinion.html", {
        "assignment": assignment, "app": assignment.application, "form": form, "recuse_form": recuse_form, "existing": existing,
    })


def _recuse_question(assignment: Assignment, reason: str) -> confirm.Question:
    app = assignment.application
    return confirm.Question(
        title=_("申请回避"), subject=f"{app.person.name} · {wording.title_label(app)}（{app.unit.name}）",
        facts=[_("回避事由：%(reason)s") % {"reason": reason}],
        consequence=_("回避后您将看不到该申报，也不参加对它的评议和表决；回避记入审计日志，不能撤回。"),
        button=_("确认申请回避"), cancel_url=reverse("expert_opinion", args=[assignment.pk]),
    )


@page("ballot")
def ballot(request, pk: int):
    user = request.user
    meeting = _meeting_or_404(user, pk)
    expert = getattr(user, "expert", None)
    if expert is None:
        raise Http404("您不是评审专家。")
    voted = meeting_service.has_voted(meeting, expert)
    present = meeting.attendance.filter(expert=expert, present=True).exists()
    paper = meeting_service.ballot_paper(meeting, expert) if meeting.status == MeetingStatus.VOTING and present and not voted else []
    form = forms.BallotForm(request.POST or None, applications=paper)
    if request.method == "POST":
        if form.is_valid() and paper:
            if attempt(request, lambda: meeting_service.cast_ballot(meeting, user, form.choices()), _("投票成功。票面不记名，任何人无法查到您的选择。")):
                return redirect("expert_tasks")
        elif not paper:
            attempt(request, lambda: meeting_service.cast_ballot(meeting, user, {}))
        else:
            messages.error(request, _("请对每一份申报都作出选择。"))
    summaries = _panel_summaries(meeting, [a.pk for a in paper])
    rows = [(form[f"app_{a.pk}"], summaries.get(a.pk, {})) for a in paper]
    return render(request, "review/ballot.html", {"meeting": meeting, "form": form, "rows": rows, "voted": voted, "present": present})


def _panel_summaries(meeting: Meeting, application_ids: list[int]) -> dict[int, dict]:
    counts = (panel_service.counted_opinions(meeting.plan).filter(assignment__application_id__in=application_ids)
              .values("assignment__application_id", "recommendation").annotate(n=Count("pk")))
    summary: dict[int, dict] = {}
    for row in counts:
        summary.setdefault(row["assignment__application_id"], {})[row["recommendation"]] = row["n"]
    return summary


@page("minutes_sign")
def minutes_sign(request, pk: int):
    user = request.user
    minutes = _minutes_or_404(user, pk)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holder = {}
        if attempt(request, lambda: holder.update(pushed=minutes_service.sign(minutes, user, form.cleaned_data["code"]))):
            messages.success(request, ngettext("会议纪要已签署，%(n)d份申报的评审结果已登记。", "会议纪要已签署，%(n)d份申报的评审结果已登记。",
                                              len(holder["pushed"])) % {"n": len(holder["pushed"])})
            return redirect("expert_tasks")
    # The signature cannot be undone: the page says what it records (the code typed is the one confirmation).
    results = minutes.meeting.results.aggregate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    return render(request, "review/minutes_sign.html", {"meeting": minutes.meeting, "minutes": minutes, "form": form,
                                                         "results": results, "failed": results["n"] - results["passed"]})
