"""Session limits, and the second factor in front of the back office.

Times here are real time (time.time()), not core.clock: a pinned business date must not keep sessions alive.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import second_factor_passed, second_factor_redirect, second_factor_required
from .roles import Role

STARTED = "session_started_at"
SEEN = "session_seen_at"
# The last-seen time is written at most this often, not on every request (each write is a session save).
SEEN_RESOLUTION = 60


def limits(user) -> tuple[int, int]:
    """(idle seconds, absolute seconds) of this user's sessions: staff's shorter than applicants'."""
    if user.role == Role.APPLICANT:
        return settings.APPLICANT_SESSION_IDLE_MINUTES * 60, settings.APPLICANT_SESSION_HOURS * 3600
    return settings.STAFF_SESSION_IDLE_MINUTES * 60, settings.STAFF_SESSION_HOURS * 3600


@receiver(user_logged_in)
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[STARTED] = request.session[SEEN] = time.time()


class SessionLimitsMiddleware:
    """Logs a session out after its idle time or its absolute lifetime, whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started, seen = session.setdefault(STARTED, now), session.get(SEEN, now)
            idle, lifetime = limits(request.user)
            if now - seen > idle or now - started > lifetime:
                logout(request)
                messages.info(request, _("长时间未操作或登录时间已到，已自动退出，请重新登录。"))
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = reverse(settings.LOGIN_URL)
                    return response
                return redirect_to_login(request.get_full_path())
            if SEEN not in session or now - seen >= SEEN_RESOLUTION:
                session[SEEN] = now
        return self.get_response(request)


class AdminSecondFactorMiddleware:
    """The back office (/admin/) asks for the second factor like every page does where one is required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin = reverse("admin:index")
        if (request.path.startswith(admin) and request.user.is_authenticated
                and request.path not in (reverse("admin:login"), reverse("admin:logout"))
                and second_factor_required(request.user) and not second_factor_passed(request)):
            return second_factor_redirect(request)
        return self.get_response(request)
