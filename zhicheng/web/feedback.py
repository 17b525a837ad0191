"""What a page says after it called a service: the service's refusal as error messages, its success as a message."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError


def attempt(request, action, success: str = "") -> bool:
    """Run ``action()``; its ValidationError becomes error messages (False), else ``success`` is said (True)."""
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    if success:
        messages.success(request, success)
    return True
