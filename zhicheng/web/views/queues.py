"""The queue of each role: filters, the post quota for employers, and bulk actions where the notice
allows them (each declaration its own transition; failures reported one by one). A bulk action over
more than settings.BULK_JOB_THRESHOLD declarations runs as a background job with a progress bar, as
does re-screening a year's declarations (declarations/jobs.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import can_open, page
from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import Level, Series
from zhicheng.core import clock, confirm
from zhicheng.core.params import object_ids
from zhicheng.core.wording import enumeration
from zhicheng.declarations import guards, listing
from zhicheng.declarations.checklist import ROUTE_LABELS
from zhicheng.declarations.forms import RescreenForm
from zhicheng.declarations.jobs import start_bulk_job, step_each
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import TransitionError
from zhicheng.declarations.screening import rescreened_in
from zhicheng.publicity.workdays import publicity_end
from zhicheng.declarations.states import FINAL_STATES, Channel, State
from zhicheng.declarations.workflow import TABLE, ends_declaration
from zhicheng.files.models import StoredFile
from zhicheng.files.services import XLSX
from zhicheng.jobs.models import Job, JobStatus
from zhicheng.jobs.runner import start_job
from zhicheng.publicity.forms import PublicityOptionsForm
from zhicheng.publicity.services import STATES as PUBLICITY_STATES, publish
from zhicheng.publicity.workdays import CalendarNotConfigured

from .. import exports
from .files import serve
from .shell import employer_quota

# A bulk step done in the request names this many of the people whose declarations moved.
NAMED = 30

LIST_PAGE_SIZE = 50

# Steps that start a publicity over the chosen declarations, and its kind.
PUBLISHING = {"employer_publish": "employer", "publish_roster": "roster", "publish_result": "result"}
# Decisions about one person that never go in bulk: the applicant's own steps, returns, corrections;
# and the filing and certificate steps, which their own pages take with the data they need.
NOT_IN_BULK = frozenset({"submit", "resubmit", "withdraw", "request_correction", "deem_withdrawn", "veto", "revoke",
                         "file", "certify"})
# One name for steps whose label names the channel's next body.
BULK_LABELS = {"report": gettext_noop("公示无异议，上报"), "department_approve": gettext_noop("审核通过，报人社部门"),
               "forward": gettext_noop("花名册公示无异议，报送")}


def bulk_actions(role: str) -> list[tuple[str, str]]:
    seen, actions = set(), []
    for t in TABLE:
        if role in t.who and not t.needs_note and t.action not in NOT_IN_BULK and t.action not in seen:
            seen.add(t.action)
            actions.append((t.action, BULK_LABELS.get(t.action, t.label)))
    return actions


def bulk_actions_on(role: str, states: set[str]) -> list[tuple[str, str]]:
    """The role's bulk steps that can move some declaration in ``states`` (those of the page shown): a city bureau is not
    offered 旗县审核通过 for a page that holds no county-stage declaration."""
    movable = {t.action for t in TABLE if role in t.who and states.intersection(t.sources)}
    return [(action, label) for action, label in bulk_actions(role) if action in movable]


def _query_with(query, **values) -> str:
    """The list's query string with some parameters replaced (None drops one): links keep every filter."""
    query = query.copy()
    for name, value in values.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def _sort_columns(query, sort: str) -> dict:
    """Per sortable column: the link that sorts by it (reversed when it is the current sort) and its aria-sort."""
    columns = {}
    for key in listing.SORTS:
        current = sort.removeprefix("-") == key
        descending = sort.startswith("-")
        columns[key] = {
            "query": _query_with(query, sort=(key if descending else f"-{key}") if current else key, page=None),
            "aria": ("descending" if descending else "ascending") if current else "none",
        }
    return columns


@page("application_list")
def application_list(request):
    return _list_page(request, request.GET)


