"""The issue's path in a real browser: an applicant declares on the private-sector route with files and
the pledge; the employer publishes and reports; the checker returns it with three deficiencies at once;
the applicant fixes all three and resubmits; it reaches the committee office. Plus the public publicity
page with a real-name objection. Screenshots of each main page go to test-artifacts/screenshots/.

Reading of the notice: for the private channel (四（五）) the recommending body checks the declaration
where a competent department checks others, so it gives the one-time correction notice of 六（二）.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.web.helpers import CHAMBER, EXECUTABLE, PRIVATE_UNIT, new_id_number, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
PASSWORD = "Caoyuan-2021!"
STAFF_PASSWORD = "zhicheng2021"  # the demo loader's password for every staff account


def login(page, base, username, password):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))


def staff_username(org_name: str) -> str:
    from zhicheng.accounts.models import User

    return User.objects.filter(organisation__name=org_name, is_active=True).order_by("pk").first().username


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def upload_item(page, tmp_path, code: str, filename: str, data: bytes):
    from zhicheng.catalogue.models import MaterialItem

    item = MaterialItem.objects.get(code=code)
    row = page.locator(f"#item-{item.pk}")
    row.locator("input[type=file]").set_input_files(write(tmp_path, filename, data))
    row.locator("button[type=submit]").click()
    return page.locator(f"#item-{item.pk}")


def test_private_sector_declaration_correction_and_committee(page, region, today, shot, tmp_path):
    base = region.url
    from zhicheng.declarations.models import Application
    from zhicheng.orgs.models import Organisation
    from zhicheng.publicity.models import Publicity

    id_number = new_id_number(523)

    # —— 1 June: the applicant registers, keeps the archive, declares ——
    today(D(2021, 6, 1))
    page.goto(f"{base}/notice/engineering/intermediate/")
    assert "工程中级职称申报评审一次性告知书" in page.inner_text("h1")
    shot("one-time-notice")
    page.goto(f"{base}/register/")
    page.fill("#id_name", "乌兰其其格")
    page.fill("#id_id_number", id_number[:-1] + ("0" if id_number[-1] != "0" else "1"))  # a wrong check digit first
    page.fill("#id_phone", "13912345678")
    page.fill("#id_email", "wulan@example.com")
    page.check("#id_employment_relation_0")  # 与用人单位签订劳动（聘用）合同
    page.select_option("#id_unit", str(Organisation.objects.get(name=PRIVATE_UNIT).pk))
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    assert "身份证号码校验位不正确" in page.inner_text("main")
    assert page.input_value("#id_name") == "乌兰其其格"
    page.fill("#id_id_number", id_number)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    shot("register")
    page.click("main button[type=submit]")
    # The same answer whether or not the number was on file: log in with the password just set.
    page.wait_for_url(re.compile(r"/login/"))
    assert "注册信息已提交" in page.inner_text("main")
    page.fill("#id_username", id_number)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/archive/"))

    page.goto(f"{base}/archive/education/new/")
    page.select_option("#id_level", "bachelor")
    page.fill("#id_school", "内蒙古大学")
    page.fill("#id_major", "环境工程")
    page.fill("#id_graduated_on", "2015-07-01")
    page.set_input_files("#id_evidence_files", [write(tmp_path, "毕业证书.pdf", pdf_bytes("diploma")),
                                                write(tmp_path, "学位证书.pdf", EXECUTABLE)])
    page.click("main form button[type=submit]")
    body = page.inner_text("main")
    assert "学位证书.pdf" in body and "不是有效的PDF、JPEG、PNG文件" in body, "the forged file is refused in Chinese"
    assert page.input_value("#id_school") == "内蒙古大学", "the rest of the form survives"
    assert "毕业证书.pdf" in body, "the good file is kept"
    shot("archive-refused-file")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/archive/#education"))

    page.goto(f"{base}/archive/work/new/")
    page.fill("#id_employer_name", PRIVATE_UNIT)
    page.fill("#id_post", "环境工程技术员")
    page.fill("#id_started_on", "2015-07-10")
    page.select_option("#id_series", label="工程")  # a code is chosen by its name, never typed
    page.select_option("#id_unit_level", "city")
    page.select_option("#id_sector", "private")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/archive/"))
    shot("archive")

    page.goto(f"{base}/declare/")
    page.select_option("#id_series", label="工程")
    page.select_option("#id_level", "intermediate")
    page.select_option("#id_recommender", label=CHAMBER)
    page.wait_for_selector("#preview >> text=非公有制领域直接申报（五（七）1）：")
    shot("declare-preview")
    page.click("#start-form button[type=submit]")
    page.wait_for_url(re.compile(r"/applications/\d+/edit/"))
    app = Application.objects.get(person__id_number=id_number)

    for box in page.locator("#records input[type=checkbox]").all():
        box.check()
    page.wait_for_selector("#save-status >> text=已自动保存")
    for code in ("annual_assessments", "achievements", "work_summary"):  # the 评审表 and 送审表 are generated on submission
        upload_item(page, tmp_path, code, f"{code}.pdf", pdf_bytes(code)).get_by_role("link", name=f"{code}.pdf", exact=True).wait_for()
    refused = upload_item(page, tmp_path, "other", "附件.pdf", EXECUTABLE)
    refused.locator(".error-inline").wait_for()
    assert "不是有效的PDF、JPEG、PNG文件" in refused.inner_text()
    assert "继续教育审验卡" in page.inner_text("#materials") and "本途径不要求" in page.inner_text("#materials")
    page.check("#agree")
    page.click("#pledge button[type=submit]")
    page.fill("#id_reference", "NMG2021060100123")
    page.click("#fee button[type=submit]")
    page.wait_for_selector("#fee >> text=已缴纳评审费")
    shot("workspace")
    page.click("#submit button[type=submit]")
    page.wait_for_url(re.compile(rf"/applications/{app.pk}/$"))
    assert "待单位审核" in page.inner_text("main")
    shot("progress")

    # —— 2 June: the employer publishes it (六（一）) ——
    today(D(2021, 6, 2))
    login(page, base, staff_username(PRIVATE_UNIT), STAFF_PASSWORD)
    page.goto(f"{base}/applications/?queue=1")
    page.check(f"#pick-{app.pk}")
    page.select_option("#bulk-action", "employer_publish")
    shot("employer-queue")
    page.click(".bulk-bar button[type=submit]")
    assert f"选择1份申报：{app.person.name}。" in page.inner_text("#confirm")
    page.click("#confirm button[name=confirm]")
    page.wait_for_selector(".messages >> text=已发起公示")
    publicity = Publicity.objects.get(entries__application=app)

    # —— 3 June: anyone objects on the public page, without logging in ——
    today(D(2021, 6, 3))
    page.context.clear_cookies()
    page.goto(f"{base}/public/publicities/")
    page.click(f"text={publicity.title}")
    names = page.inner_text("main table")
    assert id_number not in names and f"{id_number[0]}{'*' * 16}{id_number[-1]}" in names and "13912345678" not in names
    page.select_option("#id_entry", str(app.pk))
    page.fill("#id_name", "张建国")
    page.fill("#id_phone", "13800001111")
    page.fill("#id_content", "申报人2016年至2017年并未在该单位从事专业技术工作。")
    shot("public-publicity")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".messages >> text=已收到您的实名异议")

    # —— after the publicity: an open objection holds it; handled, it closes and reports ——
    today(D(2021, 6, 4))
    login(page, base, staff_username(PRIVATE_UNIT), STAFF_PASSWORD)
    page.goto(f"{base}/publicities/{publicity.pk}/")
    page.check("input[name=substantiated][value=no]")
    page.fill("textarea[name=finding]", "经核查社保缴纳记录，申报人2015年起在本单位工作，异议不属实。")
    shot("publicity-objection")
    page.click("article form button[type=submit]")
    assert "公示期满结束公示后照常进入下一环节" in page.inner_text("#confirm")
    page.click("#confirm button[name=confirm]")
    page.wait_for_selector(".messages >> text=已记录异议核实结果")
    today(publicity.ends_on + dt.timedelta(days=1))
    page.goto(f"{base}/publicities/{publicity.pk}/")
    page.click("text=公示期满，结束公示并办理下一环节")
    assert "1人无异议或异议经核实不属实，将进入下一环节" in page.inner_text("#confirm")
    page.click("#confirm button[name=confirm]")
    page.wait_for_selector(".messages >> text=公示已结束")
    app.refresh_from_db()
    assert app.state == "recommender_review"

    # —— the recommending body returns it once with three deficiencies (六（二）) ——
    login(page, base, staff_username(CHAMBER), STAFF_PASSWORD)
    page.goto(f"{base}/applications/{app.pk}/")
    page.click("text=一次性告知补正")
    page.check("label:has-text('近三年年度考核表不全') input")
    page.check("label:has-text('专业技术工作业绩总结报告未签字') input")
    page.fill("#id_extra", "业绩成果材料缺2020年项目验收报告")
    shot("correction-form")
    page.click("main form button[type=submit]")
    question = page.inner_text("#confirm")
    assert "告知需补正的事项3项" in question and "业绩成果材料缺2020年项目验收报告" in question and "只能告知一次" in question
    shot("correction-confirm")
    page.click("#confirm button[name=confirm]")
    page.wait_for_selector(".messages >> text=已一次性告知")
    correction_day = publicity.ends_on + dt.timedelta(days=2)

    # —— the applicant fixes all three and resubmits once ——
    today(correction_day)
    login(page, base, id_number, PASSWORD)
    page.click("text=去补正")
    notice = page.inner_text(".notice-box")
    for item in ("近三年年度考核表不全", "专业技术工作业绩总结报告未签字", "业绩成果材料缺2020年项目验收报告"):
        assert item in notice
    shot("correction-notice")
    from zhicheng.catalogue.models import MaterialItem

    summary_row = page.locator(f"#item-{MaterialItem.objects.get(code='work_summary').pk}")
    summary_row.locator("text=撤下").click()
    page.click("main form button[type=submit]")  # the confirmation page
    page.wait_for_url(re.compile(r"/edit/"))
    for code in ("annual_assessments", "work_summary", "achievements"):
        upload_item(page, tmp_path, code, f"{code}-2.pdf", pdf_bytes(code + "-2")).get_by_role("link", name=f"{code}-2.pdf", exact=True).wait_for()
    page.click("#submit button[type=submit]")
    page.wait_for_url(re.compile(rf"/applications/{app.pk}/$"))
    app.refresh_from_db()
    assert app.state == "recommender_review" and app.version == 2

    # —— it goes on: recommended, roster published by the bureau, to the committee office ——
    login(page, base, staff_username(CHAMBER), STAFF_PASSWORD)
    page.goto(f"{base}/applications/{app.pk}/?version=1")
    assert "work_summary.pdf" in page.content(), "the first version keeps the file the applicant replaced"
    page.goto(f"{base}/applications/{app.pk}/")
    shot("dossier")
    page.click("button:has-text('推荐报送')")
    page.wait_for_selector(".messages >> text=已办理")
    app.refresh_from_db()
    bureau = Organisation.objects.get(pk=app.holder_id)
    roster_day = today(correction_day + dt.timedelta(days=1))
    login(page, base, staff_username(bureau.name), STAFF_PASSWORD)
    page.goto(f"{base}/applications/?queue=1")
    page.check(f"#pick-{app.pk}")
    page.select_option("#bulk-action", "publish_roster")
    page.click(".bulk-bar button[type=submit]")
    page.click("#confirm button[name=confirm]")
    page.wait_for_selector(".messages >> text=已发起公示")
    roster = Publicity.objects.get(entries__application=app, kind="roster")
    today(max(roster.ends_on + dt.timedelta(days=1), roster_day))
    page.goto(f"{base}/publicities/{roster.pk}/")
    page.click("text=公示期满，结束公示并办理下一环节")
    page.click("#confirm button[name=confirm]")
    page.wait_for_selector(".messages >> text=公示已结束")
    app.refresh_from_db()
    assert app.state == "committee_intake"

    login(page, base, staff_username(app.committee.office.name), STAFF_PASSWORD)
    page.goto(f"{base}/applications/?queue=1")
    assert "乌兰其其格" in page.inner_text("main table")
    shot("committee-office-queue")
    page.goto(f"{base}/applications/{app.pk}/")
    assert "work_summary-2.pdf" in page.inner_text("main")
    shot("committee-office-dossier")
