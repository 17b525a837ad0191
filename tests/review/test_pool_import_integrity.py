"""The expert-pool import never writes into an existing person's archive, and audits each row it writes
(issue 12, finding 3)."""

import pytest

from zhicheng.audit.models import AuditEntry
from zhicheng.orgs.models import Organisation
from zhicheng.people.models import ARCHIVE_MODELS, Education, Person, TitleHeld
from zhicheng.review import pool
from zhicheng.review.models import Expert

from .kit import D, Kit
from .test_pool_and_plans import workbook

ECONOMICS = "内蒙古自治区经济系列高级职称评审委员会"
UNIT = "内蒙古大学"
NEW_IDS = ["150121197001011230", "150121197203041243"]


@pytest.fixture
def kit(db):
    return Kit(ECONOMICS)


def econ_row(id_number, name, title="高级经济师", certificate="GC2014001", obtained="2014-12-01"):
    return [id_number, name, UNIT, "economics", "", title, obtained, certificate, "", "", "是", "13900000000", "", ""]


def archive_of(person: Person) -> dict:
    """Every archive row of the person with every value, and the person's own row."""
    rows = {kind: list(model.objects.filter(person=person).order_by("pk").values()) for kind, model in ARCHIVE_MODELS.items()}
    rows["person"] = list(Person.objects.filter(pk=person.pk).values())
    return rows


@pytest.fixture
def applicant(kit):
    """An applicant whose archive holds an intermediate economics title (经济师), nothing senior."""
    person = kit.loader._new_person(Organisation.objects.get(name=UNIT), 1985)
    TitleHeld.objects.create(person=person, series="economics", level="intermediate", title_name="经济师",
                             obtained_on=D(2016, 11, 1), certificate_number="JJ2016-7", issued_by="内蒙古自治区人力资源和社会保障厅")
    Education.objects.create(person=person, level="bachelor", school="内蒙古财经大学", major="经济学", graduated_on=D(2007, 7, 1))
    return person


@pytest.mark.django_db
def test_a_forged_title_for_an_applicant_is_refused_and_the_archive_is_unchanged(kit, applicant):
    before = archive_of(applicant)
    entries = AuditEntry.objects.count()
    report = pool.import_experts(workbook([econ_row(applicant.id_number, applicant.name, certificate="FORGED-0001")]), kit.office)
    assert not report.ok and (report.created, report.updated) == (0, 0)
    assert report.errors == [
        f"第2行：{applicant.name}已在系统中建有档案，档案中没有经济系列副高级的职称记录，与表中的“高级经济师”不符。"
        "导入不会修改已有人员的档案：请核对表中的职称，或由本人在档案中登记该职称（附证书）后再导入。"
    ]
    assert archive_of(applicant) == before
    assert not TitleHeld.objects.filter(certificate_number="FORGED-0001").exists()
    assert not Expert.objects.filter(person=applicant).exists()
    assert AuditEntry.objects.count() == entries  # nothing written, nothing to audit


@pytest.mark.django_db
def test_an_existing_person_with_the_title_on_file_is_linked_and_their_archive_left_alone(kit, applicant):
    TitleHeld.objects.create(person=applicant, series="economics", level="associate_senior", title_name="高级经济师",
                             obtained_on=D(2020, 12, 1), certificate_number="JJ2020-3", issued_by="内蒙古自治区人力资源和社会保障厅")
    before = archive_of(applicant)
    # The workbook's date, certificate number and phone differ from the archive: none of them is written there.
    report = pool.import_experts(workbook([econ_row(applicant.id_number, applicant.name, certificate="OTHER-9", obtained="2011-01-01")]),
                                 kit.office)
    assert report.ok and (report.created, report.updated) == (1, 0)
    assert archive_of(applicant) == before
    expert = Expert.objects.get(person=applicant)
    assert (expert.title_level, expert.title_name) == ("associate_senior", "高级经济师")  # read from the archive
    assert list(expert.committees.all()) == [kit.committee]
    entry = AuditEntry.objects.get(action="expert.import", object_id=str(expert.pk))
    assert entry.after["row"] == 2 and entry.after["new_person"] is False and entry.after["title_record"] is None
    assert "已有人员档案未改动" in entry.summary


@pytest.mark.django_db
def test_each_row_written_has_its_own_audit_entry(kit, applicant):
    TitleHeld.objects.create(person=applicant, series="economics", level="associate_senior", title_name="高级经济师",
                             obtained_on=D(2020, 12, 1))
    report = pool.import_experts(workbook([
        econ_row(NEW_IDS[0], "张三", title="正高级经济师"),
        econ_row(applicant.id_number, applicant.name),
        econ_row(NEW_IDS[1], "李四"),
    ]), kit.office)
    assert report.ok and (report.created, report.updated) == (3, 0)
    entries = {e.after["row"]: e for e in AuditEntry.objects.filter(action="expert.import")}
    assert sorted(entries) == [2, 3, 4]
    for row_number, id_number in ((2, NEW_IDS[0]), (3, applicant.id_number), (4, NEW_IDS[1])):
        expert = Expert.objects.get(person__id_number=id_number)
        assert entries[row_number].object_id == str(expert.pk)
        assert f"第{row_number}行" in entries[row_number].summary
    # A person new to the system is created with the title record the row states, and the entry names it.
    zhang = Person.objects.get(id_number=NEW_IDS[0])
    record = TitleHeld.objects.get(person=zhang)
    assert (record.level, record.issued_by) == ("full_senior", "（评委库导入）")
    assert entries[2].after["new_person"] is True and entries[2].after["title_record"] == record.pk

    # Imported again, the rows update the pool only: still one entry per row, and no archive grows.
    titles = TitleHeld.objects.count()
    report = pool.import_experts(workbook([econ_row(NEW_IDS[0], "张三", title="正高级经济师"), econ_row(NEW_IDS[1], "李四")]), kit.office)
    assert report.ok and (report.created, report.updated) == (0, 2)
    assert TitleHeld.objects.count() == titles
    assert AuditEntry.objects.filter(action="expert.import").count() == 5


@pytest.mark.django_db
def test_a_new_expert_s_stated_title_cannot_later_be_raised_by_another_workbook(kit):
    """A person the import created is an existing person the next time: a higher title is refused too."""
    assert pool.import_experts(workbook([econ_row(NEW_IDS[0], "张三")]), kit.office).ok
    report = pool.import_experts(workbook([econ_row(NEW_IDS[0], "张三", title="正高级经济师", certificate="FORGED-0002")]), kit.office)
    assert not report.ok and "导入不会修改已有人员的档案" in report.errors[0]
    assert list(TitleHeld.objects.filter(person__id_number=NEW_IDS[0]).values_list("level", flat=True)) == ["associate_senior"]
