"""From the person's archive to the eligibility engine's facts, and the stored decision.

Building the facts and evaluating them is one function (screen). The decision is stored
with the declaration together with the rule-set version that produced it, so re-screening
after a rule change can say who changed and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _


from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.jobs.runner import no_progress
from zhicheng.people.models import EmploymentRelation, HonourCode, TitleVia

from .models import Application
from .states import FINAL_STATES, State, is_recognition


def _d(value):
    return value.isoformat() if value else None


class ScreeningError(Exception):
    """The archive or the choice holds values the engine cannot read; ``reasons`` say which, in Chinese.

    Nothing was decided: the pages show the reasons and ask for the correction, never a 500."""

    def __init__(self, reasons: list[str]):
        super().__init__("；".join(reasons))
        self.reasons = reasons


def screening_problems(app: Application, records=None) -> list[str]:
    """What keeps the engine from reading this declaration's facts: codes outside their catalogue.
    ``records``: the person's archive records, where the caller has read them already."""
    from zhicheng.people.codes import archive_problems
    from zhicheng.people.services import FACT_KINDS
    from zhicheng.policy.codes import LEVELS, SERIES

    problems = []
    if app.series.code not in SERIES:
        problems.append(_("职称系列“%(series)s”尚未纳入资格审查规则，暂时无法预审，请咨询人力资源社会保障部门。") % {"series": app.series.name})
    if app.level not in LEVELS:
        problems.append(_("申报层级“%(level)s”不是可选的层级，请重新选择。") % {"level": app.level})
    return problems + archive_problems(app.person, kinds=FACT_KINDS, records=records)


def evaluate(app: Application, applied_on=None, ruleset=None) -> dict:
    """The engine's decision on facts built from validated values only; ScreeningError when there are none."""
    from zhicheng import policy  # plain Python, no Django: imported where it is used
    from zhicheng.policy.facts import FactsError

    problems = screening_problems(app)
    if problems:
        raise ScreeningError(problems)
    try:
        return policy.evaluate(build_facts(app, applied_on), ruleset=ruleset)
    except FactsError as exc:  # a value the catalogue checks above do not cover: explained, not a 500
        raise ScreeningError([_("档案信息有误，暂时无法预审（%(path)s：%(message)s），请核对“我的档案”后再试。") % {
            "path": exc.path, "message": exc.message}]) from exc


