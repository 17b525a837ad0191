"""A freelance professional (二（一）) registers with the talent exchange service keeping their file (四（五）1) instead of
an employer, the relation is stored on the person for the engine, later changes of it are checked the same way, and the
pages name the service as the 档案存放机构 it is for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.demo import applicants as P
from zhicheng.demo import freelance
from zhicheng.orgs.models import Organisation
from zhicheng.people.models import Person

from ..cycle_helpers import advance
from .helpers import PRIVATE_UNIT, registration
from .test_person_facts import _values

DAY = dt.datetime(2021, 6, 1, 10, 0)


def _freelancer(serial: int, agency) -> dict:
    data = registration(0, serial=serial)
    del data["unit"]
    return dict(data, employment_relation="freelance", file_agency=agency)


@pytest.mark.django_db
def test_a_freelancer_registers_with_the_service_keeping_the_file(client):
    service = freelance.service()
    page = client.get(reverse("register")).content.decode()
    assert "自由职业（档案存放于人才交流服务机构）" in page and "档案存放机构" in page
    # Only the services marked as keeping freelancers' files are offered as 档案存放机构.
    agency_list = page.split('name="file_agency"', 1)[1].split("</select>", 1)[0]
    assert service.name in agency_list and PRIVATE_UNIT not in agency_list

    data = _freelancer(631, service.pk)
    with clock.frozen(DAY):
        assert client.post(reverse("register"), data).status_code == 302
    person = Person.objects.get(id_number=data["id_number"])
    assert (person.unit, person.employment_relation) == (service, "freelance")
    entry = AuditEntry.objects.get(action="person.register", object_id=str(person.pk))
    assert entry.after == {"unit": service.pk, "employment_relation": "freelance"}


@pytest.mark.django_db
def test_an_employee_registers_with_the_employer_as_before(client):
    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    data = registration(unit.pk, serial=632)
    with clock.frozen(DAY):
        assert client.post(reverse("register"), data).status_code == 302
    person = Person.objects.get(id_number=data["id_number"])
    assert (person.unit, person.employment_relation) == (unit, "labor_contract")


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["not_a_service", "no_agency", "no_relation", "employee_without_unit"])
def test_registration_is_refused_in_chinese_and_keeps_what_was_typed(client, case):
    freelance.service()
    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    data, reason = {
        "not_a_service": (_freelancer(633, unit.pk), "所选机构不是存放自由职业人员档案的人才交流服务机构（四（五）1）"),
        # An employer chosen in the other list is no 档案存放机构.
        "no_agency": (dict(_freelancer(633, ""), unit=unit.pk), "自由职业人员请选择存放本人档案的人才交流服务机构（四（五）1）。"),
        "no_relation": ({k: v for k, v in registration(unit.pk, serial=633).items() if k != "employment_relation"},
                        "请选择用工关系：与用人单位签订劳动（聘用）合同，或自由职业。"),
        "employee_without_unit": (dict(registration(unit.pk, serial=633), unit=""), "请选择现工作单位（用人单位）。"),
    }[case]
    with clock.frozen(DAY):
        response = client.post(reverse("register"), data)
    body = response.content.decode()
    assert response.status_code == 200 and reason in body
    assert 'value="乌兰其其格"' in body, "the form keeps what was typed"
    assert not Person.objects.filter(id_number=data["id_number"]).exists()


@pytest.mark.django_db
def test_the_relation_changed_later_is_checked_against_the_unit(client, make_applicant):
    employee = make_applicant(P.regular_engineer()).person
    client.force_login(employee.account)
    with clock.frozen(DAY):
        response = client.post(reverse("archive_person"), _values(employee, employment_relation="freelance", political_status="13"))
    body = response.content.decode()
    assert response.status_code == 200 and "不是存放自由职业人员档案的人才交流服务机构" in body
    assert Person.objects.get(pk=employee.pk).employment_relation == "labor_contract"

    freelance.service()
    freelancer = make_applicant(freelance.freelance_engineer()).person
    client.force_login(freelancer.account)
    with clock.frozen(DAY):  # a service's own employee may say so: the service is then their employer
        assert client.post(reverse("archive_person"), _values(freelancer, employment_relation="labor_contract")).status_code == 302
    assert Person.objects.get(pk=freelancer.pk).employment_relation == "labor_contract"


@pytest.mark.django_db
def test_the_pages_name_the_service_as_the_file_keeper_and_show_the_relation(client, make_applicant):
    service = freelance.service()
    staff = User.objects.create_user("exchange_staff", role=Role.EMPLOYER_HR, organisation=service)
    draft = make_applicant(freelance.freelance_engineer())
    client.force_login(draft.person.account)
    with clock.frozen(DAY):
        workspace = client.get(reverse("declaration_edit", args=[draft.pk])).content.decode()
        archive = client.get(reverse("archive")).content.decode()
    assert f"档案存放机构</th><td>{service.name}" in workspace and "用工关系：自由职业" in workspace
    assert f"档案存放机构：{service.name}" in archive

    app, _, day = advance(draft, "submitted")
    client.force_login(staff)
    with clock.frozen(day):
        dossier = client.get(reverse("application_detail", args=[app.pk])).content.decode()
        queue = client.get(reverse("application_list")).content.decode()
    assert f"档案存放机构</th><td>{service.name}" in dossier and "用工关系：自由职业" in dossier
    assert '<span class="tag">待档案存放机构审核</span>' in dossier
    progress = dossier.split('id="progress-h"', 1)[1].split("</section>", 1)[0]
    assert "待档案存放机构审核" in progress and "档案存放机构公示中" in progress and "单位公示中" not in progress.replace("档案存放机构公示中", "")
    assert app.person.name in queue
    timeline = dossier.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert "待档案存放机构审核" in timeline and "待单位审核" not in timeline, "the timeline names the service too"
    row = queue.split(app.person.name, 1)[1].split("</tr>", 1)[0]
    assert "待档案存放机构审核" in row, "and so does the queue's state column"

    # An employee's dossier still says 用人单位.
    other = make_applicant(P.regular_engineer())
    client.force_login(other.person.account)
    with clock.frozen(DAY):
        page = client.get(reverse("application_detail", args=[other.pk])).content.decode()
    assert "用人单位</th>" in page and "档案存放机构" not in page
