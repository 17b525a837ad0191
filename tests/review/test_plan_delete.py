"""A committee office deletes its own draft review plan (asked once, with the attachments named, audited), never a plan
once filed, never another office's; the regional department's plan list shows what was filed, not the offices' drafts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.files.models import StoredFile
from zhicheng.files.services import store_file
from zhicheng.review import plans
from zhicheng.review.models import PlanStatus, ReviewPlan

from .kit import D

pytestmark = pytest.mark.django_db
DAY = D(2021, 7, 1)


def _draft(kit, attachment="送审表.pdf"):
    ReviewPlan.objects.filter(committee=kit.committee, year=2021).delete()
    with clock.frozen(DAY):
        plan = plans.create_plan(kit.committee, 2021, kit.office, place="呼和浩特市", review_starts_on=D(2021, 8, 9),
                                 review_ends_on=D(2021, 8, 11), declarations_summary="共受理12人")
        if attachment:
            plans.add_attachment(plan, kit.office, store_file(attachment, b"%PDF-1.4\n%%EOF\n"))
    return plan


def test_the_office_deletes_its_draft_asked_once(client, kit):
    plan = _draft(kit)
    url = reverse("review_plan_act", args=[plan.pk])
    client.force_login(kit.office)
    with clock.frozen(DAY):
        assert 'value="delete"' in client.get(reverse("review_plan_detail", args=[plan.pk])).content.decode()
        asked = client.post(url, {"action": "delete"})
        body = asked.content.decode()
        assert 'name="confirm" value="yes"' in body and "送审表.pdf" in body and "附件1个" in body
        assert ReviewPlan.objects.filter(pk=plan.pk).exists(), "asking deletes nothing"
        done = client.post(url, {"action": "delete", "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == reverse("review_plans")
    assert not ReviewPlan.objects.filter(pk=plan.pk).exists()
    entry = AuditEntry.objects.get(action="review_plan.delete", object_id=str(plan.pk))
    assert entry.actor_id == kit.office.pk and entry.before["attachments"][0][0] == "送审表.pdf"
    assert entry.before["status"] == PlanStatus.DRAFT
    assert StoredFile.objects.filter(original_name="送审表.pdf").exists()  # stored files are kept, as everywhere
    # A new plan of the year can be made again.
    with clock.frozen(DAY):
        plans.create_plan(kit.committee, 2021, kit.office, review_starts_on=D(2021, 8, 9), review_ends_on=D(2021, 8, 11))


@pytest.mark.parametrize("status", [PlanStatus.FILED, PlanStatus.APPROVED, PlanStatus.REJECTED])
def test_a_filed_plan_is_not_deleted(client, kit, status):
    plan = _draft(kit)
    ReviewPlan.objects.filter(pk=plan.pk).update(status=status, filed_on=DAY)
    plan.refresh_from_db()
    with pytest.raises(plans.PlanError, match="是报备记录的一部分，不能删除"):
        plans.delete_plan(plan, kit.office)
    client.force_login(kit.office)
    with clock.frozen(DAY):
        assert 'value="delete"' not in client.get(reverse("review_plan_detail", args=[plan.pk])).content.decode()
        refused = client.post(reverse("review_plan_act", args=[plan.pk]), {"action": "delete", "confirm": "yes"})
    assert refused.status_code == 302
    assert ReviewPlan.objects.filter(pk=plan.pk).exists()
    assert not AuditEntry.objects.filter(action="review_plan.delete").exists()


def test_another_office_and_the_region_do_not_delete_it(client, kit, city_kit):
    plan = _draft(kit)
    with pytest.raises(plans.PlanError, match="只有本评委会办事机构可以删除"):
        plans.delete_plan(plan, city_kit.office)
    with pytest.raises(plans.PlanError, match="只有本评委会办事机构可以删除"):
        plans.delete_plan(plan, kit.regional)
    client.force_login(city_kit.office)
    assert client.post(reverse("review_plan_act", args=[plan.pk]), {"action": "delete", "confirm": "yes"}).status_code == 404
    assert ReviewPlan.objects.filter(pk=plan.pk).exists()


def test_the_region_lists_filed_plans_not_drafts(client, kit):
    plan = _draft(kit, attachment=None)
    link = reverse("review_plan_detail", args=[plan.pk]) + '"'
    client.force_login(kit.office)
    assert link in client.get(reverse("review_plans")).content.decode(), "the office lists its draft"
    for who in (kit.regional, kit.supervisor):
        client.force_login(who)
        assert link not in client.get(reverse("review_plans")).content.decode()
    ReviewPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.FILED, filed_on=DAY)
    client.force_login(kit.regional)
    assert link in client.get(reverse("review_plans")).content.decode()
