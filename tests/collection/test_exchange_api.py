"""Certificates from elsewhere through the v1 API (issue 16 item 5, 七（五）4): a bureau's or the region's key files
the same exchange request the page files, checked by the page's rules, audited; refusals in JSON, in Chinese."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from zhicheng.audit.models import AuditEntry
from zhicheng.certificates.exchange import approve_exchange
from zhicheng.certificates.models import ExchangeRequest, ExchangeStatus

from .test_collection import key_for

PDF = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()
URL = "/api/v1/exchange/certificates"


def body(person, **changes):
    data = {"name": person.name, "id_number": person.id_number, "origin": "province", "province": "13",
            "original_issuer": "人力资源和社会保障厅", "original_committee": "河北省卫生系列中级职称评审委员会",
            "original_number": "HB2016-WS-0031", "series": "health", "level": "intermediate", "title_name": "主治医师",
            "specialty": "外科", "obtained_on": "2016-12-01", "original_issued_on": "2016-12-20", "evidence_base64": PDF}
    data.update(changes)
    return data


def post(client, secret, data):
    return client.post(URL, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def holder(scene):
    return scene["a"].person  # works at 准格尔旗人民医院, in 鄂尔多斯


@pytest.mark.django_db
def test_a_bureau_files_the_pages_exchange_request_audited_and_approvable(scene, client, holder):
    bureau = scene["roles"].city_bureau
    secret = key_for(bureau, scopes=("act_declarations", "read_results"))
    response = post(client, secret, body(holder))
    assert response.status_code == 201, response.content
    out = response.json()
    req = ExchangeRequest.objects.get(pk=out["id"])
    assert (req.person, req.series.code, req.level, req.title_name, req.original_number, req.status) == (
        holder, "health", "intermediate", "主治医师", "HB2016-WS-0031", ExchangeStatus.SUBMITTED)
    assert req.original_issuer == "河北省人力资源和社会保障厅"  # the province named on the request
    assert req.competent_body == bureau.organisation and out["competent_body"] == bureau.organisation.name
    assert holder.id_number not in response.content.decode()
    entry = AuditEntry.objects.filter(action="exchange.file", object_id=str(req.pk)).get()
    assert entry.actor_id == bureau.pk and "代为提交" in entry.summary
    # Listed and read in the key's scope; the competent body approves it as any other.
    assert [r["id"] for r in client.get(URL, HTTP_AUTHORIZATION=f"Bearer {secret}").json()["items"]] == [req.pk]
    assert client.get(f"{URL}/{req.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["original_number"] == "HB2016-WS-0031"
    other = key_for(scene["roles"].other_city_bureau, scopes=("read_results",))
    assert client.get(f"{URL}/{req.pk}", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
    cert = approve_exchange(req, bureau, document_number="鄂人社换〔2021〕7号")
    assert cert.original["number"] == "HB2016-WS-0031"
    again = post(client, secret, body(holder))
    assert again.status_code == 409 and again.json()["message"] == "该证书已换发过电子证书。"


@pytest.mark.django_db
@pytest.mark.parametrize("changes, field, message", [
    ({"id_number": "150102197003040012"}, "id_number", "身份证号码校验位不正确，请核对。"),
    ({"obtained_on": "2099-01-01", "original_issued_on": None}, "obtained_on", "取得时间不能晚于今天"),
    ({"obtained_on": "1985-01-01"}, "obtained_on", "早于持证人年满14周岁"),
    ({"original_issued_on": "2016-11-01"}, "original_issued_on", "早于取得时间"),
    ({"series": "astrology"}, "series", "系列代码“astrology”不在职称目录中。"),
    ({"province": "15"}, "province", "本区取得的职称不需换发"),
    ({"province": "99"}, "province", "GB/T 2260"),
    ({"original_number": "  "}, "original_number", "这个字段是必填项。"),
    ({"evidence_base64": base64.b64encode(b"just text").decode()}, "evidence_base64", ""),
    ({"name": "别人"}, "name", "在系统中登记的姓名为"),
])
def test_bad_input_is_refused_with_the_pages_messages_and_nothing_is_filed(scene, client, holder, changes, field, message):
    secret = key_for(scene["roles"].city_bureau, scopes=("act_declarations",))
    response = post(client, secret, body(holder, **changes))
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["code"] == "invalid" and any(d["field"] == field and message in d["message"] for d in error["details"]), error
    assert message in error["message"]
    assert not ExchangeRequest.objects.exists()


@pytest.mark.django_db
def test_only_the_bureau_of_the_holders_area_or_the_region_files_and_only_with_the_scope(scene, client, holder):
    roles = scene["roles"]
    outside = post(client, key_for(roles.other_city_bureau, scopes=("act_declarations",)), body(holder))
    assert outside.status_code == 409 and "不在呼和浩特市人力资源和社会保障局的管辖范围内" in outside.json()["message"]
    no_scope = post(client, key_for(roles.city_bureau, scopes=("read_results",)), body(holder))
    assert no_scope.status_code == 403 and no_scope.json()["code"] == "scope_missing"
    employer = post(client, key_for(roles.employer, scopes=("act_declarations",)), body(holder))
    assert employer.status_code == 403
    # The region files for someone not yet in the archive: the person is made from the 身份证 number.
    from zhicheng.demo.ids import id_number

    newcomer = type("P", (), {"name": "张北来", "id_number": id_number("130102", dt.date(1985, 5, 6), 31)})
    created = post(client, key_for(roles.regional_hr, scopes=("act_declarations",)), body(newcomer, level="associate_senior", title_name="副主任医师"))
    assert created.status_code == 201, created.content
    assert ExchangeRequest.objects.get(pk=created.json()["id"]).person.birth_date == dt.date(1985, 5, 6)