def _list_page(request, query: QueryDict, *, back: str = "", publicity_form=None, action: str = "", ticked=frozenset(),
               all_matching: bool = False):
    """The list of ``query`` (the page's own, or the one a refused bulk publication came from: then ``back`` is that list's
    address, and the options as typed, the step chosen and the declarations ticked come back with it)."""
    user = request.user
    queryset, applied, sort = listing.listed(user, query)
    page_obj = Paginator(queryset, LIST_PAGE_SIZE).get_page(query.get("page"))
    employer = user.role == Role.EMPLOYER_HR
    today = clock.today()
    for a in page_obj:
        a.quota_counts = guards.senior_quota_counts(a) if employer else None
        a.arrival_day, a.days_waiting, a.deadline_label = listing.arrival_day(a), listing.days_waiting(a, today), listing.deadline_label(a)
    units = (Application.objects.for_user(user).order_by("unit__name").values_list("unit_id", "unit__name").distinct())
    offered = [] if user.read_only else bulk_actions_on(user.role, {a.state for a in page_obj})
    return render(request, "web/application_list.html", {
        "page_obj": page_obj, "applied": applied, "q": query.get("q", ""), "queue": bool(query.get("queue")),
        "states": State.choices, "levels": Level.choices, "channels": Channel.choices, "routes": list(ROUTE_LABELS.items()),
        "series_list": Series.objects.all(), "units": list(units),
        "bulk_actions": offered, "publishing": PUBLISHING, "offers_publishing": any(action in PUBLISHING for action, _label in offered),
        "publicity_form": publicity_form or PublicityOptionsForm(initial={"contact": getattr(user.organisation, "phone", "")}),
        "quota": employer_quota(user), "employer": employer, "bulk_job_threshold": settings.BULK_JOB_THRESHOLD,
        "sort": sort, "sort_columns": _sort_columns(query, sort), "page_query": _query_with(query, page=None),
        "can_export": can_open(user, "application_export"),
        # Shown again after a refused bulk publication (at the bulk view's address): the links and the filter go to the list.
        "list_url": reverse("application_list") if back else "", "back": back or request.get_full_path(), "query": query.urlencode(),
        "chosen_action": action, "ticked": ticked, "all_matching": all_matching,
    })


@page("application_export")
def export(request):
    """The filtered, sorted list as an Excel workbook (web.exports): built here when short, by a job when long."""
    user = request.user
    queryset, _applied, sort = listing.listed(user, request.GET)
    count = queryset.count()
    if count > exports.IN_REQUEST:
        job = exports.start(user, request.GET, count)
        return redirect("job_detail", pk=job.pk)
    data = exports.workbook(queryset, user)
    exports.audit_export(user, request.GET, sort, count)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name()}"'
    return response


@page("application_export_file")
def export_file(request, pk: int):
    """The workbook an export job made, for those who see the job (its starter and their organisation's staff)."""
    job = get_object_or_404(Job.objects.for_user(request.user), pk=pk, kind="application_export", status=JobStatus.SUCCEEDED)
    stored = get_object_or_404(StoredFile, sha256=job.result.get("file", ""))
    response = serve(stored)
    response["Content-Disposition"] = response["Content-Disposition"].replace("inline", "attachment", 1)
    return response


