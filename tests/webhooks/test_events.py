"""Which events the workflow's steps write, for whom, and what it costs: a subscriber hears only of the
declarations its creating account sees, a paused one hears nothing, and a step pays for the subscribers per
batch, never per declaration (one query when nobody subscribes)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import staff_of
from tests.cycle_helpers import advance
from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.core import clock
from zhicheng.declarations import registry
from zhicheng.declarations.models import Application
from zhicheng.declarations.services import transition, transition_many
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation
from zhicheng.webhooks.events import queue_events
from zhicheng.webhooks.models import Delivery, EventKind, Subscription
from zhicheng.webhooks.services import create_subscription, set_active

D = dt.date
URL = "https://1.2.3.4/hooks/zhicheng"  # a public address: nothing is sent in these tests, the tasks only queue
ALL = list(EventKind.values)


def regional_hr():
    return User.objects.filter(role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).order_by("pk").first()


def kinds_for(sub) -> list[tuple[int, str]]:
    return [(json.loads(d.body)["data"]["declaration"]["id"], d.kind)
            for d in Delivery.objects.filter(subscription=sub).order_by("pk")]


@pytest.mark.django_db
def test_a_subscriber_hears_only_of_its_own_scope_and_a_paused_one_hears_nothing(make_applicant):
    a = make_applicant(P.regular_engineer())
    b = make_applicant(P.regular_city_engineer_intermediate())
    assert a.unit != b.unit
    employer_a, employer_b = staff_of(a.unit), staff_of(b.unit)
    of_a = create_subscription(employer_a, name="甲单位人事系统", url=URL, event_kinds=ALL)
    of_b = create_subscription(employer_b, name="乙单位人事系统", url=URL, event_kinds=ALL)
    paused = create_subscription(employer_a, name="甲单位备用系统", url=URL, event_kinds=ALL)
    set_active(paused, employer_a, False)
    region = create_subscription(regional_hr(), name="全区数据平台", url=URL, event_kinds=[EventKind.STATE_CHANGED])
    certificates_only = create_subscription(regional_hr(), name="证书库", url=URL, event_kinds=[EventKind.CERTIFICATE_ISSUED])
    with clock.frozen(D(2021, 6, 7)):
        transition(a, "submit", a.person.account)
        transition(b, "submit", b.person.account)

    assert kinds_for(of_a) == [(a.pk, "declaration.state_changed")]
    assert kinds_for(of_b) == [(b.pk, "declaration.state_changed")], "nothing about another unit's declaration"
    assert kinds_for(paused) == []
    assert kinds_for(region) == [(a.pk, "declaration.state_changed"), (b.pk, "declaration.state_changed")]
    assert kinds_for(certificates_only) == [], "only the kinds chosen"
    body = json.loads(Delivery.objects.get(subscription=of_a).body)
    assert body["data"]["step"] == {"action": "submit", "label": "提交申报", "from_state": "draft", "to_state": "submitted", "note": ""}
    assert body["data"]["declaration"]["unit"]["name"] == a.unit.name and body["data"]["declaration"]["applicant"] == a.person.name
    assert body["occurred_at"].startswith("2021-06-07")

    # An account disabled, or moved to another organisation, takes its subscriptions' events with it.
    User.objects.filter(pk=employer_b.pk).update(organisation=a.unit)
    region_account = region.created_by
    User.objects.filter(pk=region_account.pk).update(is_active=False)
    with clock.frozen(D(2021, 6, 8)):
        transition(a, "employer_return", employer_a, note="材料不全。")
    assert [kind for _pk, kind in kinds_for(of_a)] == ["declaration.state_changed"] * 2
    assert len(kinds_for(of_b)) == 1 and len(kinds_for(region)) == 2, "nothing more for the moved and the disabled account"
    User.objects.filter(pk=region_account.pk).update(is_active=True)

    # A step that rolls back writes no delivery.
    with pytest.raises(RuntimeError), transaction.atomic(), clock.frozen(D(2021, 6, 9)):
        transition(b, "employer_return", employer_b, note="材料不全。")
        raise RuntimeError
    assert len(kinds_for(region)) == 2


@pytest.mark.django_db
def test_results_and_certificates_are_events_of_their_own(make_applicant):
    from zhicheng.certificates.models import Certificate
    from zhicheng.certificates.services import revoke_certificate

    region = regional_hr()
    sub = create_subscription(region, name="全区证书库", url=URL,
                              event_kinds=[EventKind.RESULT_RECORDED, EventKind.CERTIFICATE_ISSUED, EventKind.CERTIFICATE_REVOKED])
    app, _, _ = advance(make_applicant(P.regular_county_doctor()), State.CERTIFIED)
    cert = Certificate.objects.get(application=app)
    with clock.frozen(D(2021, 12, 1)):
        revoke_certificate(cert, region, reason="论文抄袭，经查属实", document_number="内人社发〔2021〕99号")
    assert kinds_for(sub) == [(app.pk, "declaration.result_recorded"), (app.pk, "certificate.issued"), (app.pk, "certificate.revoked")]
    result, issued, revoked = (json.loads(d.body)["data"] for d in Delivery.objects.filter(subscription=sub).order_by("pk"))
    assert result["result"] == "passed" and result["step"]["action"] == "record_pass"
    assert issued["certificate"]["number"] == cert.number and issued["certificate"]["status"] == "valid"
    assert revoked["certificate"]["number"] == cert.number and revoked["certificate"]["status"] == "revoked"
    assert revoked["certificate"]["revocation_document_number"] == "内人社发〔2021〕99号"
    assert revoked["declaration"]["state"] == State.REVOKED


# ---- what it costs -------------------------------------------------------------------------------------------

@pytest.fixture
def submitted_clones(db):
    """21 declarations of one unit, submitted: a batch for its employer."""
    from zhicheng.demo.bulk import clone_applicants, make_templates
    from zhicheng.demo.loader import DemoLoader

    with clock.frozen(D(2021, 6, 1)):
        ids = clone_applicants(make_templates(DemoLoader(out=lambda *a: None), [P.regular_engineer()]), 21)
    with clock.frozen(D(2021, 6, 7)):
        for app in Application.objects.filter(pk__in=ids).select_related("person__account"):
            transition(app, "submit", app.person.account)
    return ids


def step_queries(ids, actor, *, expect_deliveries=None) -> int:
    """The queries of one set-based step over ``ids``, undone afterwards."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured, clock.frozen(D(2021, 6, 8)):
            outcome = transition_many(ids, "employer_return", actor, note="材料不全，请补充后重新申报。")
        assert len(outcome.moved) == len(ids), outcome.refused
        if expect_deliveries is not None:
            assert Delivery.objects.count() == expect_deliveries(len(ids))
        transaction.set_rollback(True)
    return len(captured)


