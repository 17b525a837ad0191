"""The demo region: Inner Mongolia's leagues and cities, some counties and townships, the
bodies of the notice, units across sectors and levels, committees with their approvals.

Everything is created with get_or_create on natural keys, so loading twice changes nothing.
Units, people and committees are illustrative: names follow real patterns, data is invented.
"""

from __future__ import annotations

import datetime as dt

from zhicheng.catalogue.models import AnnualPlan, FeeStandard, Series, SeriesLevelMode, Specialty, TitleName
from zhicheng.orgs.models import Area, AreaLevel, Committee, CommitteeApproval, Organisation, OrgKind, RecommenderKind

from . import catalogue_data as cd
from .ids import credit_code

REGION = ("150000", "内蒙古自治区")

# The 12 leagues and cities, and the two cities the notice addresses directly.
LEAGUE_CITIES = [
    ("150100", "呼和浩特市"), ("150200", "包头市"), ("150300", "乌海市"), ("150400", "赤峰市"), ("150500", "通辽市"),
    ("150600", "鄂尔多斯市"), ("150700", "呼伦贝尔市"), ("150800", "巴彦淖尔市"), ("150900", "乌兰察布市"),
    ("152200", "兴安盟"), ("152500", "锡林郭勒盟"), ("152900", "阿拉善盟"), ("150781", "满洲里市"), ("152501", "二连浩特市"),
]

COUNTIES = {
    "150100": [("150102", "新城区"), ("150105", "赛罕区"), ("150121", "土默特左旗"), ("150125", "武川县")],
    "150200": [("150203", "昆都仑区"), ("150222", "固阳县"), ("150223", "达尔罕茂明安联合旗")],
    "150300": [("150302", "海勃湾区")],
    "150400": [("150402", "红山区"), ("150429", "宁城县"), ("150430", "敖汉旗")],
    "150500": [("150502", "科尔沁区"), ("150523", "开鲁县")],
    "150600": [("150602", "东胜区"), ("150622", "准格尔旗"), ("150627", "伊金霍洛旗")],
    "150700": [("150702", "海拉尔区"), ("150724", "鄂温克族自治旗")],
    "150800": [("150802", "临河区"), ("150821", "五原县")],
    "150900": [("150902", "集宁区"), ("150925", "凉城县")],
    "152200": [("152201", "乌兰浩特市"), ("152221", "科尔沁右翼前旗")],
    "152500": [("152502", "锡林浩特市"), ("152530", "正蓝旗")],
    "152900": [("152921", "阿拉善左旗")],
}

TOWNSHIPS = {
    "150121": [("150121100", "察素齐镇"), ("150121104", "毕克齐镇")],
    "150125": [("150125100", "可可以力更镇")],
    "150429": [("150429100", "天义镇"), ("150429105", "八里罕镇")],
    "150430": [("150430100", "新惠镇")],
    "150622": [("150622100", "薛家湾镇")],
    "150523": [("150523100", "开鲁镇")],
    "152530": [("152530100", "上都镇")],
    "150925": [("150925100", "岱海镇")],
    "150821": [("150821100", "隆兴昌镇")],
    "152221": [("152221100", "大坝沟镇")],
}

REGION_DEPARTMENTS = ["内蒙古自治区教育厅", "内蒙古自治区卫生健康委员会", "内蒙古自治区住房和城乡建设厅", "内蒙古自治区农牧厅", "内蒙古自治区科学技术厅"]
CITY_DEPARTMENTS = [
    ("150100", "呼和浩特市教育局"), ("150100", "呼和浩特市卫生健康委员会"), ("150100", "呼和浩特市住房和城乡建设局"),
    ("150200", "包头市住房和城乡建设局"), ("150200", "包头市卫生健康委员会"), ("150400", "赤峰市农牧局"), ("150400", "赤峰市教育局"),
    ("150600", "鄂尔多斯市卫生健康委员会"), ("150500", "通辽市农牧局"), ("152500", "锡林郭勒盟教育局"), ("150900", "乌兰察布市卫生健康委员会"),
]

