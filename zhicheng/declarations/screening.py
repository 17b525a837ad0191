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
from zhicheng.people.models import HonourCode

from .models import Application
from .states import State


def _d(value):
    return value.isoformat() if value else None


def build_facts(app: Application, applied_on=None) -> dict:
    person, unit = app.person, app.unit
    applied_on = applied_on or (app.submitted_at.astimezone(clock.CHINA).date() if app.submitted_at else clock.today())
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
            "post_management": unit.post_management,
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
            for t in person.titleheld_records.all()
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
        "exceptional_used": person.exceptional_used,
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

    ``ruleset`` defaults to the one governing the plan's year (zhicheng.policy.ruleset_for)."""
    from zhicheng import policy  # plain Python, no Django: imported where it is used

    decision = policy.evaluate(build_facts(app, applied_on), ruleset=ruleset)
    _store(app, decision, actor)
    return decision


def _store(app: Application, decision: dict, actor) -> None:
    with transaction.atomic():
        before = {"eligible": app.eligible, "route": app.route, "ruleset": app.ruleset}
        app.decision = decision
        app.eligible = bool(decision["eligible"])
        app.route = first_eligible_route(decision)
        app.ruleset = decision.get("ruleset", "")
        app.screened_at = clock.now()
        app.save(update_fields=["decision", "eligible", "route", "ruleset", "screened_at", "updated_at"])
        audit("application.screen", app, actor=actor, before=before,
              after={"eligible": app.eligible, "route": app.route, "ruleset": app.ruleset},
              summary=f"资格审查：{'符合' if app.eligible else '不符合'}申报条件")


@dataclass
class ScreeningChange:
    application_id: int
    person: str
    before_eligible: bool | None
    after_eligible: bool
    before_route: str
    after_route: str
    reasons: list[str]


def rescreen_year(year: int, actor=None, ruleset=None, *, progress: Callable = no_progress,
                  on_written: Callable[[list[ScreeningChange], int], None] | None = None) -> list[ScreeningChange]:
    """Re-screen every submitted declaration of a year; return those whose outcome changed, with why.

    Each declaration is screened as of the day it was submitted: a rule change must not turn a
    declaration made in time into a late one. All are evaluated first and their decisions stored in
    one transaction, so a re-screening that stops half-way (its worker killed) stores none;
    ``on_written(changes, screened)`` runs inside that transaction. ``progress`` as in jobs.runner."""
    from zhicheng import policy

    apps = list(
        Application.objects.filter(plan__year=year).exclude(state=State.DRAFT).order_by("pk")
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
        decisions.append(policy.evaluate(build_facts(app), ruleset=ruleset))
        progress(done, phase=phase)
    # One transaction for all: as in the history import, its progress shows on PostgreSQL only.
    writing = _("写入中（全部结论在一个事务中写入）")
    progress(0, len(apps), phase=writing)
    changes = []
    with transaction.atomic():
        for done, (app, decision) in enumerate(zip(apps, decisions), start=1):
            progress(done, phase=writing)
            before_eligible, before_route = app.eligible, app.route
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
