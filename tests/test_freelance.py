"""Freelance professionals (二（一）) declare through the talent exchange service keeping their file (四（五）1): the
service is a unit without a competent department, so its check and publicity (六（一）) lead to the bureau of its area
and on as any local declaration; the engine reads the relation as "freelance"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.declarations.models import Application
from zhicheng.declarations.screening import build_facts
from zhicheng.declarations.states import State
from zhicheng.demo import freelance
from zhicheng.orgs.models import Organisation, OrgKind

from .cycle_helpers import advance

S = State


@pytest.fixture
def service(db):
    org = freelance.service()
    User.objects.create_user("exchange_staff", role=Role.EMPLOYER_HR, organisation=org)
    return org


@pytest.mark.django_db
def test_the_freelancers_declaration_goes_from_the_service_to_the_bureau_and_on_to_the_certificate(service, make_applicant):
    app = make_applicant(freelance.freelance_engineer())
    assert app.unit == service and app.channel == "local" and app.eligible, app.decision["blocks"]

    app, passed, _ = advance(app, S.CERTIFIED)

    assert passed == [S.DRAFT, S.SUBMITTED, S.EMPLOYER_PUBLICITY, S.CITY_BUREAU_REVIEW, S.ROSTER_PUBLICITY, S.COMMITTEE_INTAKE,
                      S.ACCEPTED, S.UNDER_REVIEW, S.PASSED, S.RESULT_PUBLICITY, S.RESULT_PUBLISHED, S.FILED, S.CERTIFIED]
    steps = {e.to_state: e for e in app.events.select_related("actor__organisation", "holder")}
    # The service checked and publicised it (六（一）) and reported it to the Baotou bureau (四（二））.
    assert steps[S.SUBMITTED].holder == service
    assert steps[S.EMPLOYER_PUBLICITY].actor.organisation == service
    assert steps[S.CITY_BUREAU_REVIEW].actor.organisation == service
    assert steps[S.CITY_BUREAU_REVIEW].holder.name == "包头市人力资源和社会保障局"


@pytest.mark.django_db
def test_the_engine_reads_the_freelance_relation_and_not_the_services_post_management(service, make_applicant):
    Organisation.objects.filter(pk=service.pk).update(post_management=True, senior_posts_set=3)
    app = make_applicant(freelance.freelance_engineer())
    employment = build_facts(app)["employment"]
    assert employment["relation"] == "freelance"
    assert employment["post_management"] is False, "the freelancer holds none of the service's posts (五（五）2)"
    assert app.eligible and not any(b["block"] == "out_of_scope" for b in app.decision["blocks"])


@pytest.mark.django_db
def test_the_service_has_the_submitted_declaration_in_its_queue_and_another_unit_has_not(service, make_applicant):
    app, _, _ = advance(make_applicant(freelance.freelance_engineer()), S.SUBMITTED)
    staff = User.objects.get(username="exchange_staff")
    assert app.holder == service
    assert list(Application.objects.for_user(staff).filter(pk=app.pk)) == [app]
    other = User.objects.filter(role=Role.EMPLOYER_HR, organisation__kind=OrgKind.UNIT).exclude(organisation=service).first()
    assert not Application.objects.for_user(other).filter(pk=app.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("change, reason", [
    ({"competent_department_name": "包头市住房和城乡建设局"}, "不能设主管部门"),
    ({"sector": "private"}, "单位性质不是非公有制"),
    ({"level": "region"}, "盟市或旗县"),
    ({"kind": OrgKind.RECOMMENDING_BODY, "recommender_kind": "archive_agency"}, "须登记为“用人单位”类型"),
])
def test_a_service_marked_as_keeping_freelancers_files_must_lead_to_its_areas_bureau(service, change, reason):
    change = dict(change)
    if name := change.pop("competent_department_name", None):
        change["competent_department"] = Organisation.objects.get(name=name)
    for field, value in change.items():
        setattr(service, field, value)
    with pytest.raises(ValidationError) as refused:
        service.clean()
    assert reason in " ".join(refused.value.message_dict["keeps_freelancer_files"])


@pytest.mark.django_db
def test_the_generated_forms_say_freelance_and_name_the_service_keeping_the_file(service, make_applicant):
    from zhicheng.declarations import annex_forms

    app, _, _ = advance(make_applicant(freelance.freelance_engineer()), S.SUBMITTED)
    app = Application.objects.select_related(*annex_forms.FORM_RELATED).get(pk=app.pk)
    c = annex_forms.content([app], {app.pk: 1})[app.pk]
    assert c["unit"] == f"自由职业（档案存放于{service.name}）"
    assert annex_forms.review_form_pdf(c)[:4] == b"%PDF" and annex_forms.summary_form_pdf(c)[:4] == b"%PDF"
