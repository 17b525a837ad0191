"""Chinese first, English complete: the catalogue covers every string of these pages and every label
the domain keeps in Chinese; the switcher changes the language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.demo import applicants as P
from zhicheng.web.management.commands.domain_labels import TARGET, render

from .conftest import PO

MINE = ("web/", "declarations/", "people/", "publicity/", "catalogue/", "notifications/")


def entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        refs = " ".join(line for line in block.splitlines() if line.startswith("#:"))
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgid_plural")[0].split("msgstr")[0], re.M))
        translated = re.findall(r'^msgstr(?:\[\d\])? "(.+)"', block, re.M) or re.findall(r'^msgstr(?:\[\d\])? ""\n"(.+)"', block, re.M)
        yield refs, msgid, bool(translated), "#, fuzzy" in block


def test_domain_labels_are_current():
    assert TARGET.read_text(encoding="utf-8") == render(), "run `make messages` after changing the domain's labels"


def test_every_string_of_these_pages_has_an_english_translation():
    untranslated = [msgid for refs, msgid, done, fuzzy in entries() if any(p in refs for p in MINE) and (not done or fuzzy)]
    assert untranslated == []


ENGLISH = {
    "notice_detail": ("One-time notice on title declaration: Engineering, Intermediate", "5. Materials (the annex's list)", "Skip to content"),
    "public_publicity_list": ("Public notices", "No publicity is running."),
    "register": ("Register as an applicant", "ID card number", "Confirm password"),
    "login": ("Log in", "No account yet?"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ENGLISH))
def test_public_pages_in_english(client, name):
    url = reverse(name, args=["engineering", "intermediate"]) if name == "notice_detail" else reverse(name)
    client.cookies["django_language"] = "en"
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        body = client.get(url).content.decode()
    assert 'lang="en"' in body
    for text in ENGLISH[name]:
        assert text in body, text
    assert "跳到正文" not in body and "主导航" not in body


@pytest.mark.django_db
def test_the_applicant_workspace_in_english_and_the_switcher(client, make_applicant):
    app = make_applicant(P.regular_engineer())
    client.force_login(app.person.account)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("declaration_edit", args=[app.pk])})
    assert response.status_code == 302
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        body = client.get(reverse("declaration_edit", args=[app.pk])).content.decode()
    for text in ("Archive records", "Materials (the annex's list, adapted to your route)", "Continuing-education record card",
                 "Regular (3(1))", "Engineering, Associate senior", "Front-line epidemic health worker", "Submit the declaration", "days"):
        assert text in body, text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    with clock.frozen(clock.dt.date(2021, 6, 1)):
        assert "选择档案记录" in client.get(reverse("declaration_edit", args=[app.pk])).content.decode()
