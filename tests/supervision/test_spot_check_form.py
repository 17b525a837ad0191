"""The spot-check forms: a rate or a count, never both (and the message says which); bad input of every kind ends
in a message by its field with what was typed kept, never in a 500; and who acts (八（一）): the HR department
starts, draws and records, the supervisor (纪检监察, read-only) commits and reveals as the other party and decides
nothing — the services refuse it, the pages offer it no form and say why, its POSTs change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhicheng.core import clock
from zhicheng.supervision import services
from zhicheng.supervision.checklists import checklist
from zhicheng.supervision.models import Campaign, CampaignStatus, Finding
from zhicheng.supervision.services import SpotCheckError

from .kit import SECRETS, commitment, people, run

pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 9, 15)
READ_ONLY = "监督账号只能查看，不能办理"
FORM = {"title": "2021年度评委会随机抽查", "kind": "committees", "year": "2021", "sample_rate": "", "sample_count": "3", "stratify": ""}


def errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


@pytest.mark.parametrize("action", ["preview", "start"])
def test_a_rate_or_a_count_and_the_message_says_which(client, action):
    _supervisor, hr = people()
    client.force_login(hr)
    url = reverse("spotcheck_new")
    with clock.frozen(DAY):
        both = client.post(url, {**FORM, "sample_rate": "10", "sample_count": "5", "action": action}).content.decode()
        neither = client.post(url, {**FORM, "sample_rate": "", "sample_count": "", "action": action}).content.decode()
    assert "抽查比例和抽查数量只能填写其中一项" in both and "请填写抽查比例或抽查数量中的一项" not in both
    assert 'name="sample_rate" value="10"' in both and 'name="sample_count" value="5"' in both and FORM["title"] in both
    assert "请填写抽查比例或抽查数量中的一项" in neither and "只能填写其中一项" not in neither
    assert "抽查总体" not in both + neither and not Campaign.objects.exists()
    # The service says the same to a caller that skips the form.
    with clock.frozen(DAY), pytest.raises(SpotCheckError, match="只能填写其中一项"):
        services.preview(hr, Campaign(title="x", kind="committees", year=2021, sample_rate=10, sample_count=5))


BAD = {
    # name: (changes, what the page says: by the field, or a message naming it)
    "everything empty": ({k: "" for k in FORM}, ["这个字段是必填项", "请填写抽查比例或抽查数量中的一项"]),
    "a 5000-character title": ({"title": "抽" * 5000}, ["120"]),
    "a kind not in the list": ({"kind": "everything"}, ["选择一个有效的选项"]),
    "a year before 2000": ({"year": "1999"}, ["年度应在2000年至今年（2021年）之间"]),
    "a year ahead": ({"year": "2031"}, ["年度应在2000年至今年（2021年）之间"]),
    "a huge year": ({"year": "9" * 30}, ["年度应在2000年至今年（2021年）之间"]),
    "a year in words": ({"year": "二〇二一"}, ["输入整数"]),
    "a rate of 0": ({"sample_rate": "0", "sample_count": ""}, ["抽查比例应在1%至100%之间"]),
    "a rate over 100": ({"sample_rate": "101", "sample_count": ""}, ["抽查比例应在1%至100%之间"]),
    "a huge rate": ({"sample_rate": "9" * 30, "sample_count": ""}, ["抽查比例应在1%至100%之间"]),
    "a negative rate": ({"sample_rate": "-5", "sample_count": ""}, ["抽查比例应在1%至100%之间"]),
    "a count of 0": ({"sample_count": "0"}, ["抽查数量至少为1"]),
    "a huge count": ({"sample_count": "9" * 30}, ["抽查数量不能超过100000项"]),
    "a negative count": ({"sample_count": "-1"}, ["抽查数量至少为1"]),
    "a count in words": ({"sample_count": "五"}, ["输入整数"]),
    "a series id of 40 digits": ({"series": "9" * 40}, ["选择一个有效的选项"]),
    "an area not in the list": ({"area": "999999"}, ["选择一个有效的选项"]),
    "a committee of 40 digits": ({"committee": "9" * 40}, ["选择一个有效的选项"]),
    "a stratification not in the list": ({"stratify": "by_mood"}, ["选择一个有效的选项"]),
}


@pytest.mark.parametrize("action", ["preview", "start"])
def test_bad_input_is_told_by_its_field_and_nothing_typed_is_lost(client, action):
    _supervisor, hr = people()
    client.force_login(hr)
    url = reverse("spotcheck_new")
    with clock.frozen(DAY):
        for name, (changes, says) in BAD.items():
            data = {**FORM, **changes, "action": action}
            response = client.post(url, data)
            body = response.content.decode()
            assert response.status_code == 200, name
            for text in says:
                assert text in body, (name, text)
            assert "抽查总体" not in body, name
            if "title" not in changes:
                assert f'value="{FORM["title"]}"' in body, (name, "the title as typed")
            # A message above the form (the service's) names the field it is about.
            for message in errors(response):
                assert any(field in message for field in ("年度", "抽查比例", "抽查数量", "评委会", "区域")), (name, message)
    assert not Campaign.objects.exists()


def test_the_supervisor_starts_nothing_and_sees_everything(client):
    supervisor, hr = people()
    url = reverse("spotcheck_new")
    with clock.frozen(DAY):
        for step in (services.start, services.preview):
            with pytest.raises(SpotCheckError, match=f"{READ_ONLY}：随机抽查由自治区人社厅或盟市、旗县人社局组织"):
                step(supervisor, Campaign(title="x", kind="committees", year=2021, sample_count=1))
        client.force_login(supervisor)
        page = client.get(url).content.decode()
        assert 'name="sample_rate"' not in page and 'value="start"' not in page and READ_ONLY in page and "承诺值" in page
        for action in ("preview", "start"):
            refused = client.post(url, {**FORM, "action": action})
            assert refused.status_code == 302 and refused["Location"] == reverse("spotcheck_list")
            assert any(READ_ONLY in e for e in errors(refused))
        assert not Campaign.objects.exists()
        listed = client.get(reverse("spotcheck_list")).content.decode()
        assert f'href="{url}"' not in listed and "随机抽查由自治区人社厅或盟市、旗县人社局组织" in listed
        client.force_login(hr)
        assert f'href="{url}"' in client.get(reverse("spotcheck_list")).content.decode()
        assert 'name="sample_rate"' in client.get(url).content.decode()


def test_the_supervisor_commits_and_reveals_and_the_department_draws_and_records(client):
    supervisor, hr = people()
    with clock.frozen(DAY):
        campaign = run(hr, supervisor, kind="committees", sample_count=2, draw=False)  # both committed, through the services
        detail, act = reverse("spotcheck_detail", args=[campaign.pk]), reverse("spotcheck_act", args=[campaign.pk])
        # The supervisor reveals through the page: the step it takes as the other party.
        client.force_login(supervisor)
        done = client.post(act, {"action": "reveal", "secret": SECRETS["supervisor"]})
        assert done.status_code == 302 and errors(done) == []
        services.reveal(campaign, hr, SECRETS["regional_hr_department"])
        page = client.get(detail).content.decode()
        assert 'value="draw"' not in page and "样本由组织本次抽查的人社部门抽取" in page
        for data in ({"action": "draw"}, {"action": "draw", "confirm": "yes"}):
            refused = client.post(act, data)
            assert refused.status_code == 302 and any(READ_ONLY in e for e in errors(refused))
        with pytest.raises(SpotCheckError, match=READ_ONLY):
            services.draw(campaign, supervisor)
        assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.FROZEN

        client.force_login(hr)
        assert 'value="draw"' in client.get(detail).content.decode()
        client.post(act, {"action": "draw", "confirm": "yes"})
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.DRAWN

        item = campaign.items.order_by("position").first()
        url = reverse("spotcheck_item", args=[item.pk])
        finding = {**{f"point_{p.code}": "yes" for p in checklist("committees")}, "conclusion": "no_problem", "text": ""}
        client.force_login(supervisor)
        page = client.get(url).content.decode()
        assert 'name="conclusion"' not in page and "检查结果由组织本次抽查的人社部门登记" in page
        refused = client.post(url, finding)
        assert refused.status_code == 302 and any(READ_ONLY in e for e in errors(refused))
        with pytest.raises(SpotCheckError, match=READ_ONLY):
            services.record_finding(item, supervisor, answers={p.code: "yes" for p in checklist("committees")},
                                    conclusion="no_problem", text="")
        assert not Finding.objects.exists()

        client.force_login(hr)
        assert 'name="conclusion"' in client.get(url).content.decode()
        assert client.post(url, finding).status_code == 302
    assert Finding.objects.get().recorded_by == hr


def test_the_finding_form_keeps_what_was_typed(client):
    supervisor, hr = people()
    with clock.frozen(DAY):
        campaign = run(hr, supervisor, kind="committees", sample_count=1)
        url = reverse("spotcheck_item", args=[campaign.items.get().pk])
        client.force_login(hr)
        points = {f"point_{p.code}": "yes" for p in checklist("committees")}
        text = "评审会议纪要缺少表决记录。"
        for changes, says in (({"text": "查" * 5000}, "4000"), ({"conclusion": "maybe"}, "选择一个有效的选项"),
                              ({next(iter(points)): "perhaps"}, "选择一个有效的选项"), ({"conclusion": ""}, "这个字段是必填项")):
            data = {**points, "conclusion": "problem", "text": text, **changes}
            response = client.post(url, data)
            body = response.content.decode()
            assert response.status_code == 200 and says in body, changes
            assert data["text"] in body, "what was typed comes back"
        wrong_file = client.post(url, {**points, "conclusion": "problem", "text": text,
                                       "evidence": SimpleUploadedFile("纪要.pdf", b"not a pdf at all", content_type="application/pdf")})
        assert wrong_file.status_code == 200 and text in wrong_file.content.decode()
        assert any("纪要.pdf" in e for e in errors(wrong_file)), errors(wrong_file)
        missing = client.post(url, {"conclusion": "problem", "text": text})
        assert missing.status_code == 200 and text in missing.content.decode()
        reasonless = client.post(url, {**points, "conclusion": "problem", "text": ""})
        assert any("发现问题时请写明问题及依据" in e for e in errors(reasonless))
    assert not Finding.objects.exists()
    # The commitments, unchanged: a refused finding touches nothing else.
    assert Campaign.objects.get().commitments == {p: commitment(SECRETS[p]) for p in campaign.parties}