# (name, area code, level, sector, competent department, post management, senior posts set, filled, extra)
UNITS = [
    ("内蒙古建筑职业技术学院", "150105", "region", "public_institution", "内蒙古自治区教育厅", True, 220, 205, {}),
    ("内蒙古师范大学附属中学", "150102", "region", "public_institution", "内蒙古自治区教育厅", True, 60, 58, {}),
    ("内蒙古自治区人民医院", "150102", "region", "public_institution", "内蒙古自治区卫生健康委员会", True, 900, 880, {}),
    ("内蒙古自治区建筑勘察设计研究院", "150105", "region", "state_enterprise", "内蒙古自治区住房和城乡建设厅", False, 0, 0, {}),
    ("内蒙古自治区农牧业科学院", "150105", "region", "public_institution", "内蒙古自治区农牧厅", True, 180, 171, {}),
    ("内蒙古大学", "150105", "region", "public_institution", "内蒙古自治区教育厅", True, 1200, 1180, {}),
    ("内蒙古自治区综合疾病预防控制中心", "150102", "region", "public_institution", "内蒙古自治区卫生健康委员会", True, 150, 150, {}),
    ("呼和浩特市第一医院", "150102", "city", "public_institution", "呼和浩特市卫生健康委员会", True, 300, 290, {}),
    ("呼和浩特市第二中学", "150102", "city", "public_institution", "呼和浩特市教育局", True, 80, 78, {}),
    ("呼和浩特市市政工程设计研究院", "150105", "city", "state_enterprise", "呼和浩特市住房和城乡建设局", False, 0, 0, {}),
    ("包头钢铁（集团）有限责任公司", "150203", "city", "state_enterprise", "包头市住房和城乡建设局", False, 0, 0, {}),
    ("包头市中心医院", "150203", "city", "public_institution", "包头市卫生健康委员会", True, 400, 392, {}),
    ("赤峰市农牧科学研究所", "150402", "city", "public_institution", "赤峰市农牧局", True, 40, 39, {}),
    ("赤峰市职业技术学校", "150402", "city", "public_institution", "赤峰市教育局", True, 50, 47, {}),
    ("鄂尔多斯市中心医院", "150602", "city", "public_institution", "鄂尔多斯市卫生健康委员会", True, 350, 340, {}),
    ("通辽市农牧业技术推广中心", "150502", "city", "public_institution", "通辽市农牧局", True, 30, 30, {}),
    ("土默特左旗人民医院", "150121", "county", "public_institution", "呼和浩特市卫生健康委员会", True, 60, 57, {}),
    ("宁城县农牧技术推广中心", "150429", "county", "public_institution", "赤峰市农牧局", True, 20, 18, {}),
    ("敖汉旗第一中学", "150430", "county", "public_institution", "赤峰市教育局", True, 45, 44, {}),
    ("准格尔旗人民医院", "150622", "county", "public_institution", "鄂尔多斯市卫生健康委员会", True, 70, 65, {}),
    ("正蓝旗蒙古族中学", "152530", "county", "public_institution", "锡林郭勒盟教育局", True, 25, 25, {}),
    ("凉城县人民医院", "150925", "county", "public_institution", "乌兰察布市卫生健康委员会", True, 40, 38, {}),
    ("察素齐镇农业技术服务站", "150121100", "township", "public_institution", "呼和浩特市住房和城乡建设局", True, 5, 3, {}),
    ("天义镇卫生院", "150429100", "township", "public_institution", None, True, 6, 5, {}),
    ("八里罕镇农牧业综合服务站", "150429105", "township", "public_institution", "赤峰市农牧局", True, 4, 2, {}),
    ("上都镇中心学校", "152530100", "township", "public_institution", "锡林郭勒盟教育局", True, 8, 7, {}),
    ("内蒙古蒙草生态环境（集团）股份有限公司", "150105", "city", "private", None, False, 0, 0, {}),
    ("包头市稀宝新材料科技有限公司", "150203", "city", "private", None, False, 0, 0, {}),
    ("鄂尔多斯市绿源建筑工程有限公司", "150622", "county", "private", None, False, 0, 0, {}),
    ("赤峰市惠民会计师事务所", "150402", "city", "private", None, False, 0, 0, {}),
    ("中国铁路呼和浩特局集团有限公司", "150102", "region", "state_enterprise", None, False, 0, 0, {"central_or_out_of_region": True}),
    ("国网内蒙古东部电力有限公司", "150402", "region", "state_enterprise", None, False, 0, 0, {"central_or_out_of_region": True}),
    ("呼和浩特市社会工作协会", "150102", "city", "social_organization", "呼和浩特市住房和城乡建设局", False, 0, 0, {}),
    ("武川县可可以力更镇卫生院", "150125100", "township", "public_institution", None, True, 4, 4, {}),
]

RECOMMENDING_BODIES = [
    ("呼和浩特市人才交流服务中心", "150100", RecommenderKind.ARCHIVE_AGENCY),
    ("内蒙古自治区工商业联合会", "150000", RecommenderKind.SOCIAL_ORGANIZATION),
    ("包头稀土高新区职称申报受理服务点", "150200", RecommenderKind.SERVICE_POINT),
]

