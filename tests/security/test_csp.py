"""The Content-Security-Policy on every page of the permission walk (issue 11, finding 9), and no page
carries what the policy would block: inline scripts, inline event handlers, style attributes."""

from __future__ import annotations

import re

import pytest

from zhicheng.accounts.permissions import PAGES, can_open
from zhicheng.core import clock

from ..test_permissions import ALL_ROLE_USERS, POST_ONLY, _url_for, login

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_the_checks_find_what_they_look_for():
    assert INLINE_SCRIPT.search('<p>x</p><script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/web/site.js" defer></script>')
    assert INLINE_HANDLER.search('<select id="lang" onchange="this.form.submit()">')
    assert not INLINE_HANDLER.search('<option value="on">on</option>')
    assert STYLE_ATTRIBUTE.search('<div class="card" style="max-width:28rem">')


@pytest.mark.django_db
def test_every_page_for_every_role_carries_the_policy(client, scene):
    problems = []
    for page_name in sorted(PAGES):
        url = _url_for(page_name, scene)
        method = client.post if page_name.endswith("_act") or page_name in POST_ONLY else client.get
        # Each role that may open the page, the visitor, and one role that may not: the refusal is one template,
        # whose header every role's own pages show already (test_permissions checks each refusal's status).
        allowed = [who for who in ALL_ROLE_USERS if can_open(getattr(scene["roles"], who), page_name)]
        refused = [who for who in ALL_ROLE_USERS if who not in allowed][:1]
        for who in [None, *allowed, *refused]:
            client.logout()
            if who:
                login(client, getattr(scene["roles"], who))
            with clock.frozen(scene["review_day"]):
                response = method(url)
            policy = policy_of(response)
            if policy.get("script-src") != ["'self'"] or policy.get("style-src") != ["'self'"] \
                    or policy.get("default-src") != ["'self'"] or policy.get("frame-ancestors") != ["'none'"]:
                problems.append((page_name, who, response.status_code, "policy", response.headers.get("Content-Security-Policy")))
            if "text/html" in response.get("Content-Type", ""):
                body = response.content.decode()
                for name, pattern in (("inline script", INLINE_SCRIPT), ("inline handler", INLINE_HANDLER),
                                      ("style attribute", STYLE_ATTRIBUTE)):
                    if match := pattern.search(body):
                        problems.append((page_name, who, response.status_code, name, body[match.start():match.end() + 60]))
                if "vendor/htmx" in body and 'name="htmx-config"' not in body:
                    problems.append((page_name, who, response.status_code, "htmx config", ""))
    assert problems == [], problems[:20]
