"""Finding 6 (issue 11): registration used to answer "该身份证号码已有档案" to anyone who typed a number
on file, as often as they liked. Now it answers the same whether or not the number has an archive,
and takes a limited number of registrations per network address and hour."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.audit.models import AuditEntry
from zhicheng.audit.services import verify_chain
from zhicheng.core import clock
from zhicheng.orgs.models import Organisation
from zhicheng.people.models import Person

from ..web.helpers import PRIVATE_UNIT, registration

DAY = dt.datetime(2021, 6, 1, 10, 0)


def _answer(client, data, **extra) -> tuple[int, str, str]:
    """What a caller learns: the status, where it is sent, and the page it lands on (its CSRF token aside)."""
    response = client.post(reverse("register"), data, **extra)
    location = response.get("Location", "")
    landing = client.get(location, **extra).content.decode() if location else response.content.decode()
    return response.status_code, location, re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1", landing)


@pytest.mark.django_db
def test_a_number_on_file_and_a_new_one_get_the_same_answer(client, make_applicant):
    from zhicheng.demo import applicants as P

    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    on_file = make_applicant(P.regular_engineer()).person
    account = on_file.account
    password_hash = account.password
    new = registration(unit.pk, serial=611, name="巴特尔")
    probe = dict(registration(unit.pk, serial=612), id_number=on_file.id_number, name="巴特尔")

    with clock.frozen(DAY):
        first = _answer(client, new)
        second = _answer(client, probe)
    assert first == second, "the answers differ: registration tells whether a number is on file"
    status, location, landing = first
    assert status == 302 and location == f"{reverse('login')}?next={reverse('archive')}"
    assert "注册信息已提交" in landing and "该身份证号码已有档案" not in landing

    # The new number got its person and account; the probe changed nothing of the number on file.
    created = User.objects.get(username=new["id_number"])
    assert created.person.name == "巴特尔" and created.check_password(new["password1"])
    account.refresh_from_db()
    assert account.password == password_hash and Person.objects.get(pk=on_file.pk).name == on_file.name
    assert not User.objects.filter(username=on_file.id_number).exclude(pk=account.pk).exists()
    # The new applicant logs in and lands on the archive.
    response = client.post(reverse("login"), {"username": new["id_number"], "password": new["password1"], "next": reverse("archive")})
    assert response.status_code == 302 and response["Location"] == reverse("archive")
    # The declined attempt is on record, with the address it came from.
    declined = AuditEntry.objects.get(action="person.register_declined")
    assert declined.object_id == str(on_file.pk) and declined.ip == "127.0.0.1"
    assert verify_chain().ok


@pytest.mark.django_db
def test_registrations_are_limited_per_address_and_hour(client, settings):
    settings.REGISTRATIONS_PER_ADDRESS_PER_HOUR = 3
    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    with clock.frozen(DAY):
        for serial in (621, 622, 621):  # the third repeats a number: declined, and counted all the same
            assert client.post(reverse("register"), registration(unit.pk, serial=serial)).status_code == 302
        refused = client.post(reverse("register"), registration(unit.pk, serial=623))
        assert refused.status_code == 429
        body = refused.content.decode()
        assert "同一网络地址每小时最多提交3次注册" in body and 'value="乌兰其其格"' in body, "the form keeps what was typed"
        assert not Person.objects.filter(id_number=registration(unit.pk, serial=623)["id_number"]).exists()
        elsewhere = client.post(reverse("register"), registration(unit.pk, serial=624), REMOTE_ADDR="10.1.2.3")
        assert elsewhere.status_code == 302
    with clock.frozen(DAY + dt.timedelta(hours=1, minutes=1)):
        assert client.post(reverse("register"), registration(unit.pk, serial=623)).status_code == 302
    assert Person.objects.filter(id_number=registration(unit.pk, serial=623)["id_number"]).exists()
