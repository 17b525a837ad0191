"""How a list of declarations is ordered and what its dates are: the arrival with the current holder,
the days waiting since, the deadline that applies in the current state; and its rows as a spreadsheet.

Days waiting are calendar days (as the dossier's countdown counts them), not working days: they need no
holiday calendar for the year, and a queue is read for how long things have sat, not for a legal term."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateField, F, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhicheng.accounts.roles import Role
from zhicheng.core import clock
from zhicheng.core.identifiers import mask_id_number
from zhicheng.core.params import object_id

from .models import Application, CorrectionNotice
from .states import FINAL_STATES, State

# The list's filters (?name=value); q searches the applicant's name.
FILTERS = ("state", "series", "level", "channel", "unit", "route")
RELATED = ("person", "series", "plan", "unit", "holder")

# ?sort= values a list takes (a leading "-" reverses); each ends with the primary key so pages never overlap.
SORTS = {
    "arrival": ("arrival", "pk"),
    "deadline": ("deadline", "pk"),
    "name": ("person__name", "pk"),
    "unit": ("unit__name", "person__name", "pk"),
}
DEFAULT_ORDER = ("-state_since", "-pk")

# The committee states run to the plan's 评审及公示截止, a published result to its 核准备案截止 (三（二）、七（五））.
REVIEW_STATES = (State.COMMITTEE_INTAKE, State.ACCEPTED, State.UNDER_REVIEW, State.PASSED)
DEADLINE_LABELS = {
    State.DRAFT: gettext_lazy("申报截止"),
    State.CORRECTION_REQUESTED: gettext_lazy("补正截止"),
    State.EMPLOYER_PUBLICITY: gettext_lazy("公示期满"),
    State.ROSTER_PUBLICITY: gettext_lazy("公示期满"),
    State.RESULT_PUBLICITY: gettext_lazy("公示期满"),
    State.RESULT_PUBLISHED: gettext_lazy("核准备案截止"),
    **{state: gettext_lazy("评审及公示截止") for state in REVIEW_STATES},
}

# 七（五）1、3: the committee office compiles the 评审通过人员花名册 with each person's identity number for
# filing, and the regional department and the bureaus file it; every other body (units, departments,
# recommending bodies, the talent centre, the supervisor) checks or watches without needing the full number.
FULL_ID_ROLES = frozenset({Role.COMMITTEE_OFFICE, Role.HR_BUREAU, Role.REGIONAL_HR_DEPARTMENT})


def sees_full_id_numbers(user) -> bool:
    return user.role in FULL_ID_ROLES


def sort_key(value: str | None) -> str:
    """The sort asked for if it is one of SORTS (optionally reversed), else "" (the default order)."""
    value = value or ""
    return value if value.removeprefix("-") in SORTS else ""


def filtered(user, query) -> tuple[QuerySet, dict]:
    """The declarations the reader sees (for_user; with ?queue= only those waiting for them), filtered by ``query``;
    and the filters applied."""
    queryset = Application.objects.in_queue_of(user) if query.get("queue") else Application.objects.for_user(user)
    applied = {}
    for name in FILTERS:
        value = query.get(name)
        if value:
            applied[name] = value
            if name == "series":
                queryset = queryset.filter(series__code=value)
            elif name == "unit":
                queryset = queryset.filter(unit_id=unit) if (unit := object_id(value)) else queryset.none()
            else:
                queryset = queryset.filter(**{name: value})
    if q := query.get("q", "").strip():
        queryset = queryset.filter(person__name__contains=q)
    return queryset, applied


def listed(user, query) -> tuple[QuerySet, dict, str]:
    """The list as its page shows it, every page: scope, filters, dates and order; the filters and the sort applied."""
    queryset, applied = filtered(user, query)
    sort = sort_key(query.get("sort"))
    return ordered(with_dates(queryset.select_related(*RELATED)), sort), applied, sort


def search_of(query) -> dict:
    """What an export records of the list it came from."""
    return {name: query[name] for name in (*FILTERS, "q", "queue") if query.get(name)}


def _publicity_end(kind: str):
    from zhicheng.publicity.models import PublicityEntry

    # The latest publicity of the kind the state names, as publicity.workflow.current_publicities picks it.
    return Subquery(PublicityEntry.objects.filter(application=OuterRef("pk"), publicity__kind=kind)
                    .order_by("-publicity__starts_on", "-publicity__pk").values("publicity__ends_on")[:1])


def with_dates(queryset: QuerySet) -> QuerySet:
    """Annotate ``arrival`` (when the current holder received it) and ``deadline`` (the date that applies now)."""
    open_notice = CorrectionNotice.objects.filter(application=OuterRef("pk"), resolved_at__isnull=True).values("deadline")[:1]
    return queryset.annotate(
        arrival=Coalesce("held_since", "state_since"),
        deadline=Case(
            When(state=State.DRAFT, then=F("plan__declaration_deadline")),
            When(state=State.CORRECTION_REQUESTED, then=Subquery(open_notice)),
            When(state=State.EMPLOYER_PUBLICITY, then=_publicity_end("employer")),
            When(state=State.ROSTER_PUBLICITY, then=_publicity_end("roster")),
            When(state=State.RESULT_PUBLICITY, then=_publicity_end("result")),
            When(state__in=REVIEW_STATES, then=F("plan__review_deadline")),
            When(state=State.RESULT_PUBLISHED, then=F("plan__filing_deadline")),
            default=None, output_field=DateField(),
        ),
    )


def ordered(queryset: QuerySet, key: str) -> QuerySet:
    """``queryset`` (annotated by with_dates) in the order of ``key`` (from sort_key); empty dates last."""
    if not key:
        return queryset.order_by(*DEFAULT_ORDER)
    descending = key.startswith("-")
    fields = []
    for name in SORTS[key.removeprefix("-")]:
        expression = F(name)
        fields.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
    return queryset.order_by(*fields)


def arrival_day(app) -> dt.date | None:
    """The day (Asia/Shanghai) the current holder received it; None once the declaration is in a final state."""
    if app.state in FINAL_STATES or app.arrival is None:
        return None
    return app.arrival.astimezone(clock.CHINA).date()


def days_waiting(app, today: dt.date | None = None) -> int | None:
    day = arrival_day(app)
    return None if day is None else max(((today or clock.today()) - day).days, 0)


def deadline_label(app) -> str:
    return str(DEADLINE_LABELS.get(app.state, "")) if app.deadline else ""


EXPORT_HEADER = [
    gettext_lazy("申报人"), gettext_lazy("身份证号码"), gettext_lazy("年度"), gettext_lazy("系列"), gettext_lazy("层级"),
    gettext_lazy("用人单位"), gettext_lazy("状态"), gettext_lazy("当前办理"), gettext_lazy("到达日期"),
    gettext_lazy("已等待（自然日）"), gettext_lazy("截止日期"), gettext_lazy("截止事项"), gettext_lazy("评审费（元）"),
]


def export_rows(apps, user):
    """One row per declaration, each cell typed (dates as dates, counts and amounts as numbers); the identity
    number masked unless the reader's role needs it (FULL_ID_ROLES). Labels in the reader's language."""
    full, today = sees_full_id_numbers(user), clock.today()
    for a in apps:
        yield [
            a.person.name, a.person.id_number if full else mask_id_number(a.person.id_number), a.plan.year,
            _(a.series.name), _(a.get_level_display()), a.unit.name, _(a.get_state_display()),
            a.holder.name if a.holder_id else _("申报人"), arrival_day(a), days_waiting(a, today), a.deadline,
            deadline_label(a), float(a.fee_amount),
        ]
