"""Applicants made in bulk, for the benchmarks and the tests that need thousands of declarations.

One template declaration per profile is made by the application's own functions (the person and
archive, start_declaration, screening, the pledge); every applicant of the bench is then a copy of
a template with a person of its own (a valid 身份证 number, its birth date and sex read from it),
the archive records, an account, the declaration with the template's screening decision and
selections, and the signed pledge (its digest recomputed over the copy's 身份证 number), all written
with bulk_create a few thousand rows at a time. A hundred thousand applicants take minutes, not hours.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.certificates.models import PledgeRecord
from zhicheng.core.identifiers import birth_date_from_id, sex_from_id
from zhicheng.declarations.models import Application, SelectedRecord
from zhicheng.demo.ids import id_number
from zhicheng.demo.loader import latest_birth_year
from zhicheng.people.models import ARCHIVE_MODELS, Person

BATCH = 2000


def make_templates(loader, profiles: list[dict]) -> list:
    """One screened declaration with a signed pledge per profile, by the application's own functions."""
    from zhicheng.catalogue.models import AnnualPlan, Series, Specialty
    from zhicheng.core import clock
    from zhicheng.declarations.screening import screen
    from zhicheng.declarations.services import sign_pledge, start_declaration
    from zhicheng.files.services import store_file
    from zhicheng.orgs.models import Organisation

    plan, letter, templates = AnnualPlan.objects.get(year=2021), None, []
    for i, profile in enumerate(profiles):
        series = Series.objects.get(code=profile["series"])
        person = loader._new_person(Organisation.objects.get(name=profile["unit"]), min(1975 + i, latest_birth_year(profile)))
        loader._archive(person, profile)
        account = loader._account(f"t{person.pk}", Role.APPLICANT, person=person)
        recommender = Organisation.objects.get(name=profile["recommender"]) if profile.get("recommender") else None
        app = start_declaration(person=person, plan=plan, series=series, level=profile["level"], actor=account, recommender=recommender,
                                specialty=Specialty.objects.filter(series=series, name=profile.get("specialty")).first())
        app.fee_paid_at = clock.now()
        if profile.get("entrusted"):
            app.entrustment_letter = letter = letter or store_file("委托函.pdf", b"%PDF-1.4\n%%EOF\n")
        if profile.get("exam"):
            app.exam_score, app.exam_confirmed_at = profile["exam"], clock.now()
        app.save()
        screen(app, actor=account)
        sign_pledge(app, account, "本人承诺所提交的申报材料真实、准确、完整。")
        app.refresh_from_db()
        templates.append(app)
    return templates


def _copy(row, **changes):
    """An unsaved copy of a model instance with ``changes`` (foreign keys by their ``_id`` names)."""
    fields = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key}
    fields.update(changes)
    return type(row)(**fields)


def clone_applicants(templates: list[Application], n: int, *, first_serial: int = 100_000) -> list[int]:
    """``n`` declarations, the i-th a copy of ``templates[i % len(templates)]``; returns their ids in order."""
    archive = {t.pk: {kind: list(model.objects.filter(person_id=t.person_id).order_by("pk")) for kind, model in ARCHIVE_MODELS.items()}
               for t in templates}
    selections = {t.pk: list(SelectedRecord.objects.filter(application=t, version=0).order_by("pk")) for t in templates}
    pledges = {p.application_id: p for p in PledgeRecord.objects.filter(application__in=templates)}
    password = User.objects.filter(pk=templates[0].person.account.pk).values_list("password", flat=True).get()
    ids = []
    for start in range(0, n, BATCH):
        count = min(BATCH, n - start)
        with transaction.atomic():
            ids += _clone_batch(templates, start, count, first_serial, archive, selections, pledges, password)
    return ids


def _clone_batch(templates, start, count, first_serial, archive, selections, pledges, password) -> list[int]:
    chosen = [templates[(start + i) % len(templates)] for i in range(count)]
    people = []
    for i, template in enumerate(chosen):
        serial = first_serial + start + i
        # 身份证 numbers carry three serial digits: the birth date moves on a day every thousand people.
        birth = template.person.birth_date + dt.timedelta(days=serial // 1000)
        number = id_number(template.person.id_number[:6], birth, serial)
        people.append(_copy(template.person, id_number=number, birth_date=birth_date_from_id(number), sex=sex_from_id(number),
                            name=f"{template.person.name[:1]}{serial}", phone=f"13{serial:09d}"[:11]))
    Person.objects.bulk_create(people)
    records, mapping = [], []
    for template, person in zip(chosen, people):
        own = {}
        for kind, rows in archive[template.pk].items():
            for row in rows:
                copy = _copy(row, person_id=person.pk)
                records.append((kind, row.pk, copy))
                own[(kind, row.pk)] = copy
        mapping.append(own)
    for kind, model in ARCHIVE_MODELS.items():
        model.objects.bulk_create([copy for k, _pk, copy in records if k == kind])
    accounts = [User(username=f"b{person.pk}", role=Role.APPLICANT, person=person, first_name=person.name, password=password,
                     email=f"b{person.pk}@demo.zhicheng.local") for person in people]
    User.objects.bulk_create(accounts)
    apps = []
    for template, person in zip(chosen, people):
        pledge = pledges.get(template.pk)
        digest = hashlib.sha256(f"{person.id_number}\n{pledge.text}".encode()).hexdigest() if pledge else ""
        apps.append(_copy(template, person_id=person.pk, pledge_sha256=digest))
    Application.objects.bulk_create(apps)
    chosen_rows, pledge_rows = [], []
    for template, app, account, own in zip(chosen, apps, accounts, mapping):
        chosen_rows += [SelectedRecord(application=app, kind=s.kind, record_id=own[(s.kind, s.record_id)].pk, version=0)
                        for s in selections[template.pk] if (s.kind, s.record_id) in own]
        pledge = pledges.get(template.pk)
        if pledge:
            pledge_rows.append(PledgeRecord(application=app, text=pledge.text, signer=account, signed_at=pledge.signed_at,
                                            sha256=app.pledge_sha256))
    SelectedRecord.objects.bulk_create(chosen_rows)
    PledgeRecord.objects.bulk_create(pledge_rows)
    return [app.pk for app in apps]

