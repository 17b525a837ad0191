"""Which certificates, exchanges and pledges each role sees, applied in the query."""

from __future__ import annotations

from django.db.models import Q

from zhicheng.accounts.roles import Role

from .models import Certificate, ExchangeRequest, PledgeRecord


def certificates_for(user):
    qs = Certificate.objects.select_related("series", "person")
    if user.role == Role.APPLICANT:
        return qs.filter(person_id=user.person_id) if user.person_id else qs.none()
    if user.role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
        return qs
    if user.role == Role.HR_BUREAU:
        return qs.filter(Q(issuer_id=user.organisation_id) | Q(person__unit__area__path__startswith=user.organisation.area.path))
    return qs.none()


def exchanges_for(user):
    qs = ExchangeRequest.objects.select_related("person", "series", "competent_body", "certificate")
    if user.role == Role.APPLICANT:
        return qs.filter(person_id=user.person_id) if user.person_id else qs.none()
    if user.role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
        return qs
    if user.role == Role.HR_BUREAU:
        return qs.filter(competent_body_id=user.organisation_id)
    return qs.none()


def pledges_for(user):
    from zhicheng.declarations.models import Application

    return PledgeRecord.objects.filter(application__in=Application.objects.for_user(user)).select_related(
        "application__person", "application__series", "application__plan", "signer")
