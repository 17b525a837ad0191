"""What each role may see, applied in the query (never in templates)."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from zhicheng.accounts.roles import Role
from zhicheng.core import clock

from .states import RECOGNITION_ROUTES, Channel, State


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

    def reviewed(self):
        """The declarations a committee reviews: not those recognised after assessment, which go before no experts,
        meeting or ballot (五（十二））."""
        return self.exclude(route__in=RECOGNITION_ROUTES)

    def _assigned_to_expert(self, user):
        """Only what is assigned, only during the review window, never where the expert recused, and only
        while the expert holds a seat on the plan's committee (a member who declined loses it all at once)."""
        from zhicheng.review.models import Assignment

        live = live_assignments(Assignment.objects.filter(expert__user_id=user.pk))
        return self.filter(state=State.UNDER_REVIEW, pk__in=live.values("application_id")).exclude(recusals__expert__user_id=user.pk)

    def in_queue_of(self, user):
        """What waits for this user to act: held by their organisation (or by the applicant)."""
        if user.role == Role.APPLICANT:
            return self.for_user(user).filter(holder__isnull=True, state__in=(State.DRAFT, State.CORRECTION_REQUESTED))
        if user.read_only:  # a supervisor reads everything and acts on none of it: nothing waits for them
            return self.none()
        if user.role == Role.EXPERT:
            return self.for_user(user)
        return self.for_user(user).filter(holder_id=user.organisation_id)


def live_assignments(assignments):
    """Of these review assignments, those an expert may work on today: not recused, inside the plan's
    review window, and held by a sitting member of the plan's committee (drawn, not declined, the
    draw not cancelled). The one place where an expert's access to a dossier is decided; both
    ``Application.objects.for_user`` and ``review.panels.assignments_for`` rest on it."""
    today = clock.today()
    return seated(assignments.filter(recused=False, plan__review_starts_on__lte=today, plan__review_ends_on__gte=today))


def seated(assignments):
    """Of these review assignments, those whose expert sits on the plan's committee now: drawn, not
    declined, the draw not cancelled. A dismissed member's assignments (and opinions) fall out."""
    from zhicheng.review.models import CommitteeMember, DrawStatus

    member = CommitteeMember.objects.filter(draw__plan_id=OuterRef("plan_id"), draw__status=DrawStatus.DRAWN,
                                            expert_id=OuterRef("expert_id"), active=True)
    return assignments.filter(Exists(member))
