"""Every route × every role × random path, query and form parameters: no 500 (issue 11, finding 7).

1. Each role opens every page it may open (the scene's real objects in the path), and the test learns
   what the pages offer: their forms (where they post, with which fields and hidden values) and the
   query parameters of their links.
2. Each such form is posted back by the same role with every field but its `action` as text and then
   as a 40-digit number; each page is asked for with its parameters as 40-digit numbers and as text;
   numbers in the path are replaced by one beyond any id.
3. Hypothesis then draws requests to every route as every role and the anonymous visitor: path
   parameters (the real ones, or anything the converter admits), query strings and POST bodies from
   the route's own parameters and every name the code reads, with values meant to break parsing
   (huge and negative numbers, malformed dates, NUL characters, odd Unicode), sometimes a file.

Every 500 is collected with the request that caused it, so one run lists them all.
ZHICHENG_FUZZ_EXAMPLES × the number of roles is how many random requests each route gets: by default 5 on SQLite
and 1 on PostgreSQL (CI runs the two side by side and PostgreSQL's run is the longer, so the random requests go
mostly to SQLite's; steps 1 and 2, where ids beyond 64 bits and broken numbers meet PostgreSQL's types, are the
same on both).
"""

from __future__ import annotations

import html
import importlib
import os
import re
import string
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.urls.converters import IntConverter, SlugConverter
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from zhicheng.accounts.permissions import can_open
from zhicheng.core import clock

from ..test_permissions import _routes, _url_for, login

EXAMPLES = int(os.environ.get("ZHICHENG_FUZZ_EXAMPLES") or (1 if connection.vendor == "postgresql" else 5))
# One user per role (the in-scope one) and the anonymous visitor.
ROLES = [None, "applicant", "employer", "department", "city_bureau", "recommender", "talent_centre", "committee_office",
         "expert", "regional_hr", "supervisor"]
ZHICHENG = Path(__file__).resolve().parents[2] / "zhicheng"
HUGE = "9" * 40


def parameter_names() -> list[str]:
    """What the views read from request.GET/POST, and every field of every form."""
    names = set()
    for path in ZHICHENG.rglob("*.py"):
        names |= set(re.findall(r'request\.(?:GET|POST)\.(?:get|getlist)\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    for path in ZHICHENG.glob("*/forms.py"):
        importlib.import_module(f"zhicheng.{path.parent.name}.forms")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in subclasses(forms.BaseForm):
        if form.__module__.startswith("zhicheng."):
            names |= set(getattr(form, "base_fields", {}))
    return sorted(names)


# ---- what pages offer ---------------------------------------------------------------------------

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(input|select|textarea|button)\b([^>]*)>", re.I)
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
QUERY = re.compile(r'href="[^"]*\?([^"#]*)"')


def attributes(text: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value) for name, value in ATTRIBUTE.findall(text)}


def forms_in(url: str, body: str) -> list[tuple[str, str, dict[str, str]]]:
    """(method, action URL, {field: its value as rendered}) of every form of a page."""
    found = []
    for form_attributes, inner in FORM.findall(body):
        form = attributes(form_attributes)
        fields = {}
        for _tag, field_attributes in FIELD.findall(inner):
            field = attributes(field_attributes)
            if "name" in field and field["name"] != "csrfmiddlewaretoken":
                fields.setdefault(field["name"], field.get("value", ""))
        found.append((form.get("method", "get").lower(), form.get("action") or url, fields))
    return found


def query_names(body: str) -> set[str]:
    names = set()
    for query in QUERY.findall(body):
        names |= {part.split("=")[0] for part in html.unescape(query).split("&") if part}
    return names


def route_of(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


# ---- random input ---------------------------------------------------------------------------------

NASTY = ["", "0", "-1", "1.5", "abc", HUGE, "-" + "9" * 25, "1e309", "NaN", "2021-13-45", "2021-02-30", "99999-01-01",
         "0" * 64, "f" * 65, "../../etc/passwd", "\x00", "a\x00b", "%", "%%", "[]", "{}", "true", "on", "null", "²", "١٢",
         "ﬁ", "𝕏", "<script>", "' OR 1=1 --", " ", "\u202e", "2021", "senior", "engineering", "publish", "approve"]
values = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(10 ** 45), max_value=10 ** 45).map(str),
    st.text(max_size=40),
    st.dates().map(str),
)


