"""The naive baseline of the deadline-day bench, kept out of the application.

What a straightforward submit handler does: screen the declaration again from the archive,
read and re-hash every file, submit, and answer with the whole workspace page rendered again.
The application's own submit checks only the checklist, moves the state and redirects."""

from __future__ import annotations

from django.db import connection
from django.shortcuts import get_object_or_404, render

from zhicheng.declarations.models import Application
from zhicheng.declarations.screening import screen
from zhicheng.declarations.services import transition
from zhicheng.files.services import read_verified
from zhicheng.web.views.declare import workspace_context


def naive_submit(request, pk: int):
    app = get_object_or_404(Application.objects.for_user(request.user), pk=pk)
    screen(app, actor=request.user)
    for material in app.materials.select_related("file"):
        read_verified(material.file)
    transition(app, "submit", request.user)
    app.refresh_from_db()
    return render(request, "web/declaration_edit.html", workspace_context(app))


def query_count(get_response):
    """X-Queries: how many queries the request cost (measured in the server)."""

    def middleware(request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Queries"] = str(count[0])
        return response

    return middleware
