"""What the pages say about the demo: the date in force and the demo's logins."""

from __future__ import annotations

from django import template

from zhicheng.core import clock

register = template.Library()


@register.simple_tag
def demo_day():
    """The pinned "today" (ZHICHENG_TODAY: the demo and training), or None on the real date."""
    return clock.environment_day()


@register.simple_tag
def demo_logins() -> list[tuple[str, str]]:
    """(login, role) of the logins `load_demo` printed, in its order, when this database holds the demo
    (the role is empty for the back office's superuser).

    The demo's accounts carry the demo's mail domain; load_demo refuses production databases, so a real
    installation has none and its login page shows nothing here."""
    from zhicheng.accounts.models import User

    from ..loader import DEMO_LOGINS, DEMO_MAIL_DOMAIN

    users = {u.username: u for u in User.objects.filter(username__in=DEMO_LOGINS, email__endswith=f"@{DEMO_MAIL_DOMAIN}")}
    return [(name, "" if users[name].is_superuser else users[name].get_role_display())
            for name in DEMO_LOGINS if name in users]


@register.simple_tag
def demo_password() -> str:
    from ..loader import DEMO_PASSWORD

    return DEMO_PASSWORD