def build_facts(app: Application, applied_on=None) -> dict:
    person, unit = app.person, app.unit
    applied_on = applied_on or (app.submitted_at.astimezone(clock.CHINA).date() if app.submitted_at else clock.today())
    # The titles held on the day of the declaration (三（一）): not the one this declaration led to, nor a later one
    # (re-screened after certification, its own 破格 title read as a 破格 used before).
    titles = [t for t in person.titleheld_records.all() if t.obtained_on <= applied_on]
    # A freelancer's unit is the talent exchange service keeping their file (四（五）1): its area and level place the
    # declaration, but the freelancer holds none of its posts, so its post management is not theirs (五（五）2).
    own_post = person.employment_relation != EmploymentRelation.FREELANCE
    facts = {
        "year": app.plan.year,
        "applied_on": applied_on.isoformat(),
        "target": {"series": app.series.code, "level": app.level},
        "person": {
            "birth_date": person.birth_date.isoformat(),
            "nationality": person.nationality,
            "foreign_permit": person.foreign_permit or None,
            "civil_servant": person.civil_servant,
            "retired": person.retired,
        },
        "employment": {
            "in_region": True,
            "relation": person.employment_relation,
            "sector": unit.sector,
            "unit_level": unit.level,
            "post_management": unit.post_management and own_post,
            "central_or_out_of_region_unit": unit.central_or_out_of_region,
            "entrusted": bool(app.entrustment_letter_id),
        },
        "education": [
            {"level": e.level, "full_time": e.full_time, "graduated_on": e.graduated_on.isoformat(), "related_major": e.related_major}
            for e in person.education_records.all()
        ],
        "work": [
            {"from": w.started_on.isoformat(), "to": _d(w.ended_on), "professional": w.professional,
             **({"series": w.series} if w.series else {}), "unit_level": w.unit_level, "sector": w.sector}
            for w in person.workperiod_records.all()
        ],
        "titles": [
            {"series": t.series, "level": t.level, "obtained_on": t.obtained_on.isoformat(), "via": t.via}
            for t in titles
        ],
        "qualifications": [
            {"name": q.name, "obtained_on": q.obtained_on.isoformat(), **({"series": q.series, "level": q.level} if q.series and q.level else {})}
            for q in person.qualification_records.all()
        ],
        "honours": [{"code": h.code, "year": h.year} for h in person.honour_records.all() if h.code != HonourCode.OTHER],
        "awards": [
            {"name": a.name, "scope": a.scope, "grade": a.grade, "rated_winner": a.rated_winner, "year": a.year}
            for a in person.award_records.all()
        ],
        "epidemic": {
            "frontline": app.epidemic_frontline, "hubei_aid": app.epidemic_hubei_aid,
            "designated_hospital": app.epidemic_designated_hospital, "commended_provincial": app.epidemic_commended_provincial,
        },
        "introduced_high_level_talent": person.introduced_high_level_talent,
        "urgently_needed_talent": person.urgently_needed_talent,
        # 五（四）5: a title the archive records as obtained by exception is that use, whether or not the box was ticked.
        "exceptional_used": person.exceptional_used or any(t.via == TitleVia.EXCEPTIONAL for t in titles),
        "blacklisted": [{"listed_on": b.listed_on.isoformat(), "reason": b.reason} for b in person.blacklist_entries.all()],
        "rural_service_years": float(person.rural_service_years),
    }
    if person.transferred_in_from and person.transferred_in_on:
        earlier = Application.objects.filter(person=person).exclude(pk=app.pk).exclude(state=State.DRAFT).exists()
        facts["transferred_in"] = {"from": person.transferred_in_from, "on": person.transferred_in_on.isoformat(), "first_application": not earlier}
    if person.postdoc_in_station:
        facts["postdoc"] = {
            "in_station": True, "foundation_grant": person.postdoc_foundation_grant,
            "leads_provincial_project": person.postdoc_leads_provincial_project, "stays_in_enterprise": person.postdoc_stays_in_enterprise,
        }
    if person.high_skill_level and person.high_skill_obtained_on:
        facts["high_skill"] = {"level": person.high_skill_level, "obtained_on": person.high_skill_obtained_on.isoformat()}
    if app.new_post_since:
        facts["series_change"] = {"new_series": app.series.code, "new_post_since": app.new_post_since.isoformat()}
    return facts


def first_eligible_route(decision: dict) -> str:
    for route in decision.get("routes", []):
        if route.get("eligible"):
            return route["route"]
    return ""


def screen(app: Application, actor=None, applied_on=None, ruleset=None) -> dict:
    """Build the facts from the archive, evaluate them, store the decision with its rule-set version.

    ``ruleset`` defaults to the one governing the plan's year (zhicheng.policy.ruleset_for). When the
    archive holds values the engine cannot read, the stored decision is withdrawn (an earlier one would
    no longer describe the archive) and ScreeningError says why."""
    try:
        decision = evaluate(app, applied_on, ruleset)
    except ScreeningError as exc:
        _withdraw(app, exc.reasons, actor)
        raise
    _store(app, decision, actor)
    return decision


def rescreen(app: Application, actor=None) -> list[str]:
    """Renew the decision after the archive or the draft changed; the change itself stands. Returns why
    the engine could not read the archive (the decision then withdrawn), or nothing."""
    try:
        screen(app, actor=actor)
    except ScreeningError as exc:
        return exc.reasons
    return []


def _withdraw(app: Application, reasons: list[str], actor) -> None:
    if app.pk is None:
        return
    with transaction.atomic():
        before = {"eligible": app.eligible, "route": app.route, "ruleset": app.ruleset}
        app.decision, app.eligible, app.route, app.screened_at = None, None, "", clock.now()
        fields = ["decision", "eligible", "route", "screened_at", "updated_at"]
        if _refee(app, before["route"]):  # no route known: the level's fee stands until one is
            fields.append("fee_amount")
        app.save(update_fields=fields)
        audit("application.screen", app, actor=actor, before=before, after={"eligible": None, "problems": reasons},
              summary="资格审查未能进行：" + "；".join(reasons))


