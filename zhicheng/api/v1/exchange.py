"""Certificates from other provinces (七（五）4 exchange), delivered by an HR bureau's or the regional department's
system: checked as the page checks them and filed by the page's function (zhicheng/collection/exchange_in.py);
the competent body then approves or refuses on its page. Listed and read in the key's account's scope
(certificates.scope.exchanges_for)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from zhicheng.api.auth import require_scope
from zhicheng.api.errors import ApiError, ErrorOut
from zhicheng.api.models import Scope
from zhicheng.certificates import scope
from zhicheng.certificates.models import ExchangeOrigin, ExchangeStatus
from zhicheng.collection import exchange_in

router = Router()
MAX_PAGE = 200
MAX_ID = 2**63 - 1  # a larger number is no row's key (and would overflow the database's integer)


class ExchangeIn(Schema):
    name: str = Field(..., description="持证人姓名", max_length=40)
    id_number: str = Field(..., description="持证人身份证号码（18位）", max_length=18)
    origin: Literal["province", "central", "army"] = Field(..., description="原证书来源：province 外省（区、市），central 中央单位，army 军队")
    province: str = Field("", description="发证省份（GB/T 2260 代码前两位，如河北省 13）；来源为外省时必填", max_length=2)
    original_issuer: str = Field(..., description="原发证（评审）机关", max_length=120)
    original_committee: str = Field(..., description="原评审委员会", max_length=120)
    original_number: str = Field(..., description="原证书编号", max_length=60)
    series: str = Field(..., description="系列代码（职称目录）", max_length=40)
    level: Literal["junior", "assistant", "intermediate", "associate_senior", "full_senior"] = Field(..., description="层级代码")
    title_name: str = Field(..., description="职称名称", max_length=40)
    specialty: str = Field("", description="专业", max_length=60)
    obtained_on: dt.date = Field(..., description="取得时间")
    original_issued_on: dt.date | None = Field(None, description="原证书发证日期（选填，不早于取得时间）")
    evidence_name: str = Field("原证书.pdf", description="原证书扫描件的文件名", max_length=100)
    evidence_base64: str = Field(..., description="原证书扫描件（PDF、JPG 或 PNG），base64", max_length=14_000_000)


class ExchangeOut(Schema):
    id: int
    status: Literal["submitted", "approved", "rejected"]
    status_label: str
    name: str
    id_number_masked: str
    origin: str
    origin_label: str
    original_issuer: str
    original_committee: str
    original_number: str
    series: str
    level: str
    title_name: str
    specialty: str
    obtained_on: dt.date
    competent_body: str
    submitted_at: dt.datetime
    decision_note: str
    certificate_number: str | None


class ExchangeListOut(Schema):
    items: list[ExchangeOut]
    next_before: int | None = Field(None, description="还有更早的申请时，下一页的 before 参数")


class ListQuery(Schema):
    status: Literal["submitted", "approved", "rejected"] | None = None
    before: int | None = Field(None, description="只列出编号小于此值的申请（上一页的 next_before）")
    limit: int = 50


def _out(req) -> ExchangeOut:
    from zhicheng.core.identifiers import mask_id_number

    return ExchangeOut(
        id=req.pk, status=req.status, status_label=ExchangeStatus(req.status).label, name=req.person.name,
        id_number_masked=mask_id_number(req.person.id_number), origin=req.origin, origin_label=ExchangeOrigin(req.origin).label,
        original_issuer=req.original_issuer, original_committee=req.original_committee, original_number=req.original_number,
        series=req.series.code, level=req.level, title_name=req.title_name, specialty=req.specialty, obtained_on=req.obtained_on,
        competent_body=req.competent_body.name, submitted_at=req.submitted_at, decision_note=req.decision_note,
        certificate_number=req.certificate.number if req.certificate_id else None,
    )


@router.post("/certificates", response={201: ExchangeOut, 409: ErrorOut}, url_name="exchange_certificates", summary="提交区外职称证书换发申请（七（五）4）",
             description="盟市、旗县人社局（持证人工作单位在其辖区内）或自治区人社厅的密钥（权限范围“办理申报”）代持证人提交。"
                         "按页面的规则核对：身份证号码及姓名、系列与层级代码、取得时间不晚于今天且不早于年满14周岁、原证书发证日期、"
                         "发证省份（外省）、扫描件格式；不符时返回 422，details 逐项列出字段和中文说明。提交后由核准机关在页面上核准换发。")
def file(request, body: ExchangeIn):
    key = require_scope(request, Scope.ACT_DECLARATIONS)
    try:
        req = exchange_in.file(key.user, exchange_in.Delivery(**body.model_dump()))
    except exchange_in.Refused as exc:
        code = {403: "forbidden", 409: "refused"}.get(exc.status, "invalid")
        raise ApiError(exc.status, code, str(exc), [{"field": f, "message": m} for f, m in exc.problems]) from exc
    req = scope.exchanges_for(key.user).filter(pk=req.pk).first() or req
    return Status(201, _out(req))


@router.get("/certificates", response=ExchangeListOut, url_name="exchange_certificates", summary="区外证书换发申请列表（密钥账号的数据范围）")
def list_(request, query: Query[ListQuery]):
    key = require_scope(request, Scope.READ_RESULTS)
    if not 1 <= query.limit <= MAX_PAGE:
        raise ApiError(422, "invalid", f"limit 应在1至{MAX_PAGE}之间。", [{"field": "limit", "message": f"应在1至{MAX_PAGE}之间"}])
    rows = scope.exchanges_for(key.user).order_by("-pk")
    if query.status:
        rows = rows.filter(status=query.status)
    if query.before is not None:
        if not 0 < query.before <= MAX_ID:
            raise ApiError(422, "invalid", "before 应为上一页返回的 next_before。", [{"field": "before", "message": "应为正整数"}])
        rows = rows.filter(pk__lt=query.before)
    page = list(rows[:query.limit + 1])
    more = len(page) > query.limit
    page = page[:query.limit]
    return ExchangeListOut(items=[_out(r) for r in page], next_before=page[-1].pk if more else None)


@router.get("/certificates/{pk}", response=ExchangeOut, url_name="exchange_certificate", summary="区外证书换发申请详情")
def detail(request, pk: int):
    key = require_scope(request, Scope.READ_RESULTS)
    if not 0 < pk <= MAX_ID:
        raise ApiError(404, "not_found", "对象不存在，或不在密钥的数据范围内。")
    return _out(get_object_or_404(scope.exchanges_for(key.user), pk=pk))
