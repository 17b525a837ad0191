"""A year's statistics in the reader's scope, from aggregate queries.

Every number starts from ``Application.objects.for_user(user)``: the regional department and the supervisor
see the region, an HR bureau its area (and what it recommends), a committee office what reached its
committee, a competent department its units', an employer its own. The declarations of the year and of the
year before are counted in one GROUP BY (series, level, league/city, channel, route, committee, state); every
breakdown and pass rate is a sum over those few hundred groups, so the number of queries does not grow with the
number of declarations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import AnnualPlan, Level, Series
from zhicheng.certificates.models import Certificate, CertificateKind, CertificateStatus, VerificationLookup
from zhicheng.declarations.checklist import ROUTE_LABELS
from zhicheng.declarations.models import Application, CorrectionNotice
from zhicheng.declarations.states import Channel, State
from zhicheng.orgs.models import Area, AreaLevel, Committee, Organisation
from zhicheng.publicity.models import Objection, ObjectionStatus

from . import durations

PASSED_STATES = frozenset({State.PASSED, State.RESULT_PUBLICITY, State.RESULT_PUBLISHED, State.FILED, State.CERTIFIED, State.REVOKED})
# The dashboard's groups of states.
STATE_GROUPS = (
    ("in_progress", "办理中", frozenset(State) - PASSED_STATES - {State.FAILED, State.WITHDRAWN, State.DEEMED_WITHDRAWN,
                                                                    State.RETURNED, State.DRAFT}),
    ("passed", "评审通过", PASSED_STATES),
    ("failed", "评审未通过", frozenset({State.FAILED})),
    ("ended", "撤回、视为放弃或退回", frozenset({State.WITHDRAWN, State.DEEMED_WITHDRAWN, State.RETURNED})),
)
TOP_DEFICIENCIES = 10
SLOW_DESKS = 12
READERS = frozenset({Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR, Role.HR_BUREAU, Role.COMMITTEE_OFFICE,
                     Role.COMPETENT_DEPARTMENT, Role.EMPLOYER_HR, Role.RECOMMENDING_BODY, Role.TALENT_SERVICE_CENTRE})


@dataclass
class Table:
    """One breakdown: what the chart draws and the numbers behind it (typed cells for the workbook)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: str = "bar"  # "bar", "line" or "" (a table only)
    label_column: int = 0
    sublabel_column: int | None = None  # written under the label in the chart
    text_columns: tuple[int, ...] = (0,)  # the rest are numbers (right-aligned)
    value_columns: tuple[int, ...] = (1,)
    unit: str = ""
    note: str = ""


@dataclass
class Report:
    year: int
    previous: int | None  # the year before, when it has data in the scope
    headline: dict = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def years_of(user) -> list[int]:
    return list(AnnualPlan.objects.order_by("-year").values_list("year", flat=True))


def _rate(passed: int, failed: int) -> float | None:
    return round(100 * passed / (passed + failed), 1) if passed + failed else None


def _change(now: int, before: int | None):
    return None if before is None else now - before


def _league_city_length() -> int:
    """Every league/city's area path is as long as the others (the root's code, the league's, two slashes)."""
    path = Area.objects.filter(level=AreaLevel.LEAGUE_CITY).values_list("path", flat=True).first()
    return len(path) if path else 0


def _cube(applications, year: int):
    """(year, series, level, city path, channel, route, committee, state) → count, for the year and the one before."""
    length = _league_city_length()
    rows = (applications.filter(plan__year__in=(year - 1, year)).order_by()
            .annotate(city=Substr("unit__area__path", 1, length))
            .values_list("plan__year", "series_id", "level", "city", "channel", "route", "committee_id", "state")
            .annotate(n=Count("pk")))
    return list(rows)


def _breakdown(cube, year: int, index: int) -> dict:
    """{key: [this year's count, last year's]} summed over the cube by column ``index``."""
    sums: dict = defaultdict(lambda: [0, 0])
    for row in cube:
        sums[row[index]][0 if row[0] == year else 1] += row[-1]
    return sums


