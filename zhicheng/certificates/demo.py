"""The demo's exchange of a certificate earned outside the region (七（五）4; DemoLoader.OVERSIGHT_PARTS, last).

A senior engineer who moved to a league-city enterprise from Hebei files for the exchange of their
高级工程师 certificate with its scan, as the holder does from 我的证书 → 申请换发, and it waits for the
regional department (senior titles are its to approve): regional_hr finds it under 区外证书换发 and can
approve or refuse it. Last of the parts, so the people made before keep their names and numbers.
"""

from __future__ import annotations

import datetime as dt

from zhicheng.accounts.roles import Role
from zhicheng.catalogue.models import Level, Series
from zhicheng.core import clock
from zhicheng.demo import materials
from zhicheng.files.services import store_file
from zhicheng.orgs.models import OrgKind, Organisation

from .exchange import file_exchange
from .models import ExchangeOrigin

ORIGINAL = {"issuer": "河北省人力资源和社会保障厅", "committee": "河北省工程技术系列高级职称评审委员会",
            "number": "冀高职证字〔2016〕第0428号", "title": "高级工程师", "specialty": "电气工程", "obtained_on": dt.date(2016, 12, 20)}
FILED_ON = dt.date(2021, 9, 8)


def demo(loader) -> None:
    unit = Organisation.objects.filter(kind=OrgKind.UNIT, level="city", sector="private").order_by("pk").first()
    person = loader._new_person(unit, 1978)
    holder = loader._account(f"holder{person.pk}", Role.APPLICANT, person=person, first_name=person.name)
    scan = materials.image("专业技术资格证书", [person.name, f"{ORIGINAL['title']}（{ORIGINAL['specialty']}）",
                                                f"取得时间 {ORIGINAL['obtained_on']:%Y年%m月}", ORIGINAL["issuer"],
                                                f"证书编号 {ORIGINAL['number']}"], kind="JPEG")
    evidence = store_file(f"资格证书-{person.name}-{ORIGINAL['title']}.jpg", scan, uploaded_by=holder)
    with clock.frozen(FILED_ON):  # a few days before the demo's today, not the machine's
        req = file_exchange(actor=holder, origin=ExchangeOrigin.PROVINCE, original_issuer=ORIGINAL["issuer"],
                            original_number=ORIGINAL["number"], original_committee=ORIGINAL["committee"],
                            series=Series.objects.get(code="engineering"), level=Level.ASSOCIATE_SENIOR,
                            title_name=ORIGINAL["title"], specialty=ORIGINAL["specialty"], obtained_on=ORIGINAL["obtained_on"],
                            evidence=evidence)
    loader.out(f"  区外证书换发：{person.name}的{ORIGINAL['title']}证书（{ORIGINAL['issuer']}），待{req.competent_body.name}核准")
