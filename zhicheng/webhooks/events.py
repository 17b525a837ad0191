"""The events of the declaration workflow, written as deliveries inside the step that caused them.

Registered with the workflow (declarations.registry.observer) from WebhooksConfig.ready(): every step of
transition()/transition_many() reaches ``queue_events`` with its batch, inside the step's transaction, so a
delivery exists exactly when its step committed. A step nobody subscribes to costs one query (the active
subscriptions); with subscribers, a batch costs one query per subscribing account that may see some of it (its scope), one for the
certificates when a certificate event is wanted, one INSERT of the deliveries and one task row per subscription
told of something — per batch, however many declarations it moves.

A subscriber hears only of the declarations its creating account sees on the pages
(Application.objects.for_user), so an employer's HR system hears of its own unit's declarations only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from zhicheng.accounts.roles import Role
from zhicheng.core.canonical import canonical_json
from zhicheng.declarations.models import Application
from zhicheng.declarations.registry import observer
from zhicheng.declarations.states import State

from .models import Delivery, EventKind, Subscription

# The steps that record a review's result (七（四）; a veto and an overturn in the result's publicity are results too), and
# a recognition's (五（十二））.
RESULTS = {"record_pass": "passed", "record_fail": "failed", "veto": "failed", "overturn": "failed",
           "recognise": "passed", "refuse_recognition": "failed"}  # nosec B105 - step names mapped to outcomes, not a password


def _declaration(app) -> dict:
    return {
        "id": app.pk, "year": app.plan.year, "applicant": app.person.name,
        "series": app.series.code, "series_name": app.series.name, "level": app.level, "level_label": app.get_level_display(),
        "specialty": app.specialty.name if app.specialty_id else "", "title": app.title_label,
        "unit": {"name": app.unit.name, "credit_code": app.unit.credit_code or ""},
        "committee": app.committee.name if app.committee_id else "",
        "state": app.state, "state_label": State(app.state).label,
    }


def _certificate(cert) -> dict | None:
    if cert is None:
        return None
    return {"number": cert.number, "title_name": cert.title_name, "level": cert.level, "series_name": cert.series_name,
            "specialty": cert.specialty, "issuer_name": cert.issuer_name, "issued_on": cert.issued_on,
            "approval_document_number": cert.approval_document_number, "status": cert.status, "revoked_on": cert.revoked_on,
            "revocation_document_number": cert.revocation_document_number}


def _may_see(account, app) -> bool:
    """Whether for_user(account) could show the declaration, judged from what the step loaded with it: a necessary
    condition only (for_user decides), so that only the accounts that may see some of a batch cost a query."""
    org_id = account.organisation_id
    if account.role == Role.EMPLOYER_HR:
        return app.unit_id == org_id
    if account.role == Role.COMPETENT_DEPARTMENT:
        return app.unit.competent_department_id == org_id
    if account.role == Role.RECOMMENDING_BODY:
        return app.recommender_id == org_id
    if account.role == Role.HR_BUREAU:
        return app.recommender_id == org_id or app.unit.area.path.startswith(account.organisation.area.path)
    if account.role == Role.COMMITTEE_OFFICE:
        return app.committee_id is not None and app.committee.office_id == org_id
    return True  # the talent centre and the regional department: for_user decides


def _kinds_of(step) -> list[str]:
    action = step.transition.action
    kinds = [EventKind.STATE_CHANGED]
    if action in RESULTS:
        kinds.append(EventKind.RESULT_RECORDED)
    elif action == "certify":
        kinds.append(EventKind.CERTIFICATE_ISSUED)
    elif action == "revoke":
        kinds.append(EventKind.CERTIFICATE_REVOKED)
    return kinds


@observer
def queue_events(steps, ctx, now) -> None:
    subscriptions = [s for s in Subscription.objects.filter(active=True).select_related("created_by__organisation__area")
                     if s.speaks_for_its_organisation()]
    if not subscriptions:
        return
    wanted = {kind for s in subscriptions for kind in s.event_kinds}
    # Each declaration's events of this step, built once and shared by every subscriber told of them.
    events: dict[int, list[tuple[str, uuid.UUID]]] = defaultdict(list)
    certificates = None
    for step in steps:
        for kind in _kinds_of(step):
            if kind in wanted:
                events[step.application.pk].append((kind, uuid.uuid4()))
    if not events:
        return
    # Each subscribing account's scope over the batch: one query per account that may see some of it, not per declaration.
    by_account: dict[int, list[Subscription]] = defaultdict(list)
    for s in subscriptions:
        by_account[s.created_by_id].append(s)
    apps = {step.application.pk: step.application for step in steps}
    told: list[tuple[list[Subscription], list[int]]] = []
    for subs in by_account.values():
        account = subs[0].created_by
        candidates = [pk for pk in events if _may_see(account, apps[pk])]
        if candidates:
            pks = Application.objects.for_user(account).filter(pk__in=candidates).values_list("pk", flat=True)
            told.append((subs, sorted(set(pks))))
    # The bodies of the declarations someone is told of, and only those: a batch nobody sees costs no JSON.
    seen = {pk for _subs, pks in told for pk in pks}
    if {EventKind.CERTIFICATE_ISSUED, EventKind.CERTIFICATE_REVOKED} & {kind for pk in seen for kind, _ in events[pk]}:
        from zhicheng.certificates.models import Certificate

        certificates = {c.application_id: c for c in Certificate.objects.filter(application_id__in=sorted(seen))}
    bodies = {}
    for step in steps:
        app, t = step.application, step.transition
        if app.pk not in seen:
            continue
        for kind, event_id in events[app.pk]:
            data = {"declaration": _declaration(app),
                    "step": {"action": t.action, "label": t.label, "from_state": step.source, "to_state": t.target,
                             "note": ctx.note}}
            if kind == EventKind.RESULT_RECORDED:
                data["result"] = RESULTS[t.action]
            if kind in (EventKind.CERTIFICATE_ISSUED, EventKind.CERTIFICATE_REVOKED):
                # A title revoked after its filing and before its certificate has none.
                data["certificate"] = _certificate(certificates.get(app.pk))
            body = {"id": event_id, "kind": str(kind), "occurred_at": now, "data": data}
            bodies[event_id] = canonical_json(body).decode()
    deliveries = [Delivery(subscription=s, event_id=event_id, kind=kind, body=bodies[event_id])
                  for subs, pks in told for s in subs for pk in pks for kind, event_id in events[pk] if kind in s.event_kinds]
    if not deliveries:
        return
    Delivery.objects.bulk_create(deliveries)
    from .delivery import send_soon

    send_soon(deliveries)