def _dimension_table(key, title, first_column, sums, label, has_previous, order=None) -> Table:
    keys = order if order is not None else sorted(sums, key=lambda k: (-sums[k][0], str(k)))
    columns = [first_column, _("本年申报（件）")] + ([_("上年申报（件）"), _("增减（件）")] if has_previous else [])
    rows = []
    for k in keys:
        if k not in sums:
            continue
        now, before = sums[k]
        rows.append([label(k), now] + ([before, now - before] if has_previous else []))
    return Table(key, title, columns, rows, value_columns=(1, 2) if has_previous else (1,))


def report(user, year: int) -> Report:
    applications = Application.objects.for_user(user)
    cube = _cube(applications, year)
    previous_count = sum(r[-1] for r in cube if r[0] == year - 1)
    has_previous = previous_count > 0
    rep = Report(year=year, previous=year - 1 if has_previous else None)
    this_year = [r for r in cube if r[0] == year]

    series_names = dict(Series.objects.values_list("pk", "name"))
    city_names = dict(Area.objects.filter(level__in=(AreaLevel.LEAGUE_CITY, AreaLevel.REGION)).values_list("path", "name"))
    committee_ids = {r[6] for r in cube if r[6]}
    committee_names = dict(Committee.objects.filter(pk__in=committee_ids).values_list("pk", "name")) if committee_ids else {}
    levels = dict(Level.choices)
    channels = dict(Channel.choices)

    def city_label(path):
        name = city_names.get(path)
        if name is None:
            return _("其他")
        return _("自治区本级") if path.count("/") == 1 else name

    # Headline numbers and the dashboard's groups.
    by_state: dict[str, int] = defaultdict(int)
    for r in this_year:
        by_state[r[7]] += r[-1]
    total = sum(by_state.values())
    passed = sum(n for s, n in by_state.items() if s in PASSED_STATES)
    failed = by_state.get(State.FAILED, 0)
    groups = [(key, label, sum(n for s, n in by_state.items() if s in states)) for key, label, states in STATE_GROUPS]

    rep.tables += [
        _dimension_table("series", _("按系列的申报"), _("系列"), _breakdown(cube, year, 1),
                         lambda pk: _(series_names.get(pk, "")), has_previous),
        _dimension_table("level", _("按层级的申报"), _("层级"), _breakdown(cube, year, 2),
                         lambda v: _(levels.get(v, v)), has_previous, order=[c.value for c in Level]),
        _dimension_table("city", _("按盟市的申报（用人单位所在地）"), _("盟市"), _breakdown(cube, year, 3),
                         city_label, has_previous),
        _dimension_table("channel", _("按申报渠道的申报"), _("渠道"), _breakdown(cube, year, 4),
                         lambda v: _(channels.get(v, v)), has_previous, order=[c.value for c in Channel]),
        _dimension_table("route", _("按申报途径的申报"), _("途径"), _breakdown(cube, year, 5),
                         lambda v: _(ROUTE_LABELS.get(v, v)) if v else _("未审查"), has_previous),
    ]
    rep.tables += _pass_rates(this_year, series_names, committee_names)
    of_year = applications.filter(plan__year=year).values("pk")  # the subquery the tables below filter by
    outcome_table, objections = _outcomes(of_year, by_state)
    rep.tables.append(outcome_table)
    corrections, deficiencies = _corrections(of_year)
    rep.tables.append(deficiencies)
    stay_tables, slowest = _stays(user, applications, year)
    rep.tables += stay_tables
    certificate_table, issued, verified = _certificates(of_year)
    rep.tables.append(certificate_table)
    rep.tables.append(_years(user, applications))
    rep.headline = {
        "total": total, "previous_total": previous_count if has_previous else None,
        "passed": passed, "failed": failed, "pass_rate": _rate(passed, failed), "groups": groups,
        "withdrawn": by_state.get(State.WITHDRAWN, 0), "deemed_withdrawn": by_state.get(State.DEEMED_WITHDRAWN, 0),
        "returned": by_state.get(State.RETURNED, 0), "objections": objections, "corrections": corrections,
        "certificates": issued, "verified": verified, "slowest": slowest,
    }
    return rep


