"""Nothing lost on bad input when a publicity is started from the declarations list: refused options (or none ticked)
bring the list back with the title, days and contact as typed, the step chosen and the same declarations ticked; the
links of that page still go to the list; accepted options still publish and go back to the list."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.publicity.forms import PublicityOptionsForm
from zhicheng.publicity.models import Publicity
from zhicheng.web.views import queues

from ..conftest import staff_of
from ..cycle_helpers import advance

TODAY = dt.date(2021, 6, 14)
BACK = "/applications/?queue=1&sort=name"
TITLE, CONTACT = "2021年度职称申报公示（第二批）", "0471-7654321 呼和浩特市新城区人事处"


@pytest.fixture
def two(make_applicant):
    apps = [advance(make_applicant(P.regular_engineer()), State.SUBMITTED, start=dt.date(2021, 6, 7 + i))[0] for i in range(2)]
    return apps, staff_of(apps[0].unit)


def page_of(response) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return response.content.decode()


def value_of(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    value = found and re.search(r'\bvalue="([^"]*)"', found.group(0))
    return value.group(1) if value else None


def ticked(html: str, pk: int) -> bool:
    found = re.search(rf'<input type="checkbox" name="ids" value="{pk}"[^>]*>', html)
    assert found, f"no tick box for {pk}"
    return re.search(r"\bchecked\b", found.group(0)) is not None


def published(apps) -> bool:
    return Publicity.objects.filter(entries__application__in=apps).exists()


@pytest.mark.django_db
def test_refused_options_bring_the_list_back_as_typed(client, two):
    apps, employer = two
    client.force_login(employer)
    data = {"action": "employer_publish", "ids": [a.pk for a in apps], "title": TITLE, "working_days": 99, "contact": CONTACT,
            "next": BACK}
    form = PublicityOptionsForm(data)
    assert not form.is_valid()
    with clock.frozen(TODAY):
        html = page_of(client.post(reverse("application_bulk"), data))
    assert form.errors["working_days"][0] in html
    assert value_of(html, "title") == TITLE and value_of(html, "contact") == CONTACT and value_of(html, "working_days") == "99"
    assert all(ticked(html, a.pk) for a in apps), "the same declarations ticked"
    assert re.search(r'<option value="employer_publish" selected>', html), "the step chosen"
    assert "<details open>" in html, "the options shown, with their error"
    # The page's own links and forms go to the list, not to the bulk view it was answered from.
    bulk_form = html[html.index('action="/applications/bulk/"'):]
    assert value_of(bulk_form, "next") == BACK.replace("&", "&amp;")
    assert 'href="/applications/?queue=1&amp;sort=-name"' in html and 'action="/applications/"' in html
    assert not published(apps) and {a.state for a in type(apps[0]).objects.filter(pk__in=[a.pk for a in apps])} == {State.SUBMITTED}
    # Accepted (and confirmed): published under the title typed, back to the list.
    with clock.frozen(TODAY):
        response = client.post(reverse("application_bulk"), data | {"working_days": 5, "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == BACK
    publicity = Publicity.objects.get(entries__application=apps[0])
    assert publicity.title == TITLE and publicity.contact == CONTACT and publicity.entries.count() == 2


@pytest.mark.django_db
def test_none_ticked_keeps_the_options(client, two):
    apps, employer = two
    client.force_login(employer)
    with clock.frozen(TODAY):
        html = page_of(client.post(reverse("application_bulk"), {
            "action": "employer_publish", "title": TITLE, "working_days": 7, "contact": CONTACT, "next": BACK}))
    assert "请先勾选要办理的申报。" in html
    assert value_of(html, "title") == TITLE and value_of(html, "working_days") == "7" and value_of(html, "contact") == CONTACT
    assert not any(ticked(html, a.pk) for a in apps)
    assert not published(apps)


@pytest.mark.django_db
def test_all_matching_stays_chosen(client, two, monkeypatch):
    monkeypatch.setattr(queues, "LIST_PAGE_SIZE", 1)
    apps, employer = two
    client.force_login(employer)
    with clock.frozen(TODAY):
        html = page_of(client.post(reverse("application_bulk"), {
            "action": "employer_publish", "all_matching": "1", "query": "queue=1&sort=name", "title": "", "working_days": 2,
            "contact": CONTACT, "next": BACK}))
    assert re.search(r'<input type="checkbox" name="all_matching" value="1" checked>', html)
    assert value_of(html, "query") == "queue=1&amp;sort=name" and value_of(html, "working_days") == "2"
    assert not published(apps)


@pytest.mark.django_db
def test_from_a_page_other_than_the_list_the_refusal_goes_back_there(client, two):
    """The dossier's own publish form (web/views/dossier.py) is not the list: back to it with the reason, as before."""
    apps, employer = two
    client.force_login(employer)
    back = reverse("application_detail", args=[apps[0].pk])
    with clock.frozen(TODAY):
        response = client.post(reverse("application_bulk"), {
            "action": "employer_publish", "ids": [apps[0].pk], "working_days": 99, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert not published(apps)
