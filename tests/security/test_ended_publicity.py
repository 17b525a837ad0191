"""Finding 8 (issue 11): a publicity's names are public for the objections' sake only. Once its period
is over and its objections settled (the publicity closed), the public page says it has ended and
shows no one; the public list shows running publicities only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.demo import applicants as P
from zhicheng.publicity.models import Objection
from zhicheng.publicity.services import close_publicity, handle_objection, raise_objection

from ..conftest import staff_of
from ..cycle_helpers import advance


@pytest.mark.django_db
def test_a_closed_publicity_shows_no_names_months_later(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), "employer_publicity")
    publicity = app.publicities.get()
    person, url = app.person, reverse("public_publicity_detail", args=[publicity.pk])
    masked = f"{person.id_number[0]}{'*' * 16}{person.id_number[-1]}"
    with clock.frozen(day):
        objection = raise_objection(publicity=publicity, application=app, name="李明", phone="13800001111",
                                    content="该同志的论文系他人代写，有证据可以提供。")
        running = client.get(url).content.decode()
        assert person.name in running and masked in running
        assert publicity.title in client.get(reverse("public_publicity_list")).content.decode()

    after = publicity.ends_on + dt.timedelta(days=1)
    with clock.frozen(after):
        # The period is over but an objection is still being checked: the list it concerns stays up.
        pending = client.get(url).content.decode()
        assert person.name in pending and "不再受理异议" in pending
        handle_objection(objection, staff_of(app.unit), substantiated=False, finding="经核实，论文系本人撰写。")
        close_publicity(publicity, staff_of(app.unit))

    for later in (after, after + dt.timedelta(days=120)):
        with clock.frozen(later):
            response = client.get(url)
            page = response.content.decode()
            assert response.status_code == 200
            assert "本公示已结束" in page and "公示名单不再公开" in page and "异议已处理" in page
            assert person.name not in page and masked not in page
            assert "实名提出异议" not in page
            assert publicity.title not in client.get(reverse("public_publicity_list")).content.decode()
            client.post(url, {"entry": app.pk, "name": "王芳", "phone": "13800002222", "content": "迟到的异议，内容不少于十个字。"})
    assert Objection.objects.filter(publicity=publicity).count() == 1