def _store(app: Application, decision: dict, actor) -> None:
    with transaction.atomic():
        before = {"eligible": app.eligible, "route": app.route, "ruleset": app.ruleset, "fee_amount": str(app.fee_amount)}
        app.decision = decision
        app.eligible = bool(decision["eligible"])
        app.route = first_eligible_route(decision)
        app.ruleset = decision.get("ruleset", "")
        app.screened_at = clock.now()
        fields = ["decision", "eligible", "route", "ruleset", "screened_at", "updated_at"]
        after = {"eligible": app.eligible, "route": app.route, "ruleset": app.ruleset}
        if _refee(app, before["route"]):
            fields.append("fee_amount")
            after["fee_amount"] = str(app.fee_amount)
        else:
            del before["fee_amount"]
        app.save(update_fields=fields)
        audit("application.screen", app, actor=actor, before=before, after=after,
              summary=f"资格审查：{'符合' if app.eligible else '不符合'}申报条件")


def _refee(app: Application, before_route: str) -> bool:
    """The fee follows the route while it is still to be paid: none on a recognition route (五（十二）), the level's
    standard again when the route is no longer one. Returns whether fee_amount changed."""
    from .drafting import FEE_STATES
    from .services import review_fee

    if app.fee_paid_at or app.state not in FEE_STATES or not (is_recognition(app.route) or is_recognition(before_route)):
        return False
    fee = review_fee(app.level, app.route)
    changed = app.fee_amount != fee
    app.fee_amount = fee
    return changed


@dataclass
class ScreeningChange:
    application_id: int
    person: str
    before_eligible: bool | None
    after_eligible: bool
    before_route: str
    after_route: str
    reasons: list[str]
    # False: the archive could not be read (ScreeningError); the stored decision was kept, ``reasons`` say why.
    screened: bool = True


def rescreened_in(year: int):
    """The declarations a re-screening of ``year`` reads: submitted, not closed."""
    return Application.objects.filter(plan__year=year).exclude(state=State.DRAFT).exclude(state__in=FINAL_STATES)


def rescreen_year(year: int, actor=None, ruleset=None, *, progress: Callable = no_progress,
                  on_written: Callable[[list[ScreeningChange], int], None] | None = None) -> list[ScreeningChange]:
    """Re-screen every declaration of a year still in progress; return those whose outcome changed, with why.

    Each declaration is screened as of the day it was submitted: a rule change must not turn a
    declaration made in time into a late one. Closed ones (certified, failed, withdrawn, returned,
    revoked) keep the decision they were closed on. All are evaluated first and their decisions stored in
    one transaction, so a re-screening that stops half-way (its worker killed) stores none;
    ``on_written(changes, screened)`` runs inside that transaction. ``progress`` as in jobs.runner."""
    apps = list(
        rescreened_in(year).order_by("pk")
        .select_related("person", "unit", "plan", "series")
        .prefetch_related(
            "person__education_records", "person__workperiod_records", "person__titleheld_records",
            "person__qualification_records", "person__honour_records", "person__award_records", "person__blacklist_entries",
        )
    )
    phase = _("按现行规则逐份审查")
    progress(0, len(apps), phase=phase)
    decisions = []
    for done, app in enumerate(apps, start=1):
        try:
            decisions.append(evaluate(app, ruleset=ruleset))
        except ScreeningError as exc:
            decisions.append(exc)
        progress(done, phase=phase)
    # One transaction for all: as in the history import, its progress shows on PostgreSQL only.
    writing = _("写入中（全部结论在一个事务中写入）")
    progress(0, len(apps), phase=writing)
    changes = []
    with transaction.atomic():
        for done, (app, decision) in enumerate(zip(apps, decisions), start=1):
            progress(done, phase=writing)
            before_eligible, before_route = app.eligible, app.route
            if isinstance(decision, ScreeningError):
                # Kept as it stood, and listed with the reason: one unreadable archive does not stop the year.
                changes.append(ScreeningChange(app.pk, app.person.name, before_eligible, before_eligible, before_route,
                                               before_route, [_("未能重新审查：") + reason for reason in decision.reasons],
                                               screened=False))
                continue
            _store(app, decision, actor)
            if decision["eligible"] != before_eligible or app.route != before_route:
                reasons = [b["text"] for b in decision.get("blocks", [])]
                reasons += [
                    f["text"] for r in decision.get("routes", []) if r["route"] in (before_route, app.route)
                    for f in r.get("findings", []) if not f.get("holds")
                ]
                changes.append(ScreeningChange(app.pk, app.person.name, before_eligible, decision["eligible"], before_route,
                                               app.route, reasons))
        if on_written is not None:
            on_written(changes, len(apps))
    return changes
