"""A step that can only be refused now is not offered as a button: the dossier says what it waits for instead
(the employer was offered 公示无异议，上报 while its publicity ran, and refused on clicking)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.declarations.services import offered_actions
from zhicheng.demo import applicants as P

from ..conftest import staff_of
from ..cycle_helpers import advance


@pytest.mark.django_db
def test_the_employer_is_told_the_report_waits_for_the_publicity_instead_of_a_button(client, make_applicant):
    app, _, day = advance(make_applicant(P.regular_engineer()), "employer_publicity")
    employer = staff_of(app.unit)
    publicity = app.publicities.get()
    client.force_login(employer)
    with clock.frozen(day):
        ready, waiting = offered_actions(app, employer)
        assert "report" not in {t.action for t in ready} and [t.action for t, _ in waiting] == ["report"]
        page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
        assert 'value="report"' not in page and 'value="employer_publicity_return"' in page
        assert "尚不能办理：" in page and f"{publicity.ends_on:%Y年%m月%d日}" in page
