"""Pages without login: the 一次性告知书 made from the same data as the checklist, and the public
publicity with its real-name objection form, personal data masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.catalogue.models import AnnualPlan, MaterialItem
from zhicheng.core import clock
from zhicheng.declarations.checklist import checklist
from zhicheng.demo import applicants as P
from zhicheng.publicity.models import Objection

from ..cycle_helpers import advance

D = dt.date


@pytest.mark.django_db
def test_the_one_time_notice_and_the_checklist_read_the_same_list(client, make_applicant):
    AnnualPlan.objects.filter(year=2021).update(contact_phone="0471-6945555")
    item = MaterialItem.objects.get(code="work_summary")
    item.name = "任现职以来专业技术工作业绩总结报告（须单位审核签章）"
    item.save()
    with clock.frozen(D(2021, 6, 1)):
        page = client.get(reverse("notice_detail", args=["engineering", "associate_senior"])).content.decode()
    assert "工程副高级职称申报评审一次性告知书" in page
    assert item.name in page and "0471-6945555" in page
    assert "取得中级职称后满5年" in page and "三（一）" in page
    assert "破格申报高一级（五（四）2）" in page and "破格申报正高级" not in page, "routes that can lead to this level only"
    assert "元" in page and "八（五）" in page
    app = make_applicant(P.regular_engineer())
    assert item.name in [row.item.name for row in checklist(app)]


@pytest.mark.django_db
def test_exam_only_levels_say_so(client):
    with clock.frozen(D(2021, 6, 1)):
        page = client.get(reverse("notice_detail", args=["accounting", "intermediate"])).content.decode()
        index = client.get(reverse("notice_index")).content.decode()
    assert "以考代评" in page and "不再进行评审或认定" in page
    assert reverse("notice_detail", args=["accounting", "intermediate"]) in index
    assert client.get(reverse("notice_detail", args=["accounting", "nonsense"])).status_code == 404


@pytest.mark.django_db
def test_public_publicity_masks_personal_data_and_takes_real_name_objections(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), "employer_publicity")
    publicity = app.publicities.get()
    url = reverse("public_publicity_detail", args=[publicity.pk])
    person = app.person
    with clock.frozen(day):
        listing = client.get(reverse("public_publicity_list")).content.decode()
        assert publicity.title in listing
        page = client.get(url).content.decode()
        assert person.name in page and person.id_number not in page and person.phone not in page
        assert f"{person.id_number[0]}{'*' * 16}{person.id_number[-1]}" in page
        anonymous = client.post(url, {"entry": app.pk, "name": "", "phone": "12", "content": "太短"})
        body = anonymous.content.decode()
        assert "这个字段是必填项" in body or "异议须实名提出" in body
        assert "请填写有效的联系电话" in body and "请具体说明异议事项" in body
        assert not Objection.objects.exists()
        client.post(url, {"entry": app.pk, "name": "李明", "phone": "13800001111", "content": "该同志的论文系他人代写，有证据可以提供。"})
        assert Objection.objects.get().objector_phone == "13800001111"
        assert "13800001111" not in client.get(url).content.decode()
    with clock.frozen(publicity.ends_on + dt.timedelta(days=1)):
        closed = client.get(url).content.decode()
        assert "不再受理异议" in closed and "实名提出异议" not in closed


@pytest.mark.django_db
def test_objections_refuse_repeats_and_floods_from_one_address(client, make_applicant, settings):
    settings.OBJECTIONS_PER_ADDRESS_PER_HOUR = 2
    app, _, day = advance(make_applicant(P.regular_engineer()), "employer_publicity")
    url = reverse("public_publicity_detail", args=[app.publicities.get().pk])
    content = "该同志的业绩材料与实际不符，有证据可以提供。"
    with clock.frozen(day):
        client.post(url, {"entry": app.pk, "name": "李明", "phone": "13800001111", "content": content})
        repeat = client.post(url, {"entry": app.pk, "name": "李明", "phone": "13800001111", "content": content + "补充"})
        assert "请勿重复提交" in repeat.content.decode()
        assert Objection.objects.count() == 1
        assert Objection.objects.get().objector_ip == "127.0.0.1"
        client.post(url, {"entry": app.pk, "name": "王芳", "phone": "13800002222", "content": content})
        flood = client.post(url, {"entry": app.pk, "name": "赵强", "phone": "13800003333", "content": content})
        assert "同一网络地址每小时最多提出2件异议" in flood.content.decode()
        assert "赵强" in flood.content.decode() and content in flood.content.decode(), "the form keeps what was typed"
        assert Objection.objects.count() == 2
        other = client.post(url, {"entry": app.pk, "name": "赵强", "phone": "13800003333", "content": content},
                            REMOTE_ADDR="10.1.2.3")
        assert other.status_code == 302 and Objection.objects.count() == 3


@pytest.mark.django_db
def test_the_notice_names_each_routes_clause_once(client):
    with clock.frozen(D(2021, 6, 1)):
        page = client.get(reverse("notice_detail", args=["health", "associate_senior"])).content.decode()
    assert "正常申报（三（一））" in page and "（三（一））（三（一））" not in page
    assert "破格申报高一级（五（四）2）" in page and "（五（四）2）（五（四）2）" not in page


@pytest.mark.django_db
def test_the_objection_form_speaks_english_and_bounds_the_text(client, make_applicant):
    """In English the objection's refusals were Chinese and the series ran into the level ("EngineeringAssociate
    senior"); a stranger's objection took any length of text."""
    app, _, day = advance(make_applicant(P.regular_engineer()), "employer_publicity")
    url = reverse("public_publicity_detail", args=[app.publicities.get().pk])
    with clock.frozen(day):
        client.cookies["django_language"] = "en"
        english = client.post(url, {"entry": app.pk, "name": "", "phone": "12", "content": "short"}).content.decode()
        assert "Objections must carry a real name" in english and "valid phone number" in english
        assert "at least 10 characters" in english and "异议须实名提出" not in english
        assert "Engineering, Associate senior" in english
        client.cookies["django_language"] = "zh-hans"
        long = "该同志的论文系他人代写。" * 200
        refused = client.post(url, {"entry": app.pk, "name": "李明", "phone": "13800001111", "content": long})
        body = refused.content.decode()
        assert f"异议内容不能超过2000个字（现在{len(long)}个字）" in body and "李明" in body and "13800001111" in body
        assert not Objection.objects.exists()
        assert "工程副高级" in client.get(url).content.decode()
