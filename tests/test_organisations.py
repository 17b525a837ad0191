import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhicheng.core.identifiers import birth_date_from_id, mask_id_number, sex_from_id
from zhicheng.demo.ids import credit_code, id_number
from zhicheng.orgs.models import Committee, CommitteeApproval, Organisation, OrgKind
from zhicheng.people.models import Person


def test_id_number_gives_birth_date_and_sex():
    number = id_number("150121", dt.date(1983, 4, 5), 17)
    assert birth_date_from_id(number) == dt.date(1983, 4, 5)
    assert sex_from_id(number) == "M"
    assert mask_id_number(number) == number[0] + "*" * 16 + number[-1]


@pytest.mark.django_db
def test_person_rejects_a_bad_checksum_in_chinese():
    good = id_number("150121", dt.date(1983, 4, 5), 18)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    person = Person(name="测试", id_number=bad)
    with pytest.raises(ValidationError, match="校验位"):
        person.full_clean()
    person = Person.objects.create(name="测试", id_number=good)
    assert person.birth_date == dt.date(1983, 4, 5) and person.sex == "F"


@pytest.mark.django_db
def test_unit_needs_a_valid_credit_code():
    unit = Organisation.objects.filter(kind=OrgKind.UNIT).first()
    unit.credit_code = unit.credit_code[:-1] + ("0" if unit.credit_code[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        unit.full_clean()
    unit.credit_code = credit_code(999)
    unit.clean()  # a computed, valid code passes


@pytest.mark.django_db
def test_committee_approval_lasts_at_most_three_years():
    committee = Committee.objects.get(name="内蒙古自治区工程系列高级职称评审委员会")
    region = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    approval = CommitteeApproval(committee=committee, approved_by=region, document_number="x", approved_on=dt.date(2022, 9, 1),
                                 valid_from=dt.date(2022, 9, 1), valid_until=dt.date(2025, 9, 1))
    with pytest.raises(ValidationError, match="最长3年"):
        approval.full_clean()
    approval.valid_until = dt.date(2025, 8, 31)
    approval.full_clean()


@pytest.mark.django_db
def test_a_senior_committee_is_approved_by_the_region_only():
    committee = Committee.objects.get(name="内蒙古自治区工程系列高级职称评审委员会")
    bureau = Organisation.objects.filter(kind=OrgKind.HR_BUREAU).first()
    approval = CommitteeApproval(committee=committee, approved_by=bureau, document_number="x", approved_on=dt.date(2022, 9, 1),
                                 valid_from=dt.date(2022, 9, 1), valid_until=dt.date(2023, 8, 31))
    with pytest.raises(ValidationError, match="七（一）"):
        approval.full_clean()


@pytest.mark.django_db
def test_only_an_approved_valid_committee_accepts_declarations():
    expired = Committee.objects.get(name="内蒙古自治区社会工作系列职称评审委员会")
    assert not expired.accepts_declarations_on(dt.date(2021, 6, 1))
    engineering = Committee.objects.get(name="内蒙古自治区工程系列高级职称评审委员会")
    assert engineering.accepts_declarations_on(dt.date(2021, 6, 1))
    assert not engineering.accepts_declarations_on(dt.date(2022, 9, 1))
