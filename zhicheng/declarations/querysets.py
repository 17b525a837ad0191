"""What each role may see, applied in the query (never in templates)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhicheng.accounts.roles import Role
from zhicheng.core import clock

from .states import Channel, State


class ApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        role = user.role
        if role == Role.APPLICANT:
            return self.filter(person_id=user.person_id) if user.person_id else self.none()
        if role == Role.EXPERT:
            return self._assigned_to_expert(user)
        submitted = self.exclude(state=State.DRAFT)
        org = user.organisation
        if org is None:
            return self.none()
        if role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
            return submitted
        if role == Role.EMPLOYER_HR:
            return submitted.filter(unit_id=org.pk)
        if role == Role.COMPETENT_DEPARTMENT:
            return submitted.filter(unit__competent_department_id=org.pk)
        if role == Role.HR_BUREAU:
            in_area = Q(unit__area__path__startswith=org.area.path, channel__in=(Channel.LOCAL, Channel.PRIVATE))
            return submitted.filter(in_area | Q(recommender_id=org.pk))
        if role == Role.RECOMMENDING_BODY:
            return submitted.filter(recommender_id=org.pk)
        if role == Role.TALENT_SERVICE_CENTRE:
            return submitted.filter(reached_talent_centre_at__isnull=False)
        if role == Role.COMMITTEE_OFFICE:
            return submitted.filter(committee__office_id=org.pk, reached_committee_at__isnull=False)
        return self.none()

    def _assigned_to_expert(self, user):
        """Only what is assigned, only during the review window, never where the expert recused."""
        today = clock.today()
        return self.filter(
            state=State.UNDER_REVIEW,
            assignments__expert__user_id=user.pk,
            assignments__recused=False,
            assignments__plan__review_starts_on__lte=today,
            assignments__plan__review_ends_on__gte=today,
        ).exclude(recusals__expert__user_id=user.pk).distinct()

    def in_queue_of(self, user):
        """What waits for this user to act: held by their organisation (or by the applicant)."""
        if user.role == Role.APPLICANT:
            return self.for_user(user).filter(holder__isnull=True, state__in=(State.DRAFT, State.CORRECTION_REQUESTED))
        if user.read_only:  # a supervisor reads everything and acts on none of it: nothing waits for them
            return self.none()
        if user.role == Role.EXPERT:
            return self.for_user(user)
        return self.for_user(user).filter(holder_id=user.organisation_id)
