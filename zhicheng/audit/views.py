"""The public page of the audit checkpoints: anyone may keep a copy to hold the system to later."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from zhicheng.accounts.permissions import page

from . import checkpoints, conf

SHOWN = 200  # the newest on the page; the whole file is one download away


@page("audit_checkpoints")
def checkpoints_page(request):
    wanted = request.GET.get("format")
    if wanted == "pem":
        return HttpResponse(checkpoints.public_key_pem(), content_type="application/x-pem-file")
    if wanted == "jsonl":
        lines = checkpoints.read_lines() or []
        response = HttpResponse("".join(line + "\n" for line in lines), content_type="application/jsonl; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-checkpoints.jsonl"'
        return response
    listed = checkpoints.read_checkpoints()
    key = checkpoints.current_key()
    return render(request, "audit/checkpoints.html", {
        "rows": list(reversed(listed))[:SHOWN], "total": len(listed), "shown": SHOWN,
        "key_id": key.key_id, "pem": checkpoints.public_key_pem(), "every": conf.checkpoint_every(),
    })
