"""The subscriber's pages (make a subscription and see its secret once; pause; delete, asked once), the address
check against server-side request forgery, and the v1 API's read of subscriptions and deliveries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import staff_of
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.services import transition
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import Organisation
from zhicheng.webhooks import addresses
from zhicheng.webhooks.models import Delivery, EventKind, Subscription
from zhicheng.webhooks.services import SubscriptionRefused, create_subscription

URL = "https://1.2.3.4/hooks/zhicheng"
EMPLOYER = "内蒙古自治区建筑勘察设计研究院"


@pytest.fixture
def employer(db):
    return staff_of(Organisation.objects.get(name=EMPLOYER))


@pytest.mark.parametrize("url", [
    "http://1.2.3.4/hook",                      # plain http to the internet
    "https://127.0.0.1/hook",                   # loopback
    "https://localhost:8443/hook",              # loopback by name
    "https://10.1.2.3/hook",                    # private
    "https://192.168.0.10/hook",
    "https://172.16.5.4/hook",
    "https://169.254.169.254/latest/meta-data",  # link-local: the cloud's metadata service
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",           # a private IPv4 address written as IPv6
    "https://0.0.0.0/hook",
    "https://100.64.0.1/hook",                  # shared address space (carrier-grade NAT)
    "https://user:secret@1.2.3.4/hook",         # credentials in the URL
    "ftp://1.2.3.4/hook",
])
def test_addresses_inside_the_network_are_refused(url, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(addresses.AddressRefused):
        addresses.check(url)


def test_loopback_over_http_only_when_the_setting_allows_it(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert addresses.check("http://127.0.0.1:8765/hook?x=1").path == "/hook?x=1"
    with pytest.raises(addresses.AddressRefused):
        addresses.check("http://10.1.2.3/hook")  # the setting opens loopback, nothing else
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(addresses.AddressRefused):
        addresses.check("http://127.0.0.1:8765/hook")
    target = addresses.check(URL)
    assert (target.scheme, target.host, target.port, target.address) == ("https", "1.2.3.4", 443, "1.2.3.4")
    assert addresses.check("https://1.2.3.4/回调 x?q=中&a=%20").path == "/%E5%9B%9E%E8%B0%83%20x?q=%E4%B8%AD&a=%20", "sent as ASCII"


@pytest.mark.django_db
def test_a_subscription_is_made_on_the_page_its_secret_shown_once(client, employer):
    client.force_login(employer)
    response = client.post(reverse("webhook_list"), {"name": "单位人事系统", "url": URL, "event_kinds": [EventKind.STATE_CHANGED,
                                                                                                    EventKind.CERTIFICATE_ISSUED]})
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    sub = Subscription.objects.get()
    assert sub.secret.startswith("whsec_") and sub.secret in response.content.decode()
    assert (sub.organisation, sub.created_by, sub.event_kinds, sub.active) == (
        employer.organisation, employer, ["declaration.state_changed", "certificate.issued"], True)
    entry = AuditEntry.objects.get(action="webhooks.subscribe")
    assert entry.actor_id == employer.pk and sub.secret not in str(entry.after)
    for page in (reverse("webhook_list"), reverse("webhook_detail", args=[sub.pk])):
        body = client.get(page).content.decode()
        assert sub.name in body and sub.secret not in body, "never shown again"


@pytest.mark.django_db
def test_an_internal_address_is_refused_on_the_page_with_the_reason(client, employer, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    client.force_login(employer)
    response = client.post(reverse("webhook_list"), {"name": "内网系统", "url": "https://169.254.169.254/latest",
                                                     "event_kinds": [EventKind.STATE_CHANGED]})
    assert response.status_code == 200 and "服务端请求伪造" in response.content.decode()
    assert not Subscription.objects.exists()
    with pytest.raises(SubscriptionRefused):
        create_subscription(employer, name="x", url="http://127.0.0.1:9/", event_kinds=[EventKind.STATE_CHANGED])
    response = client.post(reverse("webhook_list"), {"name": "无事件", "url": URL, "event_kinds": ["no.such.kind"]})
    assert response.status_code == 200 and not Subscription.objects.exists()


@pytest.mark.django_db
def test_pausing_and_deleting_asked_once_with_the_count(client, employer, make_applicant):
    sub = create_subscription(employer, name="单位人事系统", url=URL, event_kinds=[EventKind.STATE_CHANGED])
    app = make_applicant(P.regular_engineer())
    with clock.frozen(dt.date(2021, 6, 7)):
        transition(app, "submit", app.person.account)
    client.force_login(employer)
    act = reverse("webhook_act", args=[sub.pk])
    assert client.post(act, {"action": "pause"}).status_code == 302
    assert not Subscription.objects.get(pk=sub.pk).active
    asked = client.post(act, {"action": "delete"})
    assert asked.status_code == 200 and "推送记录：1条，其中待推送1条" in asked.content.decode()
    assert Subscription.objects.filter(pk=sub.pk).exists(), "asking deletes nothing"
    done = client.post(act, {"action": "delete", "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == reverse("webhook_list")
    assert not Subscription.objects.filter(pk=sub.pk).exists() and not Delivery.objects.exists()
    assert AuditEntry.objects.filter(action="webhooks.delete", object_id=str(sub.pk)).exists()
    # Another organisation's staff cannot see or act on it (nor on a stray delivery id).
    other = create_subscription(employer, name="另一个", url=URL, event_kinds=[EventKind.STATE_CHANGED])
    client.force_login(staff_of(Organisation.objects.get(name="呼和浩特市市政工程设计研究院")))
    assert client.get(reverse("webhook_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("webhook_act", args=[other.pk]), {"action": "delete", "confirm": "yes"}).status_code == 404
    client.force_login(employer)
    assert client.post(reverse("webhook_act", args=[other.pk]), {"action": "resend", "delivery": "x"}).status_code == 302


@pytest.mark.django_db
def test_the_list_page_costs_the_same_for_one_subscription_as_for_ten(client, employer, django_assert_max_num_queries):
    client.force_login(employer)
    create_subscription(employer, name="系统0", url=URL, event_kinds=[EventKind.STATE_CHANGED])
    client.get(reverse("webhook_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("webhook_list"))
    for i in range(1, 10):
        create_subscription(employer, name=f"系统{i}", url=URL, event_kinds=[EventKind.STATE_CHANGED])
    with django_assert_max_num_queries(len(one)):
        assert "系统9" in client.get(reverse("webhook_list")).content.decode()


@pytest.mark.django_db
def test_the_delivery_log_costs_the_same_for_one_delivery_as_for_ten(client, employer, django_assert_max_num_queries):
    import uuid

    from django.utils import timezone

    from zhicheng.webhooks.models import Attempt

    sub = create_subscription(employer, name="单位人事系统", url=URL, event_kinds=[EventKind.STATE_CHANGED])

    def delivered(n):
        for _ in range(n):
            d = Delivery.objects.create(subscription=sub, event_id=uuid.uuid4(), kind=EventKind.STATE_CHANGED, body="{}",
                                        state="delivered", attempts=2)
            Attempt.objects.bulk_create([Attempt(delivery=d, at=timezone.now(), status=s, error=e) for s, e in ((502, "网关错误"), (200, ""))])

    delivered(1)
    client.force_login(employer)
    page = reverse("webhook_detail", args=[sub.pk])
    client.get(page)
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    delivered(9)
    with django_assert_max_num_queries(len(one)):
        assert client.get(page).content.decode().count("网关错误") == 10


# ---- the v1 API ----------------------------------------------------------------------------------------------

def _key(user, scopes):
    from zhicheng.api.services import create_key

    return create_key(user, name="人事系统", scopes=scopes, expires_on=clock.today() + dt.timedelta(days=30))[1]


@pytest.mark.django_db
def test_the_api_lists_the_organisations_subscriptions_and_their_deliveries(client, employer, make_applicant):
    sub = create_subscription(employer, name="单位人事系统", url=URL, event_kinds=[EventKind.STATE_CHANGED])
    create_subscription(staff_of(Organisation.objects.get(name="呼和浩特市市政工程设计研究院")), name="别家", url=URL,
                        event_kinds=[EventKind.STATE_CHANGED])
    app = make_applicant(P.regular_engineer())
    with clock.frozen(dt.date(2021, 6, 7)):
        transition(app, "submit", app.person.account)
    secret = _key(employer, ["webhooks"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    listed = client.get("/api/v1/webhooks/subscriptions", **auth)
    assert listed.status_code == 200, listed.content
    assert [(s["id"], s["name"], s["active"]) for s in listed.json()] == [(sub.pk, "单位人事系统", True)], "its own organisation's only"
    assert "secret" not in listed.json()[0] and sub.secret not in listed.content.decode()

    page = client.get(f"/api/v1/webhooks/subscriptions/{sub.pk}/deliveries", {"limit": 1}, **auth).json()
    [item] = page["items"]
    delivery = Delivery.objects.get(subscription=sub)
    assert item["id"] == str(delivery.public_id) and item["state"] == "pending" and item["attempt_log"] == []
    assert item["body"]["data"]["declaration"]["id"] == app.pk and page["next_before"] is None

    filtered = client.get(f"/api/v1/webhooks/subscriptions/{sub.pk}/deliveries",
                          {"state": "delivered", "event": "declaration.state_changed"}, **auth).json()
    assert filtered == {"items": [], "next_before": None}
    wrong = client.get(f"/api/v1/webhooks/subscriptions/{sub.pk}/deliveries", {"state": "sent"}, **auth)
    assert wrong.status_code == 422 and wrong.json()["code"]
    assert client.get(f"/api/v1/webhooks/subscriptions/{sub.pk}", **auth).json()["name"] == "单位人事系统"

    other = Subscription.objects.exclude(pk=sub.pk).get()
    missing = client.get(f"/api/v1/webhooks/subscriptions/{other.pk}/deliveries", **auth)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    no_scope = client.get("/api/v1/webhooks/subscriptions", HTTP_AUTHORIZATION=f"Bearer {_key(employer, ['read_declarations'])}")
    assert no_scope.status_code == 403 and no_scope.json()["code"] == "scope_missing"


@pytest.mark.django_db
def test_the_demo_subscription_is_paused_and_kept_by_the_regional_department(client):
    from zhicheng.demo.loader import DemoLoader
    from zhicheng.webhooks.demo import demo

    said = []
    demo(DemoLoader(out=said.append))
    sub = Subscription.objects.get()
    assert not sub.active and sub.event_kinds == list(EventKind.values) and "已暂停" in said[0]
    client.force_login(sub.created_by)
    assert sub.name in client.get(reverse("webhook_list")).content.decode()