@page("application_bulk")
@require_POST
def bulk(request):
    user = request.user
    action = request.POST.get("action", "")
    back = request.POST.get("next", "")
    local = back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    back = back if local else "/applications/?queue=1"
    if action not in dict(bulk_actions(user.role)):
        messages.error(request, _("您不能批量办理该步骤。"))
        return redirect(back)
    if request.POST.get("all_matching"):
        # Every declaration the list's filter finds, on every page, as the list showed them.
        queryset, _applied = listing.filtered(user, QueryDict(request.POST.get("query", "")))
    else:
        ids = object_ids(request.POST.getlist("ids"))
        queryset = Application.objects.for_user(user).filter(pk__in=ids)
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    form = PublicityOptionsForm(request.POST) if action in PUBLISHING else None
    if not ids:
        messages.error(request, _("请先勾选要办理的申报。"))
        return _list_again(request, back, form)
    options = None
    if form is not None:
        if not form.is_valid():
            for name, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{form.fields[name].label}：{error}" if name in form.fields else error)
            return _list_again(request, back, form)
        options = form.cleaned_data
        if not confirm.confirmed(request):  # a publication cannot be taken back: say who goes public, and ask once
            return confirm.ask(request, _publish_question(request, action, ids, options, back))
    ending = ends_declaration(action)
    if ending and not confirm.confirmed(request):  # the declarations' way ends here: say whose, and ask once
        return confirm.ask(request, _ending_question(request, action, ids, ending, back))
    if len(ids) > settings.BULK_JOB_THRESHOLD:
        return _bulk_job(request, action, ids, options)  # the job reads the declarations itself
    apps = list(Application.objects.filter(pk__in=ids).select_related("person", "plan", "unit", "series").order_by("pk"))
    if action in PUBLISHING:
        if not _publish(request, PUBLISHING[action], apps, options):
            return _list_again(request, back, form)
        return redirect(back)
    outcome = step_each(apps, action, user)
    for refusal in outcome.refusals:
        messages.error(request, f"{refusal['label']}：{refusal['reason']}")
    if outcome.done:
        # Name who moved, so a clerk can tell at a glance (the refusals above name theirs).
        named = enumeration(outcome.done[:NAMED])
        if len(outcome.done) > NAMED:
            named += _("等%(n)d人") % {"n": len(outcome.done)}
        messages.success(request, _("已办理%(done)d件，共选择%(total)d件。") % {"done": len(outcome.done), "total": len(apps)}
                         + _("已办理的是：%(names)s。") % {"names": named} + _sent_to(apps, user))
    return redirect(back)


def _sent_to(apps, user) -> str:
    """Where the declarations that left the clerk's hands went (四（二）: the centre sorts them to committee offices)."""
    reached = (Application.objects.filter(pk__in=[a.pk for a in apps], holder__isnull=False).exclude(holder_id=user.organisation_id)
               .values("holder__name").annotate(n=Count("pk")).order_by("holder__name"))
    if not reached:
        return ""
    return _("已送交：%(bodies)s。") % {"bodies": "；".join(_("%(body)s %(n)d件") % {"body": r["holder__name"], "n": r["n"]} for r in reached)}


def _list_again(request, back: str, form):
    """A bulk publication refused before anything was published: the list it came from, with the options as typed, the step
    chosen and the same declarations ticked (nothing lost on bad input). Other steps, and other pages, go back to ``back``."""
    if form is None:
        return redirect(back)
    where = urlsplit(back)
    if where.path != reverse("application_list"):
        return redirect(back)
    return _list_page(request, QueryDict(where.query), back=back, publicity_form=form, action=request.POST.get("action", ""),
                      ticked=frozenset(object_ids(request.POST.getlist("ids"))), all_matching=bool(request.POST.get("all_matching")))


def _bulk_job(request, action: str, ids: list[int], options: dict | None):
    label = _(dict(bulk_actions(request.user.role))[action])
    title = _("批量办理“%(step)s”：%(n)d件") % {"step": label, "n": len(ids)}
    job = start_bulk_job(action, ids, request.user, title, publicity_options=options)
    return redirect("job_detail", pk=job.pk)


def _chosen(ids: list[int]) -> str:
    """What a bulk step's question says of the declarations ticked: how many, and the first NAMED by name."""
    names = list(Application.objects.filter(pk__in=ids).order_by("pk").values_list("person__name", flat=True)[:NAMED])
    named = enumeration(names) + (_("等%(n)d人") % {"n": len(ids)} if len(ids) > NAMED else "")
    return ngettext("选择%(n)d份申报：%(names)s。", "选择%(n)d份申报：%(names)s。", len(ids)) % {"n": len(ids), "names": named}


