"""Steps forward that cannot be taken back (filing, the certificate, an entrustment given to a committee) ask once
on the dossier as the endings do, and say by name what was done."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhicheng.certificates.models import Certificate
from zhicheng.core import clock
from zhicheng.declarations.states import State
from zhicheng.demo import applicants as P

from ..cycle_helpers import actor_for, advance

CONFIRM = {"confirm": "yes"}


@pytest.mark.django_db
def test_filing_and_certifying_from_the_dossier_ask_once_and_say_what_was_done(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), State.RESULT_PUBLISHED)
    act = reverse("application_act", args=[app.pk])
    with clock.frozen(day):
        client.force_login(actor_for(app))
        asked = client.post(act, {"action": "file"}).content.decode()
        app.refresh_from_db()
        assert app.state == State.RESULT_PUBLISHED, "asked, not done"
        assert "核准备案后评审结果生效" in asked and "可以制发电子证书。申报将转为“已核准备案”，这一步不能撤回。" in asked and app.person.name in asked
        done = client.post(act, {"action": "file", **CONFIRM}, follow=True).content.decode()
        app.refresh_from_db()
        assert app.state == State.FILED and "已办理：核准备案。" in done
        client.force_login(actor_for(app))
        asked = client.post(act, {"action": "certify"}).content.decode()
        assert "证书编号由系统按规则生成" in asked and not Certificate.objects.filter(application=app).exists()
        done = client.post(act, {"action": "certify", **CONFIRM}, follow=True).content.decode()
    number = Certificate.objects.get(application=app).number
    assert f"已制发电子证书，编号{number}。" in done
