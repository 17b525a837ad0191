"""Recusal (回避): conflicts found from the records, and those experts declare themselves.

A recused expert sees nothing of the declaration (declarations.querysets), is left out of its
panel (panels.assign) and does not vote on it (meeting.cast_ballot). Every recusal is
audited.

Rules read from the records (``plan.recusal_years`` = N):
* the expert works at the applicant's unit — except in that unit's own self-review committee,
  where every applicant and the unit's experts are colleagues by definition (五（三）); there the
  notice's safeguard is the quota of outside peer experts (七（四）5) instead;
* the expert worked at the applicant's unit within the last N years (declared former units and
  the expert's own work records), or the applicant worked at the expert's unit within N years;
* the applicant is a relative the expert declared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.people.models import WorkPeriod

from .models import Assignment, Expert, RecusalSource, Recusal, RelationKind, ReviewPlan


class RecusalError(ValidationError):
    pass


@dataclass
class ExpertFacts:
    unit_id: int
    unit_name: str
    relatives: dict[str, str] = field(default_factory=dict)  # id number → relationship
    former_units: list[tuple[int, str, dt.date | None]] = field(default_factory=list)  # unit, name, left on (None: still there)


@dataclass
class ApplicantFacts:
    application_id: int
    unit_id: int
    unit_name: str
    id_number: str
    name: str
    former_units: list[tuple[int, dt.date | None]] = field(default_factory=list)


def _cutoff(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def expert_facts(experts: list[Expert]) -> dict[int, ExpertFacts]:
    facts = {e.pk: ExpertFacts(e.unit_id, e.unit.name) for e in experts}
    by_person = {e.person_id: e.pk for e in experts}
    for e in experts:
        for relation in e.relations.all():
            if relation.kind == RelationKind.RELATIVE:
                facts[e.pk].relatives[relation.relative_id_number] = relation.relationship or "亲属"
            elif relation.former_unit_id:
                facts[e.pk].former_units.append((relation.former_unit_id, relation.former_unit.name, relation.ended_on))
    for period in WorkPeriod.objects.filter(person_id__in=by_person, unit__isnull=False).select_related("unit"):
        facts[by_person[period.person_id]].former_units.append((period.unit_id, period.unit.name, period.ended_on))
    return facts


def applicant_facts(applications) -> dict[int, ApplicantFacts]:
    facts = {a.pk: ApplicantFacts(a.pk, a.unit_id, a.unit.name, a.person.id_number, a.person.name) for a in applications}
    by_person = {a.person_id: a.pk for a in applications}
    for period in WorkPeriod.objects.filter(person_id__in=by_person, unit__isnull=False):
        facts[by_person[period.person_id]].former_units.append((period.unit_id, period.ended_on))
    return facts


def conflict_reasons(expert: ExpertFacts, applicant: ApplicantFacts, *, self_review_unit_id: int | None,
                     day: dt.date, years: int) -> list[str]:
    reasons = []
    cutoff = _cutoff(day, years)
    if expert.unit_id == applicant.unit_id and self_review_unit_id != applicant.unit_id:
        reasons.append(f"与申报人同一工作单位（{applicant.unit_name}）")
    for unit_id, name, left in expert.former_units:
        if unit_id == applicant.unit_id and unit_id != expert.unit_id and (left is None or left >= cutoff):
            when = "现仍在该单位兼职" if left is None else f"{left:%Y年%m月}离开"
            reasons.append(f"{years}年内曾在申报人单位{name}工作（{when}）")
    for unit_id, left in applicant.former_units:
        if unit_id == expert.unit_id and unit_id != applicant.unit_id and (left is None or left >= cutoff):
            reasons.append(f"申报人{years}年内曾在评委所在单位{expert.unit_name}工作")
    if applicant.id_number in expert.relatives:
        reasons.append(f"申报人系评委申报的{expert.relatives[applicant.id_number]}")
    return reasons


def plan_applications(plan: ReviewPlan):
    from .plans import PLAN_STATES, declarations_of

    return declarations_of(plan).filter(state__in=PLAN_STATES).select_related("person", "unit")


def detect(plan: ReviewPlan, experts: list[Expert], applications, actor=None) -> list[Recusal]:
    """Record a recusal for every conflict the records show between these experts and declarations."""
    experts = list(Expert.objects.filter(pk__in=[e.pk for e in experts]).select_related("unit", "person")
                   .prefetch_related("relations__former_unit"))
    applications = list(applications)
    e_facts, a_facts = expert_facts(experts), applicant_facts(applications)
    existing = set(Recusal.objects.filter(plan=plan).values_list("expert_id", "application_id"))
    day = clock.today()
    created = []
    with transaction.atomic():
        for expert in experts:
            for app in applications:
                if (expert.pk, app.pk) in existing:
                    continue
                reasons = conflict_reasons(e_facts[expert.pk], a_facts[app.pk], self_review_unit_id=plan.committee.self_review_unit_id,
                                           day=day, years=plan.recusal_years)
                if reasons:
                    created.append(_record(plan, expert, app, RecusalSource.DATA, reasons, actor))
    return created


def _record(plan, expert, app, source, reasons, actor) -> Recusal:
    recusal = Recusal.objects.create(plan=plan, expert=expert, application=app, source=source, reasons=reasons,
                                     recorded_at=clock.now(), recorded_by=actor)
    Assignment.objects.filter(expert=expert, application=app).update(recused=True)
    audit("review.recusal", recusal, actor=actor, after={"expert": expert.pk, "application": app.pk, "source": source, "reasons": reasons},
          summary=f"{expert.person.name}回避{app.person.name}的申报：{'；'.join(reasons)}")
    return recusal


def declare(plan: ReviewPlan, expert: Expert, application, reason: str, actor) -> Recusal:
    """The expert's own declaration of a conflict (本人申请回避)."""
    if not reason.strip():
        raise RecusalError(_("请说明回避事由。"))
    if Recusal.objects.filter(plan=plan, expert=expert, application=application).exists():
        raise RecusalError(_("您已就该申报回避。"))
    with transaction.atomic():
        return _record(plan, expert, application, RecusalSource.DECLARED, [f"本人申请：{reason.strip()}"], actor)


def recused_pairs(plan: ReviewPlan) -> set[tuple[int, int]]:
    return set(Recusal.objects.filter(plan=plan).values_list("expert_id", "application_id"))
