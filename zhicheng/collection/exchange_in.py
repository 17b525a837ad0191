"""Certificates from elsewhere (七（五）4) delivered through the v1 API by an HR bureau or the regional department.

The fields go through the page's own form (certificates.forms.ExchangeForm: the same choices, lengths and
messages, the date not after today), then the checks a system-to-system delivery needs on top: the holder's
身份证 number (python-stdnum ``cn.ric``) and name against the archive, the obtaining date after the holder's
14th birthday and not after the original certificate's issue date, the issuing province as a GB/T 2260
code of another province. The request is filed by certificates.exchange.file_exchange, the page's function,
and audited there; it then waits for the competent body's approval on the page, as a holder's own does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import Series
from zhicheng.certificates.exchange import file_exchange
from zhicheng.certificates.forms import ExchangeForm
from zhicheng.certificates.models import ExchangeOrigin, ExchangeRequest
from zhicheng.core import clock
from zhicheng.core.identifiers import birth_date_from_id, normalise_id_number, sex_from_id
from zhicheng.people import dates
from zhicheng.people.models import Person

# GB/T 2260: the provincial-level divisions by the first two digits of their codes.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省", "22": "吉林省",
    "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省",
    "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
FILERS = (Role.HR_BUREAU, Role.REGIONAL_HR_DEPARTMENT)


class Refused(Exception):
    """The delivery was refused: ``problems`` are (field, Chinese message); nothing was written."""

    def __init__(self, problems: list[tuple[str, str]], status: int = 422):
        super().__init__("；".join(message for _field, message in problems))
        self.problems, self.status = problems, status


@dataclass
class Delivery:
    name: str
    id_number: str
    origin: str
    province: str
    original_issuer: str
    original_committee: str
    original_number: str
    series: str
    level: str
    title_name: str
    specialty: str
    obtained_on: dt.date
    original_issued_on: dt.date | None
    evidence_name: str
    evidence_base64: str


def _region_province() -> str:
    from zhicheng.declarations.holders import regional_hr_department

    return regional_hr_department().area.code[:2]


def _evidence(delivery: Delivery) -> SimpleUploadedFile | None:
    try:
        data = base64.b64decode(delivery.evidence_base64, validate=True)
    except (binascii.Error, ValueError):
        return None
    name = os.path.basename(delivery.evidence_name.strip().replace("\\", "/"))[:100]
    return SimpleUploadedFile(name if name not in ("", ".", "..") else "evidence", data) if data else None


def _person(delivery: Delivery, actor, problems: list) -> tuple[Person | None, str]:
    try:
        id_number = normalise_id_number(delivery.id_number.strip())
    except ValidationError as exc:
        problems.append(("id_number", exc.messages[0]))
        return None, ""
    person = Person.objects.select_related("unit__area").filter(id_number=id_number).first()
    if person is not None and person.name != delivery.name.strip():
        problems.append(("name", _("该身份证号码在系统中登记的姓名为“%(name)s”，与“%(given)s”不符。") % {"name": person.name, "given": delivery.name.strip()}))
    if person is None and actor.role != Role.REGIONAL_HR_DEPARTMENT:
        problems.append(("id_number", _("系统中没有该身份证号码的人员：请持证人先注册并填写工作单位，或由自治区人力资源和社会保障厅提交。")))
    if not delivery.name.strip() or len(delivery.name.strip()) > 40:
        problems.append(("name", _("姓名为空或超过40字。")))
    return person, id_number


def file(actor, delivery: Delivery) -> ExchangeRequest:
    """Check ``delivery`` as the page would and file it; raise Refused with every problem found."""
    from zhicheng.files.services import store_upload

    if actor.role not in FILERS or actor.read_only:
        raise Refused([("", _("只有盟市、旗县人力资源和社会保障局或自治区人力资源和社会保障厅的密钥可以提交区外证书（七（五）4）。"))], status=403)
    problems: list[tuple[str, str]] = [(name, _("不能包含空字符（\\0）。")) for name, value in vars(delivery).items()
                                       if isinstance(value, str) and "\x00" in value]
    if problems:
        raise Refused(problems)
    person, id_number = _person(delivery, actor, problems)
    series = Series.objects.filter(code=delivery.series).first()
    if series is None:
        problems.append(("series", _("系列代码“%(code)s”不在职称目录中。") % {"code": delivery.series[:40]}))
    evidence = _evidence(delivery)
    if evidence is None:
        problems.append(("evidence_base64", _("原证书扫描件应为 base64 编码的 PDF、JPG 或 PNG 文件。")))
    form = ExchangeForm(
        data={"origin": delivery.origin, "original_issuer": delivery.original_issuer, "original_committee": delivery.original_committee,
              "original_number": delivery.original_number, "series": series.pk if series else "", "level": delivery.level,
              "title_name": delivery.title_name, "specialty": delivery.specialty, "obtained_on": delivery.obtained_on.isoformat()},
        files={"evidence": evidence} if evidence else {},
    )
    if not form.is_valid():
        for field, messages in form.errors.items():
            if field == "series" and series is None or field == "evidence" and evidence is None:
                continue  # said above, in the API's terms
            problems.extend((field if field != "__all__" else "", m) for m in messages)
    if delivery.origin == ExchangeOrigin.PROVINCE:
        if delivery.province not in PROVINCES:
            problems.append(("province", _("发证省份应为外省（区、市）的行政区划代码前两位（GB/T 2260，如河北省为13）。")))
        elif delivery.province == _region_province():
            problems.append(("province", _("本区取得的职称不需换发：区外证书换发只适用于外省（区、市）、中央单位和军队颁发的证书（七（五）4）。")))
    elif delivery.province:
        problems.append(("province", _("原证书来源为中央单位或军队时不填发证省份。")))
    if id_number:
        adult = dates.years_after(birth_date_from_id(id_number), dates.MIN_AGE)
        if delivery.obtained_on < adult:
            problems.append(("obtained_on", _("取得时间（%(value)s）早于持证人年满%(age)d周岁（%(limit)s，按身份证号码中的出生日期），请核对。")
                             % {"value": f"{delivery.obtained_on:%Y-%m-%d}", "age": dates.MIN_AGE, "limit": f"{adult:%Y-%m-%d}"}))
    if delivery.original_issued_on is not None:
        if delivery.original_issued_on > clock.today():
            problems.append(("original_issued_on", _("原证书发证日期不能晚于今天（%(today)s）。") % {"today": f"{clock.today():%Y-%m-%d}"}))
        elif delivery.original_issued_on < delivery.obtained_on:
            problems.append(("original_issued_on", _("原证书发证日期（%(issued)s）早于取得时间（%(obtained)s），请核对。")
                             % {"issued": f"{delivery.original_issued_on:%Y-%m-%d}", "obtained": f"{delivery.obtained_on:%Y-%m-%d}"}))
    if problems:
        raise Refused(problems)

    from zhicheng.certificates.services import CertificateError

    data = form.cleaned_data
    issuer = data["original_issuer"].strip()
    if delivery.origin == ExchangeOrigin.PROVINCE and PROVINCES[delivery.province] not in issuer:
        issuer = f"{PROVINCES[delivery.province]}{issuer}"[:120]  # the province stays on the request the page shows
    try:
        with transaction.atomic():
            if person is None:
                person = Person.objects.create(name=delivery.name.strip(), id_number=id_number, birth_date=birth_date_from_id(id_number),
                                               sex=sex_from_id(id_number))
            stored = store_upload(data["evidence"], uploaded_by=actor)
            return file_exchange(actor=actor, person=person, origin=data["origin"], original_issuer=issuer,
                                 original_number=data["original_number"], original_committee=data["original_committee"],
                                 series=data["series"], level=data["level"], title_name=data["title_name"],
                                 specialty=data["specialty"], obtained_on=data["obtained_on"], evidence=stored)
    except ValidationError as exc:
        raise Refused([("evidence_base64", m) for m in exc.messages]) from exc
    except CertificateError as exc:
        raise Refused([("", str(exc))], status=409) from exc