def bodies(own, names):
    """The route's own parameters, each present or not, and a few others."""
    value = st.one_of(values, st.lists(values, max_size=3))
    others = st.dictionaries(st.one_of(st.sampled_from(names), st.text(string.ascii_lowercase, min_size=1, max_size=8)), value,
                             max_size=4)
    return st.tuples(st.fixed_dictionaries({}, optional={name: value for name in own}), others).map(lambda d: {**d[1], **d[0]})


def uploads(names):
    return st.dictionaries(st.sampled_from(names), st.builds(
        lambda name, data: SimpleUploadedFile(name, data), st.sampled_from(["a.pdf", "a.png", "a.jpg", "a.xlsx", "a.csv", "x", "..pdf"]),
        st.one_of(st.binary(max_size=64), st.just(b"%PDF-1.4\n%%EOF\n"), st.just(b"PK\x03\x04" + b"\x00" * 40))), max_size=2)


def path_values(converter, real):
    """Values the route's converter admits: the real object's, or anything else it would match."""
    if isinstance(converter, IntConverter):
        random = st.one_of(st.integers(min_value=0, max_value=10 ** 6), st.integers(min_value=0, max_value=10 ** 45))
    elif isinstance(converter, SlugConverter):
        random = st.one_of(st.from_regex(r"\A[-a-zA-Z0-9_]{1,30}\Z"), st.sampled_from(["education", "work", "engineering", "senior"]))
    else:
        random = st.text(st.characters(blacklist_characters="/", blacklist_categories=["Cs"]), min_size=1, max_size=70)
    return st.one_of(st.just(real), random) if real is not None else random


def real_kwargs(entry, scene) -> dict:
    """The path parameters of a working URL of this route, when the permission walk knows one."""
    page_name = getattr(entry.callback, "page_name", None)
    if page_name is None or not entry.pattern.converters:
        return {}
    try:
        match = resolve(_url_for(page_name, scene))
    except Exception:  # a route the walk does not build (its page shares a name with another route)
        return {}
    return match.kwargs if match.url_name == entry.name else {}


