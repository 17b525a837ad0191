"""The shell: login, the dashboard of each role, the rendered transition table, audit log, inbox."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import can_open, page
from zhicheng.accounts.roles import Role
from zhicheng.audit.forms import AuditFilterForm, object_type_label
from zhicheng.audit.models import AuditEntry
from zhicheng.catalogue.models import AnnualPlan
from zhicheng.certificates.filing import filing_warnings
from zhicheng.core import clock
from zhicheng.core.identifiers import mask_id_number
from zhicheng.core.params import object_ids
from zhicheng.declarations import guards, registry
from zhicheng.declarations.models import Application
from zhicheng.declarations.states import State
from zhicheng.declarations.workflow import TABLE
from zhicheng.monitoring.progress import dashboard_card as plan_progress_card
from zhicheng.notifications.inbox import mark_read, unread_count
from zhicheng.notifications.models import Notification
from zhicheng.notifications.services import shown
from zhicheng.rectification.services import dashboard_counts as rectification_counts
from zhicheng.statistics.services import overview as year_overview

LIST_PAGE_SIZE = 50
ID_LIKE = re.compile(r"\d{17}[\dXx]")  # a 身份证 number anywhere in a user name


class HomeLoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@page("home")
def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return HomeLoginView.as_view()(request)


def _state_counts(queryset) -> list[tuple[str, str, int]]:
    counts = dict(queryset.order_by().values_list("state").annotate(n=Count("pk")))
    return [(s.value, s.label, counts[s.value]) for s in State if counts.get(s.value)]


def current_plan():
    """The annual plan of this year, else the latest one."""
    plans = list(AnnualPlan.objects.order_by("-year")[:5])
    year = clock.today().year
    return next((p for p in plans if p.year == year), plans[0] if plans else None)


# What the latest arrivals' table shows, and only that: ten rows joined to four tables were most of the page's queries' cost.
# The state's name reads the route (考核认定) and whether a freelancer's service holds it (四（五）1): both are read with the row.
RECENT_COLUMNS = ("state", "route", "state_since", "held_since", "level", "person__name", "person__employment_relation",
                  "series__name", "plan__year", "unit__name", "unit__keeps_freelancer_files")


@page("dashboard")
def dashboard(request):
    user = request.user
    if user.role == Role.APPLICANT:
        return _applicant_dashboard(request)
    if user.role == Role.EXPERT:
        return redirect("expert_tasks")  # an expert's work is the review tasks, not a queue of declarations
    queue = Application.objects.in_queue_of(user)
    queue_counts, scope_counts = _state_counts(queue), _state_counts(Application.objects.for_user(user))
    context = {
        # The totals are the sums of the counts by state: no second count over the same rows.
        "queue_counts": queue_counts,
        "queue_total": sum(count for _state, _label, count in queue_counts),
        "scope_counts": scope_counts,
        "scope_total": sum(count for _state, _label, count in scope_counts),
        # The engine's decision (every route with its findings) is the widest column and this list shows none of it.
        # Read-only roles have no queue: their latest arrivals are those of everything they may read (by its last step).
        # A queue's arrival is when its holder received it, as the list says (declarations.listing).
        "recent": (Application.objects.for_user(user).annotate(arrival=F("state_since")) if user.read_only
                   else queue.annotate(arrival=Coalesce("held_since", "state_since")))
        .select_related("person", "series", "plan", "unit").only(*RECENT_COLUMNS).order_by("-arrival", "-pk")[:10],
        "unread": unread_count(user),
        "quota": employer_quota(user),
        "filing_warnings": filing_warnings(user) if can_open(user, "filing_queue") else [],
        "overview": _year_overview(user),  # the year at a glance for those who run the region
        "rectification": rectification_counts(user),  # 限期纠正 waiting for this user (八（一）)
        "plan_progress": plan_progress_card(user),  # late committees and their explanations (三（二）、八（二）4)
    }
    return render(request, "web/dashboard.html", context)


def _year_overview(user):
    """The supervisor's and the regional department's numbers of this year's plan (statistics.services.overview)."""
    plan = current_plan() if user.role in (Role.SUPERVISOR, Role.REGIONAL_HR_DEPARTMENT) else None
    return year_overview(user, plan.year) if plan else None


def employer_quota(user):
    """五（五）2: an employer under post management sees its senior vacancies and the 5% ceiling."""
    org = user.organisation
    if user.role != Role.EMPLOYER_HR or org is None or not org.post_management or org.sector != "public_institution":
        return None
    plan = current_plan()
    if plan is None:
        return None
    ceiling, used = guards.post_quota_ceiling(org), guards.quota_used(org, plan)
    return {"unit": org, "ceiling": ceiling, "used": used, "left": max(ceiling - used, 0), "plan": plan,
            "five_percent": ceiling - org.senior_vacancies}


def _applicant_dashboard(request):
    user = request.user
    mine = (Application.objects.for_user(user).select_related("series", "plan", "holder", "specialty", "person", "unit")
            .order_by("-plan__year", "-created_at"))
    return render(request, "web/dashboard_applicant.html", {
        "mine": mine, "unread": unread_count(user), "plan": current_plan(), "person": user.person,
    })


@page("workflow_table")
def workflow_table(request):
    rows = [
        {
            "t": t,
            "sources": [State(s).label for s in t.sources],
            "target": State(t.target).label,
            "who": [Role(r).label for r in t.who],
            "when": guards.PATHS[t.when][1] if t.when else "",
            "guards": [registry.GUARDS[g].description for g in t.guards],
        }
        for t in TABLE
    ]
    return render(request, "web/workflow_table.html", {"rows": rows, "states": State.choices})


@page("audit_log")
def audit_log(request):
    entries = AuditEntry.objects.order_by("-seq")
    if obj := request.GET.get("object"):
        object_type, _sep, object_id = obj.partition(":")
        entries = entries.filter(object_type=object_type, object_id=object_id)
    form = AuditFilterForm(request.GET or None)
    page_obj = Paginator(form.filter(entries), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    roles = dict(Role.choices)
    for entry in page_obj:
        entry.role_label = roles.get(entry.actor_role, entry.actor_role)
        # Applicants log in with their 身份证 number: masked here as on every other page.
        entry.actor_shown = ID_LIKE.sub(lambda number: mask_id_number(number.group()), entry.actor_name)
        entry.type_label = object_type_label(entry.object_type)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit_log.html", {"page_obj": page_obj, "form": form, "obj": obj, "page_query": query.urlencode()})


@page("notifications")
def notifications(request):
    rows = list(Notification.objects.filter(recipient=request.user).select_related("application__series")[:100])
    for row in rows:
        row.shown_subject, row.shown_body = shown(row)
    return render(request, "web/notifications.html", {"rows": rows, "unread": unread_count(request.user)})


@page("notifications_read")
@require_POST
def notifications_read(request):
    ids = object_ids(request.POST.getlist("id"))
    marked = mark_read(request.user, ids or None)
    messages.success(request, _("已将%(n)d条消息标为已读。") % {"n": marked})
    return redirect("notifications")


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token: say what to do, not why Django refused (no internals)."""
    return render(request, "403_csrf.html", status=403)
