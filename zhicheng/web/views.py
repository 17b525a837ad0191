from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhicheng.accounts.permissions import page
from zhicheng.accounts.roles import AUDIT_READERS, Role
from zhicheng.audit.models import AuditEntry
from zhicheng.catalogue.models import Level, Series
from zhicheng.declarations import guards
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import PAYLOAD_ACTIONS, TransitionError, available_actions, transition
from zhicheng.declarations.states import Channel, State
from zhicheng.declarations.workflow import TABLE
from zhicheng.notifications.models import Notification

LIST_PAGE_SIZE = 50


class HomeLoginView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


@page("home")
def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return HomeLoginView.as_view()(request)


def _state_counts(queryset) -> list[tuple[str, str, int]]:
    counts = dict(queryset.order_by().values_list("state").annotate(n=Count("pk")))
    return [(s.value, s.label, counts[s.value]) for s in State if counts.get(s.value)]


@page("dashboard")
def dashboard(request):
    user = request.user
    queue = Application.objects.in_queue_of(user)
    scope = Application.objects.for_user(user)
    context = {
        "queue_counts": _state_counts(queue),
        "queue_total": queue.count(),
        "scope_counts": _state_counts(scope),
        "scope_total": scope.count(),
        "recent": queue.select_related("person", "series", "plan", "unit").order_by("-state_since")[:10],
        "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "can_read_audit": user.role in AUDIT_READERS,
    }
    return render(request, "web/dashboard.html", context)


FILTERS = ("state", "series", "level", "channel", "unit", "route")


@page("application_list")
def application_list(request):
    user = request.user
    queryset = Application.objects.in_queue_of(user) if request.GET.get("queue") else Application.objects.for_user(user)
    applied = {}
    for name in FILTERS:
        value = request.GET.get(name)
        if value:
            applied[name] = value
            queryset = queryset.filter(**({"series__code": value} if name == "series" else {f"{name}_id" if name == "unit" else name: value}))
    if q := request.GET.get("q", "").strip():
        queryset = queryset.filter(person__name__contains=q)
    queryset = queryset.select_related("person", "series", "plan", "unit", "holder").order_by("-state_since", "-pk")
    paginator = Paginator(queryset, LIST_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(request, "web/application_list.html", {
        "page_obj": page_obj, "applied": applied, "q": request.GET.get("q", ""), "queue": bool(request.GET.get("queue")),
        "states": State.choices, "levels": Level.choices, "channels": Channel.choices,
        "series_list": Series.objects.all(),
    })


@page("application_detail")
def application_detail(request, pk: int):
    app = get_object_or_404(
        Application.objects.for_user(request.user).select_related(
            "person", "series", "specialty", "plan", "unit__area", "unit__competent_department", "committee__area",
            "committee__office", "holder", "recommender",
        ),
        pk=pk,
    )
    events = app.events.select_related("actor", "actor_organisation")
    actions = available_actions(app, request.user)
    return render(request, "web/application_detail.html", {
        "app": app,
        "events": events,
        "decision": app.decision or {},
        "actions": [t for t in actions if t.action not in PAYLOAD_ACTIONS],
        "payload_actions": [t for t in actions if t.action in PAYLOAD_ACTIONS],
        "corrections": app.correction_notices.all(),
    })


@page("application_act")
@require_POST
def application_act(request, pk: int):
    app = get_object_or_404(Application.objects.for_user(request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        transition(app, action, request.user, note=request.POST.get("note", ""))
    except TransitionError as exc:
        for reason in exc.reasons:
            messages.error(request, reason)
    else:
        messages.success(request, "已办理。")
    return redirect("application_detail", pk=pk)


@page("workflow_table")
def workflow_table(request):
    rows = [
        {
            "t": t,
            "sources": [State(s).label for s in t.sources],
            "target": State(t.target).label,
            "who": [Role(r).label for r in t.who],
            "when": guards.PATHS[t.when][1] if t.when else "",
            "guards": [guards.GUARDS[g][1] for g in t.guards],
        }
        for t in TABLE
    ]
    return render(request, "web/workflow_table.html", {"rows": rows, "states": State.choices})


@page("audit_log")
def audit_log(request):
    entries = AuditEntry.objects.order_by("-seq")
    if obj := request.GET.get("object"):
        object_type, _, object_id = obj.partition(":")
        entries = entries.filter(object_type=object_type, object_id=object_id)
    page_obj = Paginator(entries, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/audit_log.html", {"page_obj": page_obj})


@page("notifications")
def notifications(request):
    rows = Notification.objects.filter(recipient=request.user).select_related("application")[:100]
    return render(request, "web/notifications.html", {"rows": rows})
