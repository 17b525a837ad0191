"""Why an expert is left out of a draw (七（四）5) is shown in the reader's language: the draw's publication keeps the
draw's own Chinese words (they are re-verified), and the pages translate them when they show them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from zhicheng.core import clock
from zhicheng.draw.model import DrawSpec, Expert as DrawExpert, exclusion_reasons

from .kit import PUBLISH_DAY

pytestmark = pytest.mark.django_db
ENGLISH = {
    "已连续三年担任本评委会评委（七（四）5）": "Has served on this committee three years running (7(4)5)",
    "本次无法参加评审": "Not available for this review",
}


def _english(client, url) -> str:
    client.cookies["django_language"] = "en"
    with translation.override(None):  # the request activates English in this thread: the next tests' language comes back
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="en"' in body
    return body


def test_every_reason_the_draw_gives_has_its_english():
    spec = DrawSpec(committee="c", year=2021, kind="other", size=1, quotas={}, max_served_last_year=0, employer_cap=None)
    everything = DrawExpert(id="E1", name="", employer="u", attributes={}, served={"c": (2018, 2019, 2020)}, declaring=True,
                            sanctioned=True, available=False)
    reasons = exclusion_reasons(everything, spec)
    assert len(reasons) == 4
    with translation.override("en"):
        for reason in reasons:
            assert translation.gettext(reason) != reason, reason


def test_the_draw_page_and_the_pool_show_the_reasons_in_english(client, city_kit):
    kit = city_kit
    kit.experts(6)
    fourth_year = kit.expert(served=(2018, 2019, 2020))
    away = kit.expert(available=False)
    draw = kit.start(size=5)
    kit.publish(draw)
    draw.refresh_from_db()
    # The record keeps the draw's own words.
    assert draw.publication["excluded"][fourth_year.draw_id] == ["已连续三年担任本评委会评委（七（四）5）"]
    client.force_login(kit.office)
    with clock.frozen(PUBLISH_DAY):
        page = _english(client, reverse("draw_detail", args=[draw.pk]))
        pool = _english(client, reverse("expert_detail", args=[away.pk]))
    for chinese, english in ENGLISH.items():
        assert english in page and chinese not in page
    assert ENGLISH["本次无法参加评审"] in pool and "本次无法参加评审" not in pool