def _pass_rates(this_year, series_names, committee_names) -> list[Table]:
    tables = []
    for key, title, first, index, label in (
        ("pass_committee", _("各评委会评审通过率"), _("评委会"), 6, lambda pk: committee_names.get(pk, _("未确定评委会"))),
        ("pass_series", _("各系列评审通过率"), _("系列"), 1, lambda pk: _(series_names.get(pk, ""))),
    ):
        counts: dict = defaultdict(lambda: [0, 0])
        for r in this_year:
            if r[7] in PASSED_STATES:
                counts[r[index]][0] += r[-1]
            elif r[7] == State.FAILED:
                counts[r[index]][1] += r[-1]
        rows = [[label(k), p, f, p + f, _rate(p, f)] for k, (p, f) in sorted(counts.items(), key=lambda kv: -sum(kv[1]))]
        tables.append(Table(key, title, [first, _("通过（人）"), _("未通过（人）"), _("已评审（人）"), _("通过率（%）")], rows,
                            value_columns=(4,), unit="%",
                            note=_("通过率 = 评审通过 ÷（评审通过 + 评审未通过）；评审通过含结果公示、备案、发证及其后被撤销的。")))
    return tables


def _outcomes(of_year, by_state) -> tuple[Table, int]:
    objections = dict(Objection.objects.filter(application__in=of_year)
                      .order_by().values_list("status").annotate(n=Count("pk")))
    total_objections = sum(objections.values())
    rows = [
        [_("本人撤回"), by_state.get(State.WITHDRAWN, 0)],
        [_("逾期未补正，视为放弃申报"), by_state.get(State.DEEMED_WITHDRAWN, 0)],
        [_("退回"), by_state.get(State.RETURNED, 0)],
        [_("公示期间收到的异议"), total_objections],
    ]
    for status, label in ObjectionStatus.choices:
        rows.append([_("异议：%(status)s") % {"status": _(label)}, objections.get(status, 0)])
    return Table("outcomes", _("撤回、视为放弃、退回与异议"), [_("事项"), _("件数")], rows), total_objections


def _corrections(of_year) -> tuple[dict, Table]:
    """一次告知 issued for the year's declarations, and the deficiencies they named most often (JSON list items,
    counted in the database: jsonb_array_elements_text on PostgreSQL, json_each on SQLite)."""
    notices = CorrectionNotice.objects.filter(application__in=of_year)
    counts = notices.order_by().aggregate(issued=Count("pk"), resolved=Count("pk", filter=Q(resolved_at__isnull=False)))
    sub_sql, params = notices.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(CorrectionNotice._meta.db_table)
    if connection.vendor == "postgresql":
        items = f"SELECT item, COUNT(*) FROM {table} c, jsonb_array_elements_text(c.items::jsonb) AS item"  # nosec B608 - table name from meta
    else:
        items = f"SELECT j.value AS item, COUNT(*) FROM {table} c, json_each(c.items) AS j"  # nosec B608 - table name from meta
    sql = f"{items} WHERE c.id IN ({sub_sql}) GROUP BY item ORDER BY COUNT(*) DESC, item LIMIT {TOP_DEFICIENCIES}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [[_(item), n] for item, n in cursor.fetchall()]
    return counts, Table("deficiencies", _("最常见的补正事项（一次性告知，六（二））"), [_("补正事项"), _("告知次数")], rows,
                         note=_("本年共发出一次性补正告知 %(issued)d 份，已补正 %(resolved)d 份。") % counts)


REGION_WIDE = frozenset({Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR})


def scope_of(user) -> int | None:
    """Whose declarations a reader's stage figures count: the organisation's scope (every staff role's scope is its
    organisation's, querysets.for_user), or None for the region-wide readers."""
    return None if user.role in REGION_WIDE else user.organisation_id


def _scope_applications(organisation_id: int | None):
    """The submitted declarations of a stored scope, as one of its staff reads them (None: the region)."""
    from zhicheng.accounts.models import User

    if organisation_id is None:
        return Application.objects.exclude(state=State.DRAFT)
    reader = User.objects.filter(organisation_id=organisation_id, is_active=True).exclude(role=Role.SUPERVISOR).first()
    return Application.objects.for_user(reader) if reader else None