def _publish_question(request, action: str, ids: list[int], options: dict, back: str) -> confirm.Question:
    label = _(dict(bulk_actions(request.user.role))[action])
    state = State(PUBLICITY_STATES[PUBLISHING[action]]).label
    sources = {source for t in TABLE if t.action == action for source in t.sources}
    ready = Application.objects.filter(pk__in=ids, state__in=sources, holder_id=request.user.organisation_id).count()
    facts = [_chosen(ids)]
    if ready < len(ids):  # said before asking, not only after: the rest are named with their reasons afterwards
        facts.append(_("其中%(ready)d份可以列入本次公示；%(other)d份已不在待公示的环节（如已在公示中）或不在您手中，不能列入。")
                     % {"ready": ready, "other": len(ids) - ready})
    return confirm.Question(
        title=_("发起公示"), subject=f"{label}：{options['title']}" if options["title"] else label,
        facts=[*facts,
               _("公示%(days)d个工作日，自今天起至%(end)s；受理异议：%(contact)s。") % {
                   "days": options["working_days"], "end": f"{publicity_end(clock.today(), options['working_days']):%Y-%m-%d}",
                   "contact": options["contact"] or "—"}],
        consequence=_("公示名单立即在“公示公告”中对外公开，能列入的申报转入“%(state)s”，不能列入的逐一说明原因；"
                      "公示发起后不能撤回，期满且异议处理完毕后方可结束。") % {"state": _(state)},
        button=_("确认发起公示"), cancel_url=back,
    )


def _ending_question(request, action: str, ids: list[int], ending: str, back: str) -> confirm.Question:
    label = _(dict(bulk_actions(request.user.role))[action])
    return confirm.Question(
        title=label, subject=label, facts=[_chosen(ids)],
        consequence=_("能办理的申报转为“%(state)s”，办理就此结束，不可恢复；不能办理的逐一说明原因。") % {"state": _(State(ending).label)},
        button=_("确认%(step)s") % {"step": label}, cancel_url=back,
    )


def _publish(request, kind: str, apps, options: dict) -> bool:
    """Publish and say the outcome; False when nothing was published (refused as a whole, or no declaration could go in)."""
    try:
        publicity, refused = publish(kind=kind, actor=request.user, applications=apps, title=options["title"],
                                     working_days=options["working_days"], contact=options["contact"])
    except (ValidationError, CalendarNotConfigured, TransitionError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or getattr(exc, "reasons", None) or [str(exc)]))
        return False
    for reason in refused.values():
        messages.error(request, reason)
    if publicity:
        listed = [app.person.name for app in apps if app.pk not in refused]
        named = enumeration(listed[:NAMED]) + (_("等%(n)d人") % {"n": len(listed)} if len(listed) > NAMED else "")
        messages.success(request, _("已发起公示“%(title)s”：%(n)d人，公示至%(end)s。") % {
            "title": publicity.title, "n": len(listed), "end": publicity.ends_on.strftime("%Y-%m-%d")}
            + _("列入公示的是：%(names)s。") % {"names": named})
    return publicity is not None


@page("rescreen")
def rescreen(request):
    """Re-screen a year's declarations under the current rules, in the background; the job's page lists who changed and why."""
    form = RescreenForm(request.POST or None, initial={"year": clock.today().year})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        n = rescreened_in(year).count()
        if not n:
            form.add_error("year", _("%(year)d年度没有在办的申报，无需重新审查。") % {"year": year})
        elif not confirm.confirmed(request):
            return confirm.ask(request, _rescreen_question(year, n))
        else:
            job = start_job("rescreen", _("重新审查%(year)d年度申报") % {"year": year}, request.user, params={"year": year})
            return redirect("job_detail", pk=job.pk)
    return render(request, "web/rescreen.html", {
        "form": form, "jobs": Job.objects.for_user(request.user).filter(kind="rescreen").select_related("started_by")[:10],
    })


def _rescreen_question(year: int, n: int) -> confirm.Question:
    closed = Application.objects.filter(plan__year=year, state__in=FINAL_STATES).count()
    return confirm.Question(
        title=_("按现行规则重新审查"), subject=_("%(year)d年度申报") % {"year": year},
        facts=[ngettext("在办的申报%(n)d份将逐份按其提交之日重新审查。", "在办的申报%(n)d份将逐份按其提交之日重新审查。", n) % {"n": n},
               ngettext("已办结的%(n)d份（已发证、未通过、撤回、退回、撤销）保持原结论。",
                        "已办结的%(n)d份（已发证、未通过、撤回、退回、撤销）保持原结论。", closed) % {"n": closed}],
        consequence=_("审查结论将被新结论替换（结论变化的申报会列出原因）；替换后不能恢复原结论。"),
        button=_("确认重新审查"), cancel_url=reverse("rescreen"),
    )
