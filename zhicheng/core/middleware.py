"""Input no view can use is refused before a view sees it (400 or 404, never a 500 from the database).

- A NUL character in the path, a query or a form value: PostgreSQL refuses it in any text, and no
  field of the application may hold one.
- A number in the path beyond the 64-bit range of the databases' ids: no such object exists.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import Http404

from .params import LARGEST_ID


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class UnusableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only urlencoded bodies are read here: reading a multipart body would leave nothing for a view that reads
        # the raw body (the API); the forms that take uploads refuse NUL characters themselves.
        form = request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
        if "\x00" in request.path or _has_nul(request.GET) or (form and _has_nul(request.POST)):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if any(isinstance(value, int) and value > LARGEST_ID for value in (*view_args, *view_kwargs.values())):
            raise Http404("no such object")
        return None