# (name, series, levels, area code, organising body, self-review unit, approval (valid_from, valid_until) or None)
COMMITTEES = [
    ("内蒙古自治区工程系列高级职称评审委员会", "engineering", ["associate_senior", "full_senior"], "150000", "内蒙古自治区住房和城乡建设厅", None, (dt.date(2019, 9, 1), dt.date(2022, 8, 31))),
    ("内蒙古自治区卫生系列高级职称评审委员会", "health", ["associate_senior", "full_senior"], "150000", "内蒙古自治区卫生健康委员会", None, (dt.date(2020, 3, 1), dt.date(2023, 2, 28))),
    ("内蒙古自治区中小学教师系列高级职称评审委员会", "school_teacher", ["associate_senior", "full_senior"], "150000", "内蒙古自治区教育厅", None, (dt.date(2019, 5, 1), dt.date(2022, 4, 30))),
    ("内蒙古自治区农业系列高级职称评审委员会", "agriculture", ["associate_senior", "full_senior"], "150000", "内蒙古自治区农牧厅", None, (dt.date(2020, 1, 1), dt.date(2022, 12, 31))),
    ("内蒙古自治区高校教师系列高级职称评审委员会", "higher_education", ["associate_senior", "full_senior"], "150000", "内蒙古自治区教育厅", None, (dt.date(2019, 7, 1), dt.date(2022, 6, 30))),
    ("内蒙古自治区经济系列高级职称评审委员会", "economics", ["associate_senior", "full_senior"], "150000", "内蒙古自治区人力资源和社会保障厅", None, (dt.date(2020, 6, 1), dt.date(2023, 5, 31))),
    ("内蒙古自治区会计系列高级职称评审委员会", "accounting", ["associate_senior", "full_senior"], "150000", "内蒙古自治区人力资源和社会保障厅", None, (dt.date(2020, 6, 1), dt.date(2023, 5, 31))),
    ("内蒙古建筑职业技术学院高校教师职称评审委员会", "higher_education", ["associate_senior", "full_senior"], "150000", "内蒙古建筑职业技术学院", "内蒙古建筑职业技术学院", (dt.date(2021, 3, 1), dt.date(2024, 2, 28))),
    ("内蒙古师范大学附属中学中小学教师职称评审委员会", "school_teacher", ["assistant", "intermediate", "associate_senior"], "150000", "内蒙古师范大学附属中学", "内蒙古师范大学附属中学", (dt.date(2021, 3, 1), dt.date(2024, 2, 28))),
    ("赤峰市中等职业学校教师高级职称评审委员会", "secondary_vocational_teacher", ["associate_senior"], "150400", "赤峰市教育局", None, (dt.date(2021, 4, 1), dt.date(2024, 3, 31))),
    ("呼和浩特市工程系列中级职称评审委员会", "engineering", ["assistant", "intermediate"], "150100", "呼和浩特市人力资源和社会保障局", None, (dt.date(2020, 1, 1), dt.date(2022, 12, 31))),
    ("赤峰市农业系列中级职称评审委员会", "agriculture", ["assistant", "intermediate"], "150400", "赤峰市人力资源和社会保障局", None, (dt.date(2020, 1, 1), dt.date(2022, 12, 31))),
    ("包头市工程系列中级职称评审委员会", "engineering", ["assistant", "intermediate"], "150200", "包头市人力资源和社会保障局", None, (dt.date(2021, 1, 1), dt.date(2023, 12, 31))),
    ("鄂尔多斯市工程系列中级职称评审委员会", "engineering", ["assistant", "intermediate"], "150600", "鄂尔多斯市人力资源和社会保障局", None, (dt.date(2020, 1, 1), dt.date(2022, 12, 31))),
    ("内蒙古自治区社会工作系列职称评审委员会", "social_work", ["intermediate", "associate_senior"], "150000", "内蒙古自治区人力资源和社会保障厅", None, (dt.date(2017, 1, 1), dt.date(2019, 12, 31))),
]


def _area(code, name, level, parent=None) -> Area:
    area, _ = Area.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return area


def _org(name, kind, area, level, **extra) -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "area": area, "level": level, **extra})
    return org


def load_areas() -> dict[str, Area]:
    areas = {}
    region = areas[REGION[0]] = _area(*REGION, AreaLevel.REGION)
    for code, name in LEAGUE_CITIES:
        areas[code] = _area(code, name, AreaLevel.LEAGUE_CITY, region)
    for city, counties in COUNTIES.items():
        for code, name in counties:
            areas[code] = _area(code, name, AreaLevel.COUNTY, areas[city])
    for county, towns in TOWNSHIPS.items():
        for code, name in towns:
            areas[code] = _area(code, name, AreaLevel.TOWNSHIP, areas[county])
    return areas