@pytest.mark.django_db
def test_a_step_pays_one_query_without_subscribers_and_per_batch_with_them(submitted_clones, monkeypatch, django_assert_num_queries):
    ids = submitted_clones
    employer = staff_of(Application.objects.get(pk=ids[0]).unit)
    small, large = ids[:2], ids[:20]
    step_queries(small, employer), step_queries(large, employer)  # caches warmed
    with monkeypatch.context() as patch:
        patch.setattr(registry, "OBSERVERS", [o for o in registry.OBSERVERS if o is not queue_events])
        without = {n: step_queries(part, employer) for n, part in ((2, small), (20, large))}

    # Nobody subscribes (or only paused subscriptions): one query per batch, whatever its size.
    paused = create_subscription(employer, name="停用的系统", url=URL, event_kinds=ALL)
    set_active(paused, employer, False)
    for n, part in ((2, small), (20, large)):
        with transaction.atomic():
            with django_assert_num_queries(without[n] + 1), clock.frozen(D(2021, 6, 8)):
                transition_many(part, "employer_return", employer, note="材料不全，请补充后重新申报。")
            transaction.set_rollback(True)

    # Three subscribing accounts, one of another unit: the same extra queries for 2 declarations as for 20.
    other = staff_of(Organisation.objects.get(name="呼和浩特市市政工程设计研究院"))
    create_subscription(employer, name="单位人事系统", url=URL, event_kinds=ALL)
    create_subscription(other, name="别的单位", url=URL, event_kinds=ALL)
    create_subscription(regional_hr(), name="全区数据平台", url=URL, event_kinds=[EventKind.STATE_CHANGED])
    extra = {n: step_queries(part, employer, expect_deliveries=lambda k: 2 * k) - without[n] for n, part in ((2, small), (20, large))}
    # the subscriptions; the scope over the batch of each account that may see some of it (2: not the other unit's);
    # the deliveries' INSERT; a task for each subscription told of something (2)
    assert extra == {2: 1 + 2 + 1 + 2, 20: 1 + 2 + 1 + 2}
    assert Subscription.objects.count() == 4


@pytest.mark.django_db
def test_the_cheap_scope_check_never_drops_what_the_account_sees(scene):
    """Only accounts that may see some of a batch are asked (events._may_see); whatever for_user shows, it lets through."""
    from zhicheng.accounts.permissions import QUEUE_HOLDERS
    from zhicheng.declarations.services import LOCKED_RELATIONS
    from zhicheng.webhooks.events import _may_see

    apps = list(Application.objects.select_related(*LOCKED_RELATIONS).filter(pk__in=[scene["a"].pk, scene["b"].pk]))
    checked = 0
    for who, user in vars(scene["roles"]).items():
        if user.role not in QUEUE_HOLDERS:
            continue
        seen = set(Application.objects.for_user(user).values_list("pk", flat=True))
        for app in apps:
            if app.pk in seen:
                assert _may_see(user, app), (who, app.pk)
                checked += 1
            elif user.role in (Role.EMPLOYER_HR, Role.COMMITTEE_OFFICE):
                assert not _may_see(user, app), (who, app.pk)
    assert checked >= 8