def refresh_stays(year: int, organisation_id: int | None = None, applications=None):
    """A scope's stage figures of ``year`` computed again, stored and returned (None when the year has no plan, or
    the scope has nobody left to read it: then its stored figures go)."""
    from django.db import transaction

    from zhicheng.core import clock

    from .models import StageFigure

    if not AnnualPlan.objects.filter(year=year).exists():
        return None
    applications = _scope_applications(organisation_id) if applications is None else applications
    stored = StageFigure.objects.filter(year=year, scope_id=organisation_id)
    if applications is None:
        stored.delete()
        return None
    found = durations.stays(applications.filter(plan__year=year))
    now = clock.now()
    figures = [StageFigure(year=year, scope_id=organisation_id, stage=s.stage, holder_id=s.holder_id, every_desk=s.every_desk,
                           count=s.count, median=s.median, p90=s.p90, computed_at=now) for s in found]
    with transaction.atomic():
        stored.delete()
        StageFigure.objects.bulk_create(figures)
    return figures


def refresh_all_stays(year: int) -> int:
    """The daily run: the region's figures and those of every scope a reader has opened for the year; how many."""
    from .models import StageFigure

    scopes = {None} | set(StageFigure.objects.filter(year=year, scope__isnull=False).values_list("scope_id", flat=True))
    return sum(1 for scope in scopes if refresh_stays(year, scope) is not None)


def _stored_stays(user, applications, year: int) -> tuple[list, object]:
    """The reader's scope's stored figures (computed now if the scope has none for the year) and when computed."""
    from .models import StageFigure

    scope = scope_of(user)
    rows = list(StageFigure.objects.filter(year=year, scope_id=scope)) or refresh_stays(year, scope, applications) or []
    stays = [durations.Stay(r.stage, r.holder_id, r.count, r.median, r.p90, every_desk=r.every_desk) for r in rows]
    return stays, (rows[0].computed_at if rows else None)


