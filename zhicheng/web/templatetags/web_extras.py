"""Small template helpers: domain labels through the translation catalogue, masking, sizes."""

from urllib.parse import urlsplit, urlunsplit

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from zhicheng.core import wording
from zhicheng.core.identifiers import mask_id_number
from zhicheng.declarations.checklist import route_label as _route_label
from zhicheng.declarations.states import state_label
from zhicheng.files.services import human_size, shown_name

register = template.Library()


@register.filter
def tr(value) -> str:
    """A label the domain keeps in Chinese (state, level, role …), in the reader's language."""
    return gettext(str(value)) if value not in (None, "") else ""


@register.filter
def title_label(app) -> str:
    """A declaration's series and level, in the reader's language."""
    return wording.title_label(app)


@register.filter
def masked(value) -> str:
    return mask_id_number(value or "")


@register.filter
def filesize(value) -> str:
    return human_size(int(value or 0))


@register.filter
def route_label(value) -> str:
    return gettext(_route_label(value)) if value else ""


@register.filter
def state_on(state, app) -> str:
    """A state's name as this declaration reads it, translated: a recognition's steps are named as assessment
    (五（十二）), a freelancer's service as the service keeping the file (四（五）1)."""
    return gettext(state_label(state, app.route, app.for_freelancer)) if state else ""


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def file_name(stored_file, uploader_id) -> str:
    """The name a file given by ``uploader_id`` is shown under (files.services.shown_name)."""
    return shown_name(stored_file, uploader_id)


@register.filter
def on_this_site(url: str) -> str:
    """A link a message carries (absolute, for its e-mail) as a path on this site: it works however the site is
    reached now (the demo's messages were written before make run chose its port)."""
    parts = urlsplit(url or "")
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment)) if parts.path.startswith("/") else url


@register.filter
def is_image(stored_file) -> bool:
    return getattr(stored_file, "content_type", "").startswith("image/")


@register.filter
def can_open(user, page_name: str) -> bool:
    """Whether the menu shows a page: the same rule as the page itself (accounts.permissions.PAGES)."""
    from zhicheng.accounts.permissions import can_open as rule

    return rule(user, page_name)


@register.simple_tag
def findings_items(findings, holds_label, fails_label):
    """One route's findings as list items: a declaration's decision has dozens, and a template loop over them
    cost several nodes each on every workspace and dossier page."""
    return format_html_join("", "{}【{}{}】{}</li>", (
        (format_html('<li class="ok"><span class="visually-hidden">{}</span>', holds_label) if f.get("holds")
         else format_html('<li class="bad"><span class="visually-hidden">{}</span>', fails_label),
         f.get("clause", ""), format_html("；{}", f["source"]) if f.get("source") else "", f.get("text", ""))
        for f in findings or ()
    ))