def load_catalogue(year: int = 2021) -> None:
    for order, (code, name) in enumerate(cd.SERIES):
        series, _ = Series.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
        for spec in cd.SPECIALTIES.get(code, []):
            Specialty.objects.get_or_create(series=series, name=spec)
        for level, title in zip(cd.LEVELS, cd.TITLE_NAMES[code]):
            if title:
                TitleName.objects.get_or_create(series=series, level=level, defaults={"name": title})
            if level in cd.EXAM_ONLY.get(code, ()):
                mode, clause = "exam_only", "五（二）2"
            elif level in cd.EXAM_AND_REVIEW.get(code, ()):
                mode, clause = "exam_and_review", "五（二）1"
            else:
                mode, clause = "review", ""
            SeriesLevelMode.objects.get_or_create(year=year, series=series, level=level, defaults={"mode": mode, "clause": clause})
    for level, amount in cd.FEES.items():
        FeeStandard.objects.get_or_create(level=level, defaults={"amount": amount})
    AnnualPlan.objects.get_or_create(year=year, defaults={
        "notice_number": "内人社办发〔2021〕81号", "ruleset": "nmg-2021-81", "contact_phone": "0471-6945289",
        **AnnualPlan.defaults_for(year),
    })


def load_organisations(areas: dict[str, Area]) -> dict[str, Organisation]:
    orgs = {}
    region = areas[REGION[0]]
    orgs["regional_hr"] = _org("内蒙古自治区人力资源和社会保障厅", OrgKind.REGIONAL_HR_DEPARTMENT, region, "region", phone="0471-6945289")
    orgs["talent_centre"] = _org("内蒙古自治区人事人才公共服务中心", OrgKind.TALENT_SERVICE_CENTRE, region, "region", phone="0471-6945000")
    for code, name in LEAGUE_CITIES:
        orgs[f"bureau:{code}"] = _org(f"{name}人力资源和社会保障局", OrgKind.HR_BUREAU, areas[code], "city")
    for counties in COUNTIES.values():
        for code, name in counties:
            orgs[f"bureau:{code}"] = _org(f"{areas[code].parent.name}{name}人力资源和社会保障局", OrgKind.HR_BUREAU, areas[code], "county")
    for name in REGION_DEPARTMENTS:
        orgs[name] = _org(name, OrgKind.COMPETENT_DEPARTMENT, region, "region")
    for code, name in CITY_DEPARTMENTS:
        orgs[name] = _org(name, OrgKind.COMPETENT_DEPARTMENT, areas[code], "city")
    for name, code, kind in RECOMMENDING_BODIES:
        orgs[name] = _org(name, OrgKind.RECOMMENDING_BODY, areas[code], "region" if code == "150000" else "city", recommender_kind=kind)
    sector_kind = {"public_institution": "12", "government_agency": "11", "social_organization": "51"}
    for serial, (name, code, level, sector, department, post_mgmt, posts, filled, extra) in enumerate(UNITS, start=1):
        orgs[name] = _org(
            name, OrgKind.UNIT, areas[code], level, sector=sector,
            credit_code=credit_code(serial, code[:6], sector_kind.get(sector, "91")),
            competent_department=orgs[department] if department else None,
            post_management=post_mgmt, senior_posts_set=posts, senior_posts_filled=filled, **extra,
        )
    return orgs


def load_committees(areas, orgs) -> dict[str, Committee]:
    committees = {}
    for name, series_code, levels, area_code, organiser, self_unit, approval in COMMITTEES:
        organising_body = orgs.get(organiser) or Organisation.objects.get(name=organiser)
        office = _org(f"{name}办公室", OrgKind.COMMITTEE_OFFICE, areas[area_code], "region" if area_code == "150000" else "city")
        committee, _ = Committee.objects.get_or_create(name=name, defaults={
            "series": Series.objects.get(code=series_code), "levels": levels, "area": areas[area_code],
            "organising_body": organising_body, "office": office, "self_review_unit": orgs.get(self_unit) if self_unit else None,
        })
        if approval and not committee.approvals.exists():
            approver = orgs["regional_hr"] if area_code == "150000" or {"associate_senior", "full_senior"} & set(levels) else orgs[f"bureau:{area_code}"]
            valid_from, valid_until = approval
            CommitteeApproval.objects.create(
                committee=committee, approved_by=approver, document_number=f"内人社职备〔{valid_from.year}〕{len(committees) + 1}号",
                approved_on=valid_from, valid_from=valid_from, valid_until=valid_until,
            )
        committees[name] = committee
    return committees
