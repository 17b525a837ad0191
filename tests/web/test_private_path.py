"""The private-sector path of the issue through the pages (Django test client): register, keep the
archive, declare with files and pledge, employer publishes and reports, the recommending body sends
the one-time correction notice with three deficiencies, the applicant fixes all three and resubmits,
the bureau publishes the roster and it reaches the committee office."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhicheng.accounts.models import User
from zhicheng.catalogue.models import CorrectionItem, MaterialItem, Series
from zhicheng.core import clock
from zhicheng.declarations.models import Application, ApplicationMaterial
from zhicheng.declarations.states import State
from zhicheng.notifications.models import Notification
from zhicheng.orgs.models import Organisation
from zhicheng.publicity.models import Objection, Publicity

from ..conftest import staff_of
from .helpers import CHAMBER, EXECUTABLE, PRIVATE_UNIT, pdf_bytes, registration, upload

D = dt.date
HX = {"HTTP_HX_REQUEST": "true"}
# The 评审表 and 送审表 are not among them: the system prints them from the submitted records (checklist.GENERATED_FORMS).
APPLICANT_ITEMS = ["annual_assessments", "achievements", "work_summary"]


def register_private_applicant(client) -> User:
    unit = Organisation.objects.get(name=PRIVATE_UNIT)
    response = client.post(reverse("register"), registration(unit.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username=registration(unit.pk)["id_number"])
    client.force_login(user)
    education = client.post(reverse("archive_record_new", args=["education"]), {
        "level": "bachelor", "school": "内蒙古大学", "major": "环境工程", "full_time": "on", "graduated_on": "2015-07-01",
        "related_major": "on", "evidence_files": [upload("毕业证书.pdf", pdf_bytes("diploma"))],
    })
    assert education.status_code == 302
    work = client.post(reverse("archive_record_new", args=["work"]), {
        "employer_name": PRIVATE_UNIT, "post": "环境工程技术员", "started_on": "2015-07-10", "professional": "on",
        "series": "engineering", "unit_level": "city", "sector": "private",
    })
    assert work.status_code == 302
    return user


def start_and_fill(client, user) -> Application:
    engineering = Series.objects.get(code="engineering")
    chamber = Organisation.objects.get(name=CHAMBER)
    preview = client.get(reverse("declare_preview"), {"series": engineering.pk, "level": "intermediate"}, **HX)
    assert "非公有制领域直接申报" in preview.content.decode()
    response = client.post(reverse("declare_start"), {"series": engineering.pk, "level": "intermediate", "recommender": chamber.pk})
    app = Application.objects.get(person=user.person)
    assert response.status_code == 302 and response["Location"] == reverse("declaration_edit", args=[app.pk])
    assert app.eligible and app.route == "non_public_direct" and app.channel == "private"
    for kind, model in (("education", user.person.education_records), ("work", user.person.workperiod_records)):
        client.post(reverse("declaration_records", args=[app.pk]), {"kind": kind, "record": [r.pk for r in model.all()]}, **HX)
    for code in APPLICANT_ITEMS:
        item = MaterialItem.objects.get(code=code)
        row = client.post(reverse("declaration_material", args=[app.pk]),
                          {"item": item.pk, "file": upload(f"{code}.pdf", pdf_bytes(code))}, **HX)
        assert row.status_code == 200 and f"{code}.pdf" in row.content.decode()
    return app


@pytest.mark.django_db
def test_private_sector_declaration_through_the_pages(client):
    with clock.frozen(D(2021, 6, 1)):
        user = register_private_applicant(client)
        app = start_and_fill(client, user)
        page = client.get(reverse("declaration_edit", args=[app.pk])).content.decode()
        # 五（七）2: no continuing-education card and no papers on the private route.
        assert "继续教育审验卡" in page and "本途径不要求" in page
        assert page.count("badge req") == len(APPLICANT_ITEMS)

        # The forged upload is refused beside its item, in Chinese; nothing else changes.
        forged = client.post(reverse("declaration_material", args=[app.pk]),
                             {"item": MaterialItem.objects.get(code="other").pk, "file": upload("业绩.pdf", EXECUTABLE)}, **HX)
        assert "不是有效的PDF、JPEG、PNG文件" in forged.content.decode()
        assert ApplicationMaterial.objects.filter(application=app).count() == len(APPLICANT_ITEMS)

        refused = client.post(reverse("application_act", args=[app.pk]), {"action": "submit"})
        assert refused["Location"] == reverse("declaration_edit", args=[app.pk])
        app.refresh_from_db()
        assert app.state == State.DRAFT, "no pledge yet"
        client.post(reverse("declaration_pledge", args=[app.pk]), {"agree": "yes"})
        client.post(reverse("declaration_fee", args=[app.pk]), {"reference": "NMG2021060100123"})
        client.post(reverse("application_act", args=[app.pk]), {"action": "submit"})
        app.refresh_from_db()
        assert app.state == State.SUBMITTED and app.version == 1 and app.fee_paid_at

    employer = staff_of(app.unit)
    client.force_login(employer)
    with clock.frozen(D(2021, 6, 2)):
        queue = client.get(reverse("application_list") + "?queue=1").content.decode()
        assert user.person.name in queue
        client.post(reverse("application_bulk"), {"action": "employer_publish", "ids": [app.pk], "working_days": 5,
                                                  "contact": "0471-1234567", "next": "/applications/?queue=1", "confirm": "yes"})
    publicity = Publicity.objects.get(entries__application=app)
    app.refresh_from_db()
    assert app.state == State.EMPLOYER_PUBLICITY

    client.logout()
    with clock.frozen(D(2021, 6, 3)):
        public = client.get(reverse("public_publicity_detail", args=[publicity.pk])).content.decode()
        number = user.person.id_number
        assert number not in public and f"{number[0]}{'*' * 16}{number[-1]}" in public
        assert user.person.phone not in public
        client.post(reverse("public_publicity_detail", args=[publicity.pk]), {
            "entry": app.pk, "name": "张建国", "phone": "13800001111", "content": "申报人2016年至2017年并未在该单位从事专业技术工作。"})
    objection = Objection.objects.get(application=app)
    assert Notification.objects.filter(recipient=employer, key="objection_raised").exists()

    client.force_login(employer)
    after = publicity.ends_on + dt.timedelta(days=1)
    with clock.frozen(after):
        client.post(reverse("publicity_close", args=[publicity.pk]))
        publicity.refresh_from_db()
        assert publicity.is_open, "an open objection holds the publicity (八（二）3)"
        client.post(reverse("objection_handle", args=[objection.pk]),
                    {"substantiated": "no", "finding": "经核查社保缴纳记录，申报人2015年起在本单位工作，异议不属实。", "confirm": "yes"})
        client.post(reverse("publicity_close", args=[publicity.pk]), {"confirm": "yes"})
    app.refresh_from_db()
    assert app.state == State.RECOMMENDER_REVIEW and app.holder.name == CHAMBER

    recommender = staff_of(app.holder)
    client.force_login(recommender)
    deficiencies = list(CorrectionItem.objects.filter(material__code__in=["annual_assessments", "work_summary"]))
    with clock.frozen(after):
        client.post(reverse("application_correction", args=[app.pk]), {
            "standard": [c.pk for c in deficiencies], "extra": "业绩成果材料缺2020年项目验收报告",
            "deadline": (after + dt.timedelta(days=10)).isoformat(), "confirm": "yes"})
    app.refresh_from_db()
    assert app.state == State.CORRECTION_REQUESTED
    notice = app.correction_notices.get()
    assert len(notice.items) == 3

    client.force_login(user)
    with clock.frozen(after + dt.timedelta(days=1)):
        page = client.get(reverse("declaration_edit", args=[app.pk])).content.decode()
        assert all(item in page for item in notice.items), "the applicant sees the whole list at once"
        old_summary = app.materials.get(item__code="work_summary")
        client.post(reverse("declaration_material_retire", args=[app.pk, old_summary.pk]))
        for code in ("annual_assessments", "work_summary", "achievements"):
            client.post(reverse("declaration_material", args=[app.pk]),
                        {"item": MaterialItem.objects.get(code=code).pk, "file": upload(f"{code}-v2.pdf", pdf_bytes(code + "2"))}, **HX)
        client.post(reverse("application_act", args=[app.pk]), {"action": "resubmit"})
    app.refresh_from_db()
    assert app.state == State.RECOMMENDER_REVIEW and app.version == 2
    first = client.get(reverse("application_detail", args=[app.pk]) + "?version=1").content.decode()
    second = client.get(reverse("application_detail", args=[app.pk]) + "?version=2").content.decode()
    assert "work_summary.pdf" in first and "work_summary.pdf" not in second and "work_summary-v2.pdf" in second

    client.force_login(recommender)
    with clock.frozen(after + dt.timedelta(days=2)):
        again = client.get(reverse("application_correction", args=[app.pk]))
        assert again.status_code == 200
        client.post(reverse("application_act", args=[app.pk]), {"action": "recommend"})
    app.refresh_from_db()
    assert app.state == State.CITY_BUREAU_REVIEW

    bureau = staff_of(app.holder)
    client.force_login(bureau)
    roster_day = after + dt.timedelta(days=3)
    with clock.frozen(roster_day):
        client.post(reverse("application_bulk"), {"action": "publish_roster", "ids": [app.pk], "working_days": 5, "next": "/",
                                                  "confirm": "yes"})
    roster = Publicity.objects.get(entries__application=app, kind="roster")
    with clock.frozen(roster.ends_on + dt.timedelta(days=1)):
        client.post(reverse("publicity_close", args=[roster.pk]), {"confirm": "yes"})
    app.refresh_from_db()
    assert app.state == State.COMMITTEE_INTAKE

    client.force_login(staff_of(app.committee.office))
    with clock.frozen(roster.ends_on + dt.timedelta(days=2)):
        assert user.person.name in client.get(reverse("application_list") + "?queue=1").content.decode()
        dossier = client.get(reverse("application_detail", args=[app.pk])).content.decode()
        assert "work_summary-v2.pdf" in dossier and "非公有制领域直接申报" in dossier
