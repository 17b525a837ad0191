"""Serving a stored file to someone already found entitled to it: re-checked against its hash first."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _

from zhicheng.files.services import FileIntegrityError, read_verified


def serve(stored, name: str | None = None) -> HttpResponse:
    """The file's bytes, under ``name`` (files.services.shown_name) or the name it was first stored under."""
    try:
        data = read_verified(stored)
    except (FileIntegrityError, FileNotFoundError):
        return HttpResponse(_("文件校验失败（与登记的摘要不符或已丢失），已停止提供，请联系系统管理员。"),
                            status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=stored.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name or stored.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
