"""Registering an applicant and keeping the achievement archive, every change audited.

A change of the archive renews the engine's decision on the person's open drafts, so the
wizard always shows the routes of the archive as it now stands.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.audit.context import current
from zhicheng.audit.services import record as audit
from zhicheng.core import clock

from .models import ARCHIVE_MODELS, UNREAD_PERSON_FIELDS, Person


class RegistrationLimited(Exception):
    """Too many registrations from one network address in the last hour; nothing was changed."""

    def __init__(self, limit: int):
        super().__init__(_("同一网络地址每小时最多提交%(limit)d次注册，请稍后再试。") % {"limit": limit})


REGISTRATION_ACTIONS = ("person.register", "person.register_declined")


def _check_registration_rate() -> None:
    from zhicheng.audit.models import AuditEntry

    ip, limit = current.get().ip, settings.REGISTRATIONS_PER_ADDRESS_PER_HOUR
    since = clock.now() - dt.timedelta(hours=1)
    if ip and AuditEntry.objects.filter(action__in=REGISTRATION_ACTIONS, ip=ip, at__gt=since).count() >= limit:
        raise RegistrationLimited(limit)


def register_applicant(*, name: str, id_number: str, phone: str, email: str, unit, password: str,
                       employment_relation: str):
    """A Person from a checked 身份证 number and the applicant's own account; the number is the login.

    Returns None, creating nothing, when the number already has an archive. The caller answers the
    same either way (and the password is hashed either way, so the time taken tells nothing), so that
    registering cannot be used to find out whether a number is on file. Both outcomes are audited with
    the caller's address, which the per-address limit counts."""
    from zhicheng.accounts.models import User

    _check_registration_rate()
    user = User(username=id_number, role=Role.APPLICANT, first_name=name.strip()[:150], email=email.strip(), phone=phone.strip())
    user.set_password(password)
    try:
        with transaction.atomic():
            person = Person.objects.create(name=name.strip(), id_number=id_number, phone=phone.strip(), email=email.strip(), unit=unit,
                                           employment_relation=employment_relation)
            user.person = person
            user.save()
            audit("person.register", person, actor=user, after={"unit": getattr(unit, "pk", None), "employment_relation": employment_relation},
                  summary=f"{person.name}注册为申报人")
    except IntegrityError:  # the number (or an account named by it) exists
        existing = Person.objects.filter(id_number=id_number).values_list("pk", flat=True).first()
        audit("person.register_declined", object_type="people.person", object_id=str(existing or ""),
              summary="以已有档案的身份证号码提交注册，未受理")
        return None
    return user


def kind_of(record) -> str:
    return next(kind for kind, model in ARCHIVE_MODELS.items() if isinstance(record, model))


def _snapshot(record) -> dict:
    return model_to_dict(record, exclude=["evidence", "person"])


def save_record(record, actor, *, new_evidence=(), drop_evidence_ids=()) -> list[str]:
    """Create or change one archive record of the actor's own person, with its evidence files.

    Returns why the open drafts could not be screened again (other records still to correct), or nothing."""
    if record.person_id != actor.person_id:
        raise PermissionError("只能修改本人的档案。")
    kind = kind_of(record)
    before = _snapshot(type(record).objects.get(pk=record.pk)) if record.pk else None
    with transaction.atomic():
        record.save()
        if drop_evidence_ids:
            record.evidence.remove(*drop_evidence_ids)
        if new_evidence:
            record.evidence.add(*new_evidence)
        audit(f"archive.{'change' if before else 'add'}", record, actor=actor, before=before,
              after={**_snapshot(record), "evidence": [f.sha256 for f in new_evidence]},
              summary=f"{'修改' if before else '新增'}{record.kind_label}：{record.summary()}")
    return rescreen_open_drafts(record.person, actor) if kind in FACT_KINDS else []


def delete_record(record, actor) -> list[str]:
    """Remove a record after the applicant confirmed it. Submitted versions keep their frozen copy;
    drafts drop it from their selection. Returns what rescreen_open_drafts returns."""
    from zhicheng.declarations.models import SelectedRecord
    from zhicheng.declarations.states import State

    if record.person_id != actor.person_id:
        raise PermissionError("只能删除本人的档案。")
    kind = kind_of(record)
    person = record.person
    with transaction.atomic():
        SelectedRecord.objects.filter(
            kind=kind, record_id=record.pk, version=0, application__person_id=person.pk,
            application__state__in=(State.DRAFT, State.CORRECTION_REQUESTED),
        ).delete()
        audit("archive.delete", record, actor=actor, before=_snapshot(record), summary=f"删除{record.kind_label}：{record.summary()}")
        record.delete()
    return rescreen_open_drafts(person, actor) if kind in FACT_KINDS else []


# The archive kinds the engine reads (screening.build_facts); other kinds do not change a decision.
FACT_KINDS = frozenset({"education", "work", "title", "qualification", "honour", "award"})


def save_person_facts(person: Person, actor, values: dict) -> list[str]:
    """Change the facts about the actor's own person (people.forms.PersonFactsForm's fields), audited with what
    was there before; when the engine reads a changed one, the open drafts are screened again (their reasons
    returned, as save_record's)."""
    if person.pk != actor.person_id:
        raise PermissionError("只能修改本人的信息。")
    # Read from the database: a model form has already put the new values on the instance it was given.
    before = Person.objects.filter(pk=person.pk).values(*values).get()
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return []
    with transaction.atomic():
        for name, value in changed.items():
            setattr(person, name, value)
        person.save(update_fields=list(changed))
        labels = "、".join(str(Person._meta.get_field(name).verbose_name) for name in changed)
        audit("person.change", person, actor=actor, before={name: before[name] for name in changed}, after=changed,
              summary=f"修改个人信息：{labels}")
    return rescreen_open_drafts(person, actor) if set(changed) - UNREAD_PERSON_FIELDS else []


def rescreen_open_drafts(person: Person, actor) -> list[str]:
    """Renew the open drafts' decisions after a change the engine reads (the callers know which changes those are);
    the reasons (each once) where the archive cannot be read."""
    from zhicheng.declarations.screening import rescreen
    from zhicheng.declarations.states import State

    reasons = []
    for app in person.applications.filter(state__in=(State.DRAFT, State.CORRECTION_REQUESTED)).select_related("plan", "series", "unit"):
        reasons += [r for r in rescreen(app, actor=actor) if r not in reasons]
    return reasons
