"""An expert's declared relatives (回避亲属): their names are checked as every person's name is (core.names), in the form,
the service and the pool import, with a Chinese reason; nothing is saved and what was typed stays in the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhicheng.review import pool
from zhicheng.review.models import ExpertRelation

from .test_pool_and_plans import IDS, row, workbook

pytestmark = pytest.mark.django_db
TOO_LONG = "李" * 41
LENGTH = "姓名有41个字符，超过了40个字符的上限，请核对。"
SCRIPT = "姓名只能由汉字、蒙古文或拉丁字母组成"


@pytest.mark.parametrize("name, reason", [(TOO_LONG, LENGTH), ("<b>李四</b>", SCRIPT), ("李四2", SCRIPT)])
def test_the_service_refuses_a_relative_name_that_is_no_name(kit, name, reason):
    expert = kit.expert()
    with pytest.raises(pool.PoolError, match=reason):
        pool.add_relation(expert, kit.office, kind="relative", relationship="配偶", relative_name=name, relative_id_number=IDS[1])
    assert not ExpertRelation.objects.filter(expert=expert).exists()
    relation = pool.add_relation(expert, kit.office, kind="relative", relationship="配偶", relative_name=" 阿拉坦·巴根 ",
                                 relative_id_number=IDS[1])
    assert relation.relative_name == "阿拉坦·巴根"


def test_the_page_says_why_and_keeps_what_was_typed(client, kit):
    expert = kit.expert()
    client.force_login(kit.office)
    response = client.post(reverse("expert_act", args=[expert.pk]), {
        "action": "relation_add", "kind": "relative", "relationship": "配偶", "relative_name": "李四<script>", "relative_id_number": IDS[1]})
    body = response.content.decode()
    assert response.status_code == 200 and SCRIPT in body and "李四&lt;script&gt;" in body and IDS[1] in body
    assert not ExpertRelation.objects.filter(expert=expert).exists()


def test_the_import_names_the_row_and_the_relative(kit):
    report = pool.import_experts(workbook([row(IDS[0], "张三", 回避亲属=f"配偶:{TOO_LONG}:{IDS[1]}")]), kit.office)
    assert not report.ok
    assert report.errors == [f"第2行“回避亲属”：“配偶:{TOO_LONG}:{IDS[1]}”：{LENGTH}"]
    report = pool.import_experts(workbook([row(IDS[0], "张三", 回避亲属=f"配偶:李四123:{IDS[1]}")]), kit.office)
    assert len(report.errors) == 1 and SCRIPT in report.errors[0] and "李四123" in report.errors[0]
