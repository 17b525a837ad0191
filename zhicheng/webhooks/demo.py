"""The demo's webhook subscription (DemoLoader.OVERSIGHT_PARTS): the regional department's data platform, subscribed to
every event and paused, so that the demo's workers never call out to the internet. Resuming it on /webhooks/ shows the
delivery log at work: the demo address answers nothing, so each attempt is logged with its error and tried again later."""

from __future__ import annotations

import datetime as dt

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.orgs.models import Organisation, OrgKind

from .models import EventKind, Subscription
from .services import new_secret

URL = "https://data.example.com/zhicheng/webhooks"


def demo(loader) -> None:
    from zhicheng.demo.loader import DEMO_DAY

    with clock.frozen(DEMO_DAY - dt.timedelta(days=1)):  # dated in the demo's year, like the rest of its audit log
        _subscribe(loader)


def _subscribe(loader) -> None:
    regional = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    account = User.objects.filter(organisation=regional, role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).order_by("pk").first()
    # Made directly, not by create_subscription: the demo's address is not resolved (the demo runs offline).
    sub = Subscription.objects.create(organisation=regional, created_by=account, name="全区职称数据平台（演示）", url=URL,
                                      event_kinds=list(EventKind.values), secret=new_secret(), active=False)
    audit("webhooks.subscribe", sub, actor=account, after={"name": sub.name, "url": sub.url, "events": sub.event_kinds},
          summary=f"新建事件推送订阅“{sub.name}”：{sub.url}（演示，已暂停）")
    loader.out(f"  事件推送：{regional.name}的订阅“{sub.name}”（已暂停）")
