"""Which role may open which page, declared once. Views use @page(name); the permission
tests walk this table so that no page is left untested."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .roles import AUDIT_READERS, STAFF_ROLES, Role

EVERYONE = None  # no login needed
ANY_USER = frozenset(Role) - {Role.SYSTEM}

PAGES: dict[str, frozenset | None] = {
    "home": EVERYONE,
    "workflow_table": EVERYONE,
    "dashboard": ANY_USER,
    "application_list": ANY_USER,
    "application_detail": ANY_USER,  # the object itself is found through for_user()
    "application_act": ANY_USER - {Role.SUPERVISOR, Role.EXPERT},
    "audit_log": frozenset(AUDIT_READERS),
    "notifications": ANY_USER,
}

STAFF_PAGES = frozenset(STAFF_ROLES)


def can_open(user, page_name: str) -> bool:
    allowed = PAGES[page_name]
    if allowed is None:
        return True
    return user.is_authenticated and user.is_active and user.role in allowed


def page(name: str):
    """Decorate a view with the access rule of PAGES[name]."""
    if name not in PAGES:
        raise KeyError(name)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if PAGES[name] is not None and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can_open(request.user, name):
                raise PermissionDenied("您的角色无权访问此页面。")
            return view(request, *args, **kwargs)

        wrapped.page_name = name
        return wrapped

    return decorator