# ---- the test ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_no_route_answers_500_whatever_it_is_sent(scene):
    names = parameter_names()
    client = Client(raise_request_exception=False)
    errors: list[tuple] = []
    sent = []

    def send(who, method, url, query=None, body=None, files=None, encoding="multipart"):
        client.logout()
        if who:
            login(client, getattr(scene["roles"], who))
        with clock.frozen(scene["review_day"]):
            if method == "get":
                response = client.get(url, query or {})
            elif encoding == "json":
                response = client.post(url, body, content_type="application/json")
            elif encoding == "urlencoded":  # as a browser sends a form without files
                response = client.post(url, urlencode(body or {}, doseq=True), content_type="application/x-www-form-urlencoded")
            else:
                response = client.post(url, {**(body or {}), **(files or {})})
        sent.append(response.status_code)
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            errors.append((who, method.upper(), url, query if method == "get" else body,
                           f"{exc[0].__name__}: {exc[1]}" if exc else response.status_code))
            print("500:", errors[-1])  # as it happens: a long run cut short still shows what it found
        return response

    routes = list(_routes())
    real = {entry.full_name: real_kwargs(entry, scene) for _, entry in routes}
    own: dict[str, set[str]] = {entry.full_name: set() for _, entry in routes}
    offered: dict[tuple, dict] = {}  # (who, method, action, field names, action value) → fields

    # 1. every page as each role that may open it
    for _, entry in routes:
        page_name = getattr(entry.callback, "page_name", None)
        if entry.pattern.converters and not real[entry.full_name]:
            continue
        url = reverse(entry.full_name, kwargs=real[entry.full_name])
        for who in ROLES:
            if page_name and not can_open(getattr(scene["roles"], who) if who else AnonymousUser(), page_name):
                continue
            response = send(who, "get", url)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            body = response.content.decode()
            own[entry.full_name] |= query_names(body)
            for method, action, fields in forms_in(url, body):
                target = route_of(action)
                if target in own:
                    own[target] |= set(fields)
                    offered.setdefault((who, method, urlsplit(action).path, tuple(sorted(fields)), fields.get("action")), fields)

    # 2. the forms posted back broken, the pages asked with broken parameters, ids beyond any
    for (who, method, action, _, _), fields in offered.items():
        for broken in ("abc", HUGE):
            data = {name: (value if name == "action" else broken) for name, value in fields.items()}
            send(who, method, action, query=data, body=data, encoding="urlencoded")
    for _, entry in routes:
        converters, kwargs = entry.pattern.converters, real[entry.full_name]
        if own[entry.full_name] and (kwargs or not converters):
            url = reverse(entry.full_name, kwargs=kwargs)
            for broken in ("abc", HUGE):
                send(None if not getattr(entry.callback, "page_name", None) else "regional_hr", "get", url,
                     {name: broken for name in own[entry.full_name]})
        if any(isinstance(c, IntConverter) for c in converters.values()):
            url = reverse(entry.full_name, kwargs={n: 10 ** 40 if isinstance(c, IntConverter) else kwargs.get(n, "x")
                                                   for n, c in converters.items()})
            for who in ROLES:
                send(who, "get", url)

    # 3. random requests to every route as every role
    def random_requests(entry, kwargs_strategy, route_names):
        @hypothesis_settings(max_examples=EXAMPLES * len(ROLES), deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
        @given(who=st.sampled_from(ROLES), kwargs=kwargs_strategy, method=st.sampled_from(["get", "post"]),
               query=bodies(route_names, names), body=bodies(route_names, names), files=uploads(route_names or names),
               encoding=st.sampled_from(["multipart", "urlencoded", "json"] if entry.full_name.startswith("api:") else
                                        ["multipart", "urlencoded"]))
        def run(who, kwargs, method, query, body, files, encoding):
            send(who, method, reverse(entry.full_name, kwargs=kwargs), query, body, files, encoding)

        return run

    for _, entry in routes:
        kwargs_strategy = st.fixed_dictionaries({name: path_values(conv, real[entry.full_name].get(name))
                                                 for name, conv in entry.pattern.converters.items()})
        random_requests(entry, kwargs_strategy, sorted(own[entry.full_name]))()

    print(f"{len(sent)} requests, {len(errors)} answered 500")
    # One example of each (route, error) with how often it came.
    kinds: dict[tuple, list] = {}
    for who, method, url, data, error in errors:
        kinds.setdefault((route_of(url), method, str(error)[:100]), []).append((who, url, data))
    assert errors == [], "\n".join(f"{len(seen)}× {kind}: first {seen[0]!r}"[:600] for kind, seen in kinds.items())


# ---- the two 500s the probe reported, and the guards the fuzzing led to ----------------------------

def _user(role):
    from zhicheng.accounts.models import User

    return User.objects.filter(role=role, is_active=True).order_by("pk").first()


@pytest.mark.django_db
def test_a_40_digit_unit_in_the_list_filter_finds_nothing(client):
    from zhicheng.accounts.roles import Role

    client.force_login(_user(Role.REGIONAL_HR_DEPARTMENT))
    response = client.get(reverse("application_list"), {"unit": HUGE})
    assert response.status_code == 200 and not response.context["page_obj"].object_list


@pytest.mark.django_db
def test_the_pool_filing_form_refuses_a_year_that_is_no_number(client):
    from zhicheng.accounts.roles import Role
    from zhicheng.review.models import PoolFiling

    office = _user(Role.COMMITTEE_OFFICE)
    client.force_login(office)
    response = client.post(reverse("pool_filing_act"), {"committee": office.organisation.committee.pk, "year": "abc"}, follow=True)
    assert response.status_code == 200 and "年度" in response.content.decode()
    assert not PoolFiling.objects.exists()
    assert client.post(reverse("pool_filing_act"), {"action": "acknowledge", "filing": "abc"}).status_code == 404


@pytest.mark.django_db
def test_nul_characters_are_a_bad_request(client):
    from zhicheng.accounts.roles import Role

    client.force_login(_user(Role.REGIONAL_HR_DEPARTMENT))
    assert client.get(reverse("application_list"), {"q": "a\x00b"}).status_code == 400
    # a form as browsers send it (urlencoded)
    assert client.post(reverse("notifications_read"), "id=1%00", content_type="application/x-www-form-urlencoded").status_code == 400
    assert client.get(reverse("application_list"), {"q": "ab"}).status_code == 200


@pytest.mark.django_db
def test_ids_beyond_64_bits_are_not_found(client):
    from zhicheng.accounts.roles import Role

    client.force_login(_user(Role.REGIONAL_HR_DEPARTMENT))
    assert client.get(reverse("application_detail", args=[10 ** 40])).status_code == 404
    assert client.get(reverse("application_detail", args=[2 ** 63 - 1])).status_code == 404


def test_what_reads_as_an_id():
    from zhicheng.core.params import object_id, object_ids

    assert [object_id(v) for v in ("12", " 7 ", str(2 ** 63 - 1))] == [12, 7, 2 ** 63 - 1]
    assert [object_id(v) for v in ("", None, "0", "-3", "abc", "²", "١٢", "1.5", str(2 ** 63), HUGE)] == [None] * 10
    assert object_ids(["3", "x", HUGE, "4"]) == [3, 4]
