"""The audit log page as a supervisor reads it (八（二） 倒查追责): roles and kinds of object in words, each
object's own history one click away, and a filter by person, kind and days that says what is wrong with a typo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.audit.models import AuditEntry
from zhicheng.core import clock
from zhicheng.declarations.models import Application
from zhicheng.demo import applicants as P
from zhicheng.orgs.models import OrgKind, Organisation

from ..cycle_helpers import advance

D = dt.date


@pytest.fixture
def supervisor(db):
    return User.objects.create(username="supervisor-audit", role=Role.SUPERVISOR, first_name="纪检组王监督",
                               organisation=Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT))


@pytest.mark.django_db
def test_the_log_names_roles_and_objects_and_filters_by_person_kind_and_days(client, make_applicant, supervisor):
    app, _, _ = advance(make_applicant(P.regular_engineer()), "submitted")
    client.force_login(supervisor)
    with clock.frozen(D(2021, 7, 1)):
        page = client.get(reverse("audit_log")).content.decode()
        assert "（申报人）" in page and "（applicant）" not in page, "the role in words"
        assert f"{Application._meta.verbose_name} #{app.pk}" in page and ">declarations.application:" not in page
        assert f'href="?object=declarations.application:{app.pk}"' in page

        by_person = client.get(reverse("audit_log"), {"actor": app.person.account.username}).content.decode()
        assert app.person.account.username in by_person
        assert all(e.actor_name == app.person.account.username for e in
                   AuditEntry.objects.filter(seq__in=[int(s) for s in _seqs(by_person)]))
        by_name = client.get(reverse("audit_log"), {"actor": app.person.name}).content.decode()
        assert _seqs(by_name) == _seqs(by_person), "the applicant's name finds the same entries as their user name"

        kind = client.get(reverse("audit_log"), {"object_type": "declarations.application"}).content.decode()
        assert set(_seqs(kind)) == {str(s) for s in AuditEntry.objects.filter(
            object_type="declarations.application").order_by("-seq").values_list("seq", flat=True)[:50]}
        first = AuditEntry.objects.order_by("seq").first().at.astimezone(clock.CHINA).date()
        before = client.get(reverse("audit_log"), {"until": (first - dt.timedelta(days=1)).isoformat()}).content.decode()
        assert _seqs(before) == [] and "没有符合条件的记录。" in before

        typo = client.get(reverse("audit_log"), {"since": "2021-06-30", "until": "2021-06-01"}).content.decode()
        assert "截止日期不能早于起始日期。" in typo
        future = client.get(reverse("audit_log"), {"since": "2031-06-01"}).content.decode()
        assert "起始日期不能晚于今天。" in future
        unknown = client.get(reverse("audit_log"), {"object_type": "nonsense.model"})
        assert unknown.status_code == 200 and "选择一个有效的选项" in unknown.content.decode()


def _seqs(page: str) -> list[str]:
    import re

    return re.findall(r"<tr><td>(\d+)</td><td>\d{4}-", page)


@pytest.mark.django_db
def test_an_applicants_id_number_is_masked_in_the_log_as_everywhere(client, make_applicant, supervisor):
    app = make_applicant(P.regular_engineer())
    number = app.person.id_number
    User.objects.filter(pk=app.person.account.pk).update(username=number)  # as registration names them
    advance(app, "submitted")
    assert AuditEntry.objects.filter(actor_name=number).exists()
    client.force_login(supervisor)
    with clock.frozen(D(2021, 7, 1)):
        page = client.get(reverse("audit_log")).content.decode()
    assert number not in page and f"{number[0]}{'*' * 16}{number[-1]}（申报人）" in page


@pytest.mark.django_db
def test_every_kind_of_object_is_named_in_english(client, supervisor):
    """In English forty kinds in the filter (用户, 机构, 抽查发现, 事件订阅 …) stayed Chinese: their names had no
    translation."""
    import re

    client.force_login(supervisor)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("audit_log")).content.decode()
    select = re.search(r'(?s)<select name="object_type".*?</select>', page).group(0)
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert len(labels) > 80 and "Event subscription" in labels and "Spot-check finding" in labels
    assert [label for label in labels if re.search(r"[\u4e00-\u9fff]", label)] == []
