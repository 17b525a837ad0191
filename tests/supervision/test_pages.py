"""The spot-check pages: the preview counts before anything is saved, the draw asks once with the counts, the
list and the sample cost the same queries whatever their rows (no N+1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.orgs.models import Area, Committee
from zhicheng.supervision import services
from zhicheng.supervision.models import Campaign, CampaignStatus

from .kit import SECRETS, people, run

pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 10, 8)


def test_the_preview_counts_and_the_draw_asks_once(client):
    supervisor, hr = people()
    client.force_login(hr)
    form = {"title": "评委会抽查", "kind": "committees", "year": 2021, "sample_rate": 50, "stratify": "area"}
    with clock.frozen(DAY):
        body = client.post(reverse("spotcheck_new"), {**form, "action": "preview"}).content.decode()
        size = services.preview(hr, Campaign(kind="committees", year=2021, sample_rate=50, stratify="area"))
        assert f"抽查总体{size['size']}项，将抽取{size['sample']}项" in body and not Campaign.objects.exists()
        typo = client.post(reverse("spotcheck_new"), {**form, "year": 2099, "sample_rate": 500, "action": "preview"}).content.decode()
        assert "年度应在2000年至今年（2021年）之间" in typo and "抽查比例应在1%至100%之间" in typo, "the preview checks as the saving does"
        assert "抽查总体" not in typo
        refused = client.post(reverse("spotcheck_new"), {**form, "sample_count": 3, "action": "start"}).content.decode()
        assert "抽查比例和抽查数量只能填写其中一项" in refused and not Campaign.objects.exists()
        response = client.post(reverse("spotcheck_new"), {**form, "action": "start"})
        campaign = Campaign.objects.get()
        assert response["Location"] == reverse("spotcheck_detail", args=[campaign.pk])
        assert campaign.parties == ["regional_hr_department", "supervisor"]
        run_parties = {"regional_hr_department": hr, "supervisor": supervisor}
        for party, user in run_parties.items():
            services.commit(campaign, user, services.commitment(SECRETS[party]))
        for party, user in run_parties.items():
            services.reveal(campaign, user, SECRETS[party])
        act = reverse("spotcheck_act", args=[campaign.pk])
        question = client.post(act, {"action": "draw"}).content.decode()
        assert f"从冻结的抽查总体{size['size']}项中抽取{size['sample']}项" in question and 'name="confirm"' in question
        assert Campaign.objects.get().status == CampaignStatus.FROZEN
        client.post(act, {"action": "draw", "confirm": "yes"})
    assert Campaign.objects.get().status == CampaignStatus.DRAWN


def test_list_and_sample_do_not_grow_with_rows(client, django_assert_num_queries):
    supervisor, hr = people()
    client.force_login(supervisor)
    with clock.frozen(DAY):
        small = run(hr, supervisor, kind="committees", sample_count=1, stratify="area")
        pages = [reverse("spotcheck_list"), reverse("spotcheck_detail", args=[small.pk])]
        counts = []
        for url in pages:
            with CaptureQueriesContext(connection) as one:
                assert client.get(url).status_code == 200
            counts.append(len(one.captured_queries))
        large = run(hr, supervisor, kind="committees", sample_count=6, stratify="area")
        run(hr, supervisor, kind="committees", sample_count=2)
        assert large.items.count() == 6
        with django_assert_num_queries(counts[0]):
            client.get(pages[0])
        with django_assert_num_queries(counts[1]):
            assert client.get(reverse("spotcheck_detail", args=[large.pk])).status_code == 200


def test_the_pages_in_english(client):
    from ..web.test_i18n import chinese_outside, english

    supervisor, hr = people()
    with clock.frozen(DAY):
        campaign = run(hr, supervisor, title="评委会抽查", kind="committees", sample_count=2, stratify="area")
        item = campaign.items.order_by("position").first()
        labels = services.stratum_labels(campaign.population["strata"].values())
        data = [campaign.title, campaign.organisation.name, supervisor.username, hr.username, *labels.values(),
                *[i.committee.name for i in campaign.items.select_related("committee")]]
        # The new campaign's choices of area and committee are data too.
        data += [*Area.objects.values_list("name", flat=True), *Committee.objects.values_list("name", flat=True)]
        pages = {
            reverse("public_spotchecks"): ("Spot checks published", "Sample drawn and published"),
            reverse("public_spotcheck_detail", args=[campaign.pk]): ("Digest of the keys", "Download the record (JSON)"),
        }
        for url, texts in pages.items():
            body = english(client, url)
            assert all(t in body for t in texts) and chinese_outside(body, data) == [], url
        client.force_login(hr)  # the organiser: the supervisor gets no form to start or record (test_spot_check_form.py)
        staff = {
            reverse("spotcheck_list"): ("New spot check", "Review committee"),
            reverse("spotcheck_new"): ("Start a random spot check", "Sampling rate (%)"),
            reverse("spotcheck_detail", args=[campaign.pk]): ("Commitments and reveals", "By league/city"),
            reverse("spotcheck_item", args=[item.pk]): ("Record a finding", "Not applicable", "Not met"),
        }
        for url, texts in staff.items():
            body = english(client, url)
            assert all(t in body for t in texts), url
            assert chinese_outside(body, data) == [], (url, chinese_outside(body, data)[:3])
