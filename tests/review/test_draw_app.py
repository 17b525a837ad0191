"""The draw inside the application: the pool from the records, every constraint and its conflict
message (nothing drawn then), commit-reveal, publication, the stored record and its re-verification."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from zhicheng import cli
from zhicheng.catalogue.models import AnnualPlan, Series, Specialty
from zhicheng.core import clock
from zhicheng.declarations.services import start_declaration
from zhicheng.people.models import BlacklistEntry
from zhicheng.review import drawing
from zhicheng.review.drawing import DrawError
from zhicheng.review.models import DrawStatus, ExpertDraw, Sanction

from .kit import DRAW_DAY, OFFICE_SECRET, PUBLISH_DAY, SUPERVISOR_SECRET, D, Kit, commitment

GRASSROOTS = ["土默特左旗人民医院", "宁城县农牧技术推广中心", "敖汉旗第一中学", "准格尔旗人民医院"]
PRIVATE = ["内蒙古蒙草生态环境（集团）股份有限公司", "包头市稀宝新材料科技有限公司", "赤峰市惠民会计师事务所"]


def refused(kit, **spec):
    """Start and publish; the publication must be refused with nothing stored."""
    draw = kit.start(**spec)
    with pytest.raises(DrawError) as exc:
        kit.publish(draw)
    draw.refresh_from_db()
    assert draw.status == DrawStatus.COMMITTING and draw.publication is None and draw.record is None
    assert not draw.members.exists()
    return exc.value.messages


# ---- the pool from the records ---------------------------------------------------------------

@pytest.mark.django_db
def test_exclusions_come_from_the_records(city_kit):
    kit = city_kit
    ok = kit.experts(6)
    fourth_year = kit.expert(served=(2018, 2019, 2020))
    two_years = kit.expert(served=(2019, 2020))
    declaring = kit.expert()
    with clock.frozen(D(2021, 6, 1)):
        start_declaration(person=declaring.person, plan=AnnualPlan.objects.get(year=2021), series=Series.objects.get(code="engineering"),
                          level="full_senior", actor=kit.office)
    sanctioned = kit.expert()
    Sanction.objects.create(expert=sanctioned, reason="评审中违反纪律", imposed_on=D(2020, 9, 1), until=D(2022, 8, 31))
    lapsed = kit.expert()
    Sanction.objects.create(expert=lapsed, reason="迟到", imposed_on=D(2018, 1, 1), until=D(2019, 1, 1))
    blacklisted = kit.expert()
    BlacklistEntry.objects.create(person=blacklisted.person, listed_on=D(2020, 3, 1), reason="论文抄袭")
    away = kit.expert(available=False)
    draw = kit.start(size=5)
    kit.publish(draw)
    excluded = draw.publication["excluded"]
    assert excluded == {
        fourth_year.draw_id: ["已连续三年担任本评委会评委（七（四）5）"],
        declaring.draw_id: ["本年度申报职称"],
        sanctioned.draw_id: ["受到处分或记入失信名单"],
        blacklisted.draw_id: ["受到处分或记入失信名单"],
        away.draw_id: ["本次无法参加评审"],
    }
    eligible = {t_member for t in draw.publication["lottery"]["types"] for t_member in t["members"]}
    assert eligible == {e.draw_id for e in [*ok, two_years, lapsed]}


@pytest.mark.django_db
def test_quota_attributes_come_from_unit_and_title_records(city_kit):
    kit = city_kit
    county = kit.expert(GRASSROOTS[0], specialty="水利工程")
    private = kit.expert(PRIVATE[1], level="associate_senior")
    both = kit.expert("鄂尔多斯市绿源建筑工程有限公司")
    entries = {e["id"]: e for e in drawing.pool_service.snapshot(kit.committee, 2021)}
    assert entries[county.draw_id]["attributes"] == {
        "specialty_group": "水利工程", "grassroots": True, "private_sector": False, "outside_self_review_unit": True,
        "region": "呼和浩特市", "level": "full_senior",
    }
    assert entries[private.draw_id]["attributes"]["private_sector"] is True
    assert entries[private.draw_id]["attributes"]["grassroots"] is False
    assert entries[private.draw_id]["attributes"]["region"] == "包头市"
    assert entries[private.draw_id]["attributes"]["level"] == "associate_senior"
    assert entries[both.draw_id]["attributes"]["grassroots"] and entries[both.draw_id]["attributes"]["private_sector"]
    assert entries[county.draw_id]["employer"] != entries[private.draw_id]["employer"]


# ---- every constraint, honoured when possible, named when not --------------------------------

@pytest.mark.django_db
def test_quotas_hold_in_the_committee_drawn(city_kit):
    kit = city_kit
    kit.experts(6)
    grassroots = [kit.expert(u) for u in GRASSROOTS]
    private = [kit.expert(u) for u in PRIVATE]
    draw = kit.seated(size=5, quotas={"grassroots": {"true": {"min": 2}}, "private_sector": {"true": {"min": 1, "max": 1}}})
    members = set(draw.record["result"]["committee"])
    assert len(members) == 5
    assert len(members & {e.draw_id for e in grassroots}) >= 2
    assert len(members & {e.draw_id for e in private}) == 1


@pytest.mark.django_db
def test_pool_too_small(city_kit):
    city_kit.experts(4)
    assert refused(city_kit, size=5) == ["没有任何评委会组合能满足全部条件，未进行抽选：", "评委会需要5人，但可抽选专家仅4人"]


@pytest.mark.django_db
@pytest.mark.parametrize("category, units, label", [
    ("grassroots", GRASSROOTS[:1], "基层一线专家"),
    ("private_sector", PRIVATE[:1], "非公有制领域专家"),
])
def test_boolean_quota_beyond_the_pool(city_kit, category, units, label):
    city_kit.experts(6)
    for unit in units:
        city_kit.expert(unit)
    messages = refused(city_kit, size=5, quotas={category: {"true": {"min": 2}}})
    assert messages[1:] == [f"{label}至少需要2人，但可抽选专家仅1人"]


@pytest.mark.django_db
def test_specialty_group_quota(city_kit):
    city_kit.experts(5, specialty="土木工程")
    city_kit.experts(2, specialty="水利工程")
    messages = refused(city_kit, size=5, quotas={"specialty_group": {"水利工程": {"min": 3}}})
    assert messages[1:] == ["专业组“水利工程”至少需要3人，但可抽选专家仅2人"]


@pytest.mark.django_db
def test_specialty_group_upper_bound_conflicts_with_size(city_kit):
    city_kit.experts(3, specialty="土木工程")
    city_kit.experts(3, specialty="水利工程")
    messages = refused(city_kit, size=5, quotas={"specialty_group": {"水利工程": {"max": 1}}})
    assert messages[1] == "以下条件不能同时满足（放宽其中任何一条即可消除这一冲突）："
    assert "专业组“水利工程”至多1人（可抽选专家3人）" in messages


@pytest.mark.django_db
def test_outside_experts_for_a_self_review_unit():
    kit = Kit("内蒙古建筑职业技术学院高校教师职称评审委员会")
    assert drawing.default_spec(kit.plan)["size"] == 25  # a senior committee by series
    inside = [kit.expert("内蒙古建筑职业技术学院") for _ in range(22)]
    outside = kit.experts(6)
    entries = {e["id"]: e for e in drawing.pool_service.snapshot(kit.committee, 2021)}
    assert not entries[inside[0].draw_id]["attributes"]["outside_self_review_unit"]
    assert entries[outside[0].draw_id]["attributes"]["outside_self_review_unit"]
    messages = refused(kit, quotas={"outside_self_review_unit": {"true": {"min": 8}}})
    assert messages[1:] == ["非本单位同行专家至少需要8人，但可抽选专家仅6人"]


@pytest.mark.django_db
def test_rotation_at_most_two_thirds_served_last_year(city_kit):
    city_kit.experts(4, served=(2020,))
    city_kit.experts(1)
    messages = refused(city_kit, size=5)
    assert "上年度已任评委至多3人，即至少三分之一轮换（可抽选专家中上年度已任评委4人）" in messages
    assert "评委会共5人（可抽选专家共5人）" in messages


@pytest.mark.django_db
def test_rotation_bound_above_two_thirds_is_refused(city_kit):
    with clock.frozen(PUBLISH_DAY), pytest.raises(DrawError) as exc:
        drawing.start_draw(city_kit.plan, city_kit.office, city_kit.spec(size=5, max_served_last_year=4))
    assert exc.value.messages == ["上年度已任评委不得超过评委会人数的三分之二（5人中至多3人），现设为4人"]


@pytest.mark.django_db
def test_employer_cap(city_kit):
    same = [city_kit.expert("内蒙古大学") for _ in range(4)]
    city_kit.expert("包头市中心医院")
    city_kit.expert("呼和浩特市第一医院")
    messages = refused(city_kit, size=5, employer_cap=1)
    assert f"同一单位（U{same[0].unit_id}）评委至多1人（该单位可抽选专家4人）" in messages


@pytest.mark.django_db
@pytest.mark.parametrize("size, message", [(4, "评委会人数应为单数，现为4人"), (0, "评委会人数 size 应为正整数")])
def test_size_must_be_odd_and_positive(city_kit, size, message):
    with clock.frozen(PUBLISH_DAY), pytest.raises(DrawError) as exc:
        drawing.start_draw(city_kit.plan, city_kit.office, city_kit.spec(size=size, max_served_last_year=0))
    assert message in exc.value.messages


@pytest.mark.django_db
def test_senior_committees_have_their_national_minimum(kit):
    assert drawing.default_spec(kit.plan)["size"] == 25
    with clock.frozen(PUBLISH_DAY), pytest.raises(DrawError) as exc:
        drawing.start_draw(kit.plan, kit.office, kit.spec(size=23))
    assert exc.value.messages == ["按系列组建的高评委会不少于25人，现为23人"]
    kit.committee.specialties.add(Specialty.objects.get(series=kit.committee.series, name="土木工程"))
    assert drawing.committee_kind(kit.committee) == "senior_by_specialty"
    assert drawing.default_spec(kit.plan)["size"] == 11


@pytest.mark.django_db
def test_draw_needs_a_filed_plan_and_the_office(city_kit):
    city_kit.plan.status = "draft"
    city_kit.plan.save()
    with clock.frozen(PUBLISH_DAY), pytest.raises(DrawError, match="评审实施方案报备后方可抽选评委"):
        drawing.start_draw(city_kit.plan, city_kit.office, city_kit.spec(size=5))
    with clock.frozen(PUBLISH_DAY), pytest.raises(DrawError, match="只有本评委会办事机构可以组织抽选"):
        drawing.start_draw(city_kit.plan, city_kit.supervisor, city_kit.spec(size=5))


# ---- commit, publish, object, reveal, draw ---------------------------------------------------

@pytest.mark.django_db
def test_commitments_come_before_publication_reveals_after_the_objection_period(city_kit):
    kit = city_kit
    kit.experts(7)
    with clock.frozen(PUBLISH_DAY):
        draw = drawing.start_draw(kit.plan, kit.office, kit.spec(size=5))
        drawing.commit(draw, kit.office, commitment(OFFICE_SECRET))
        with pytest.raises(DrawError, match="公示前须收到纪检监察机构的承诺值"):
            drawing.publish(draw, kit.office, 3)
        with pytest.raises(DrawError, match="64位十六进制"):
            drawing.commit(draw, kit.supervisor, "not a hash")
        drawing.commit(draw, kit.supervisor, commitment(SUPERVISOR_SECRET))
        with pytest.raises(DrawError, match="异议期不少于3个工作日"):
            drawing.publish(draw, kit.office, 2)
        drawing.publish(draw, kit.office, 3)
        assert draw.objections_until == D(2021, 7, 28)
        with pytest.raises(DrawError, match="公示后不能再提交或更改承诺值"):
            drawing.commit(draw, kit.supervisor, commitment("b" * 64))
        with pytest.raises(DrawError, match="期满后方可揭示"):
            drawing.reveal(draw, kit.office, OFFICE_SECRET)
    with clock.frozen(DRAW_DAY):
        with pytest.raises(DrawError, match="纪检监察机构的揭示值与其事先公布的承诺值不符"):
            drawing.reveal(draw, kit.supervisor, "c" * 64)
        with pytest.raises(DrawError, match="32至128位小写十六进制"):
            drawing.reveal(draw, kit.supervisor, "short")
        drawing.reveal(draw, kit.office, OFFICE_SECRET)
        with pytest.raises(DrawError, match="尚未收到纪检监察机构的揭示值"):
            drawing.perform(draw, kit.office)
        drawing.reveal(draw, kit.supervisor, SUPERVISOR_SECRET)
        with pytest.raises(DrawError, match="只有本评委会办事机构可以执行抽选"):
            drawing.perform(draw, kit.supervisor)
        drawing.perform(draw, kit.office)
    assert draw.record["seed"]["key"] == f"{OFFICE_SECRET}/{SUPERVISOR_SECRET}/"


@pytest.mark.django_db
def test_a_named_public_lottery_result_enters_the_seed(city_kit):
    kit = city_kit
    kit.experts(7)
    with clock.frozen(PUBLISH_DAY):
        draw = drawing.start_draw(kit.plan, kit.office, kit.spec(size=5), public_source="体彩排列五第2021200期")
        drawing.commit(draw, kit.office, commitment(OFFICE_SECRET))
        drawing.commit(draw, kit.supervisor, commitment(SUPERVISOR_SECRET))
        drawing.publish(draw, kit.office, 3)
    with clock.frozen(DRAW_DAY):
        drawing.reveal(draw, kit.office, OFFICE_SECRET)
        drawing.reveal(draw, kit.supervisor, SUPERVISOR_SECRET)
        with pytest.raises(DrawError, match="尚未录入公开开奖结果"):
            drawing.perform(draw, kit.office)
        drawing.enter_public_result(draw, kit.office, [3, 5, 8, 1, 0])
        drawing.perform(draw, kit.office)
    assert draw.record["seed"]["key"].endswith("/3.5.8.1.0/")
    assert draw.record["public_result"] == {"name": "体彩排列五第2021200期", "values": [3, 5, 8, 1, 0]}
    assert drawing.verify_stored(draw).ok


@pytest.mark.django_db
def test_objections_to_the_pool(city_kit, client):
    kit = city_kit
    kit.experts(7)
    draw = kit.start(size=5)
    kit.publish(draw)
    with clock.frozen(PUBLISH_DAY):
        objection = drawing.object_to(draw, name="赵六", phone="13900000001", content="专家某某已调离，不应在库中")
    with clock.frozen(DRAW_DAY):
        drawing.reveal(draw, kit.office, OFFICE_SECRET)
        drawing.reveal(draw, kit.supervisor, SUPERVISOR_SECRET)
        with pytest.raises(DrawError, match="异议尚未处理完毕"):
            drawing.perform(draw, kit.office)
        with pytest.raises(DrawError, match="不在专家库公示异议期内"):
            drawing.object_to(draw, name="钱七", phone="1", content="迟到的异议")
        drawing.handle_objection(objection, kit.office, upheld=True, finding="经核实该专家已于2021年6月调离")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.CANCELLED and "调离" in draw.cancel_reason
    assert drawing.start_draw(kit.plan, kit.office, kit.spec(size=5)).status == DrawStatus.COMMITTING  # a new draw may start


@pytest.mark.django_db
def test_a_member_who_declines_is_replaced_from_the_same_type(city_kit):
    kit = city_kit
    kit.experts(6)
    grassroots = [kit.expert(u) for u in GRASSROOTS]
    draw = kit.seated(size=5, quotas={"grassroots": {"true": {"min": 2, "max": 2}}})
    member = draw.members.filter(expert__in=grassroots).first()
    with clock.frozen(DRAW_DAY):
        successor = drawing.decline(member, kit.office, "身体原因")
    assert successor is not None and successor.expert in grassroots and successor.via_substitution
    reserves = next(g for g in draw.record["result"]["reserves"] if member.expert.draw_id in g["members"])["reserves"]
    assert successor.expert.draw_id == reserves[0]
    sitting = kit.members()
    assert len(sitting) == 5 and len([e for e in sitting if e in grassroots]) == 2


# ---- the stored record re-verifies, and any change is named --------------------------------

@pytest.fixture
def stored(city_kit):
    city_kit.experts(6)
    for unit in GRASSROOTS[:3]:
        city_kit.expert(unit)
    return city_kit.seated(size=5, quotas={"grassroots": {"true": {"min": 1}}})


@pytest.mark.django_db
def test_the_stored_record_re_verifies(stored, tmp_path, capsys):
    assert drawing.verify_stored(stored).ok
    call_command("draw", "verify-stored", str(stored.pk))
    assert "复核通过" in capsys.readouterr().out
    path = tmp_path / "record.json"
    call_command("draw", "export", str(stored.pk), "--out", str(path))
    assert cli.main(["draw", "verify", str(path), "--publication", stored.publication_sha256]) == 0
    assert json.loads(path.read_text(encoding="utf-8")) == stored.record


def _tampered(draw, change):
    record = copy.deepcopy(draw.record)
    change(record)
    ExpertDraw.objects.filter(pk=draw.pk).update(record=record)
    draw.refresh_from_db()
    return drawing.verify_stored(draw)


@pytest.mark.django_db
def test_a_changed_pool_entry_is_named(stored):
    target = stored.record["pool"][0]["id"]

    def change(record):
        record["pool"][0]["attributes"]["grassroots"] = not record["pool"][0]["attributes"]["grassroots"]

    check = _tampered(stored, change)
    assert not check.ok
    assert f"专家 {target} 与公示的摘要不符（已被改动）" in check.problems
    assert "抽选记录与抽选时登记的记录摘要不符（记录被改动）" in check.problems
    with pytest.raises(CommandError, match="复核未通过"):
        call_command("draw", "verify-stored", str(stored.pk))


@pytest.mark.django_db
def test_a_changed_parameter_is_named(stored):
    check = _tampered(stored, lambda r: r["spec"].update(max_served_last_year=2))
    assert "参数 max_served_last_year 与公示的摘要不符（已被改动）" in check.problems


@pytest.mark.django_db
def test_a_changed_revealed_value_is_named(stored):
    check = _tampered(stored, lambda r: r["reveals"].update(office="e" * 64))
    assert "评委会办事机构的揭示值与其事先公布的承诺不符" in check.problems


@pytest.mark.django_db
def test_a_changed_committee_is_named(stored):
    outsider = next(e["id"] for e in stored.record["pool"] if e["id"] not in stored.record["result"]["committee"])
    check = _tampered(stored, lambda r: r["result"].update(committee=sorted(r["result"]["committee"][1:] + [outsider])))
    assert any(p.startswith("评委名单与重新抽选结果不同") and outsider in p for p in check.problems)


@pytest.mark.django_db
def test_exported_record_fails_the_pure_cli_when_altered(stored, tmp_path, capsys):
    record = copy.deepcopy(stored.record)
    record["reveals"]["supervisor"] = "d" * 64
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert cli.main(["draw", "verify", str(path)]) == 1
    assert "纪检监察机构的揭示值与其事先公布的承诺不符" in capsys.readouterr().err