def _stays(user, applications, year: int) -> tuple[list[Table], dict | None]:
    found, as_of = _stored_stays(user, applications, year)
    holders = {s.holder_id for s in found if s.holder_id}
    names = dict(Organisation.objects.filter(pk__in=holders).values_list("pk", "name")) if holders else {}
    order = {s.value: i for i, s in enumerate(State)}
    labels = dict(State.choices)
    stages = sorted((s for s in found if s.every_desk), key=lambda s: order.get(s.stage, 99))
    desks = sorted((s for s in found if not s.every_desk), key=lambda s: (-s.median, -s.p90, order.get(s.stage, 99)))
    stage_rows = [[_(labels.get(s.stage, s.stage)), s.count, round(s.median, 1), round(s.p90, 1)] for s in stages]
    desk_rows = [[_(labels.get(s.stage, s.stage)), names.get(s.holder_id, _("申报人")), s.count, round(s.median, 1), round(s.p90, 1)]
                 for s in desks]
    note = _("每段停留从进入该环节起，到下一次办理为止；尚未办理的算到今天。草稿与终结状态不计。")
    if as_of is not None:
        note += _("停留天数每日计算一次，本表计算于 %(at)s。") % {"at": timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M")}
    tables = [
        Table("stages", _("各环节停留天数（中位数与90%分位数）"), [_("环节"), _("停留（次）"), _("中位数（天）"), _("90%分位数（天）")],
              stage_rows, value_columns=(2, 3), note=note),
        Table("desks", _("各办理机构的停留天数（按中位数排序，前%(n)d个绘图）") % {"n": SLOW_DESKS},
              [_("环节"), _("办理机构"), _("停留（次）"), _("中位数（天）"), _("90%分位数（天）")],
              desk_rows, label_column=1, sublabel_column=0, text_columns=(0, 1), value_columns=(3, 4), note=note),
    ]
    slowest = None
    with_holder = [s for s in desks if s.holder_id]
    if with_holder:
        s = with_holder[0]
        slowest = {"name": names.get(s.holder_id, ""), "stage": _(labels.get(s.stage, s.stage)), "median": round(s.median, 1),
                   "p90": round(s.p90, 1), "count": s.count}
    return tables, slowest


def certificates_in_scope(user, applications):
    """Certificates of the declarations in scope; certificates without a declaration (history import, exchange)
    by where their holder works, for the roles that see an area or units."""
    role, org = user.role, user.organisation
    if role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
        return Certificate.objects.all()
    own = Q(application__in=applications.values("pk"))
    if role == Role.HR_BUREAU:
        return Certificate.objects.filter(own | Q(application__isnull=True, person__unit__area__path__startswith=org.area.path))
    if role == Role.COMPETENT_DEPARTMENT:
        return Certificate.objects.filter(own | Q(application__isnull=True, person__unit__competent_department_id=org.pk))
    if role == Role.EMPLOYER_HR:
        return Certificate.objects.filter(own | Q(application__isnull=True, person__unit_id=org.pk))
    if role == Role.COMMITTEE_OFFICE:
        names = Committee.objects.filter(office_id=org.pk).values("name")
        return Certificate.objects.filter(own | Q(application__isnull=True, committee_name__in=names))
    return Certificate.objects.filter(own)


def _certificates(of_year) -> tuple[Table, int, dict]:
    """The year's declarations' e-certificates, and how often they were looked up (the verification log)."""
    issued = dict(Certificate.objects.filter(application__in=of_year)
                  .order_by().values_list("status").annotate(n=Count("pk")))
    lookups = (VerificationLookup.objects.filter(found=True, certificate__application__in=of_year)
               .order_by().aggregate(lookups=Count("pk"), certificates=Count("certificate", distinct=True)))
    total = sum(issued.values())
    rows = [
        [_("已发电子证书"), total],
        [_("其中有效"), issued.get(CertificateStatus.VALID, 0)],
        [_("其中已撤销"), issued.get(CertificateStatus.REVOKED, 0)],
        [_("被查验过的证书"), lookups["certificates"]],
        [_("查验次数（查到证书的）"), lookups["lookups"]],
    ]
    return Table("certificates", _("电子证书的发放与查验"), [_("事项"), _("数量")], rows), total, lookups


def _years(user, applications) -> Table:
    """Every year's declarations and titles granted in scope: the comparison over years (history import included)."""
    declared = dict(applications.order_by().values_list("plan__year").annotate(n=Count("pk")))
    passed = dict(applications.filter(state__in=PASSED_STATES).order_by().values_list("plan__year").annotate(n=Count("pk")))
    granted: dict = defaultdict(lambda: defaultdict(int))
    for kind, y, n in (certificates_in_scope(user, applications).order_by().annotate(y=ExtractYear("approval_date"))
                       .values_list("kind", "y").annotate(n=Count("pk"))):
        granted[y][kind] += n
    years = sorted(set(declared) | set(granted))
    rows = [[y, declared.get(y, 0), passed.get(y, 0), granted[y][CertificateKind.REVIEW], granted[y][CertificateKind.HISTORY],
             granted[y][CertificateKind.EXCHANGE]] for y in years]
    return Table("years", _("历年比较（含历年职称记录导入）"),
                 [_("年度"), _("申报（件）"), _("评审通过（人）"), _("评审发证（张）"), _("历年记录导入（张）"), _("换发证书（张）")],
                 rows, chart="line", value_columns=(1, 2, 4), unit="",
                 note=_("证书按取得（核准）日期的年份计；历年职称记录来自历史数据导入。"))


def overview(user, year: int) -> dict:
    """The dashboard's numbers at a glance (the supervisor's and the regional department's): the year's declarations
    by group of states, the pass rate, certificates issued and the slowest desk, in a handful of queries."""
    in_scope = Application.objects.for_user(user)
    applications = in_scope.filter(plan__year=year)
    by_state = dict(applications.order_by().values_list("state").annotate(n=Count("pk")))
    passed = sum(n for s, n in by_state.items() if s in PASSED_STATES)
    failed = by_state.get(State.FAILED, 0)
    _tables, slowest = _stays(user, in_scope, year)
    return {
        "year": year, "total": sum(by_state.values()), "passed": passed, "failed": failed, "pass_rate": _rate(passed, failed),
        "groups": [(key, label, sum(n for s, n in by_state.items() if s in states)) for key, label, states in STATE_GROUPS],
        "certificates": Certificate.objects.filter(application__in=applications.values("pk")).count(),
        "slowest": slowest,
    }
