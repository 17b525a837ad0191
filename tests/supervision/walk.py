"""Spot-check objects for the permission walk (tests/test_permissions.py): a drawn campaign over the region's
committees with a finding and its evidence, and a frozen one the supervisor has revealed for and the regional
department has not; the regional department organises both (the supervisor commits and reveals, it decides nothing)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from zhicheng.core import clock
from zhicheng.supervision import services
from zhicheng.supervision.checklists import checklist

from .kit import SECRETS, run


def objects(scene, pdf_bytes) -> dict:
    roles = scene["roles"]
    supervisor, regional = roles.supervisor, roles.regional_hr
    with clock.frozen(dt.date(2021, 10, 8)):
        drawn = run(regional, supervisor, title="2021年评委会随机抽查（权限检查）", kind="committees", sample_count=2)
        item = drawn.items.order_by("position").first()
        finding = services.record_finding(
            item, regional, answers={p.code: "yes" for p in checklist("committees")}, conclusion="no_problem", text="",
            files=[SimpleUploadedFile("核准文件.pdf", pdf_bytes("核准文件"), content_type="application/pdf")])
        frozen = run(regional, supervisor, title="2021年评委会随机抽查（待揭示）", kind="committees", sample_count=1, draw=False)
        services.reveal(frozen, supervisor, SECRETS["supervisor"])
    return {"spotcheck": {"drawn": drawn, "frozen": frozen, "item": item, "evidence": finding.evidence.get()}}
