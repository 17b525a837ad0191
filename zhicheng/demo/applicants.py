"""Demo applicants: one archive profile per route of the eligibility contract, plus the blocks.

Each profile is the archive a real person on that route would have; the loader varies the
person and checks that the engine really opens the intended route.
"""

from __future__ import annotations

import datetime as dt

d = dt.date

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文巴图乌兰其木格敖斯尔"
GIVEN = ["建国", "海燕", "志强", "丽娜", "晓东", "敏", "伟", "静", "磊", "娜仁", "巴特尔", "乌云", "其其格", "宏伟", "雅丽", "国庆",
         "春梅", "永胜", "桂兰", "文博", "思远", "慧", "明", "婷", "刚", "霞", "斯琴", "额尔敦", "阿拉坦", "苏日娜"]


def regular_engineer(unit="内蒙古自治区建筑勘察设计研究院", level="associate_senior"):
    return {
        "route": "regular", "series": "engineering", "level": level, "unit": unit, "specialty": "土木工程",
        "education": [("bachelor", d(2004, 7, 1), True, "内蒙古工业大学", "土木工程")],
        "work": [(d(2004, 7, 15), None, True, "engineering")],
        "titles": [("engineering", "assistant", d(2005, 9, 1)), ("engineering", "intermediate", d(2012, 10, 1))],
    }


def regular_health(unit="内蒙古自治区人民医院"):
    return {
        "route": "regular", "series": "health", "level": "associate_senior", "unit": unit, "specialty": "内科", "exam": "合格（2021年卫生高级专业技术资格考试）",
        "education": [("master", d(2008, 7, 1), True, "内蒙古医科大学", "内科学")],
        "work": [(d(2008, 8, 1), None, True, "health")],
        "titles": [("health", "assistant", d(2009, 9, 1)), ("health", "intermediate", d(2013, 9, 1))],
    }


def regular_teacher(unit="呼和浩特市第二中学"):
    return {
        "route": "regular", "series": "school_teacher", "level": "associate_senior", "unit": unit, "specialty": "数学",
        "education": [("bachelor", d(2005, 7, 1), True, "内蒙古师范大学", "数学与应用数学")],
        "work": [(d(2005, 9, 1), None, True, "school_teacher")],
        "titles": [("school_teacher", "assistant", d(2006, 9, 1)), ("school_teacher", "intermediate", d(2011, 9, 1))],
        "rural_service_years": 1,
    }


def regular_lecturer(unit="内蒙古建筑职业技术学院"):
    return {
        "route": "regular", "series": "higher_education", "level": "full_senior", "unit": unit, "specialty": "建筑工程技术",
        "education": [("doctorate", d(2006, 7, 1), True, "哈尔滨工业大学", "结构工程")],
        "work": [(d(2006, 8, 1), None, True, "higher_education")],
        "titles": [("higher_education", "intermediate", d(2007, 9, 1)), ("higher_education", "associate_senior", d(2013, 12, 1))],
    }


def regular_vocational_teacher(unit="赤峰市职业技术学校"):
    return {
        "route": "regular", "series": "secondary_vocational_teacher", "level": "associate_senior", "unit": unit, "specialty": "汽车维修",
        "education": [("bachelor", d(2006, 7, 1), True, "内蒙古农业大学", "车辆工程")],
        "work": [(d(2006, 9, 1), None, True, "secondary_vocational_teacher")],
        "titles": [("secondary_vocational_teacher", "assistant", d(2007, 9, 1)), ("secondary_vocational_teacher", "intermediate", d(2013, 9, 1))],
    }


def regular_city_engineer_intermediate(unit="呼和浩特市市政工程设计研究院"):
    return {
        "route": "regular", "series": "engineering", "level": "intermediate", "unit": unit, "specialty": "水利工程",
        "education": [("bachelor", d(2012, 7, 1), True, "内蒙古农业大学", "水利水电工程")],
        "work": [(d(2012, 7, 20), None, True, "engineering")],
        "titles": [("engineering", "assistant", d(2014, 10, 1))],
    }


def regular_county_doctor(unit="准格尔旗人民医院"):
    return {
        "route": "regular", "series": "health", "level": "associate_senior", "unit": unit, "specialty": "外科", "exam": "合格（2021年卫生高级专业技术资格考试）",
        "education": [("bachelor", d(2003, 7, 1), True, "包头医学院", "临床医学")],
        "work": [(d(2003, 8, 1), None, True, "health")],
        "titles": [("health", "assistant", d(2004, 9, 1)), ("health", "intermediate", d(2010, 9, 1))],
    }


def regular_agronomist(unit="赤峰市农牧科学研究所", level="associate_senior"):
    return {
        "route": "regular", "series": "agriculture", "level": level, "unit": unit, "specialty": "农学",
        "education": [("bachelor", d(2002, 7, 1), True, "内蒙古农业大学", "农学")],
        "work": [(d(2002, 7, 20), None, True, "agriculture")],
        "titles": [("agriculture", "assistant", d(2003, 9, 1)), ("agriculture", "intermediate", d(2009, 9, 1))],
    }


def exceptional_full_senior():
    return {
        "route": "exceptional_full_senior", "series": "health", "level": "full_senior", "unit": "内蒙古自治区人民医院", "specialty": "蒙医",
        "education": [("bachelor", d(2004, 7, 1), True, "内蒙古医科大学", "蒙医学")],
        "work": [(d(2004, 7, 15), None, True, "health")],
        "titles": [("health", "intermediate", d(2016, 9, 1))],
        "honours": [("state_council_special_allowance", 2020, "享受国务院政府特殊津贴")],
    }


def exceptional_next_level():
    return {
        "route": "exceptional_next_level", "series": "agriculture", "level": "associate_senior", "unit": "宁城县农牧技术推广中心", "specialty": "畜牧",
        "education": [("bachelor", d(2012, 7, 1), True, "内蒙古农业大学", "动物科学")],
        "work": [(d(2012, 8, 1), None, True, "agriculture")],
        "titles": [("agriculture", "assistant", d(2013, 9, 1)), ("agriculture", "intermediate", d(2019, 9, 1))],
        "awards": [("肉羊高效养殖技术推广", "region", 2, 2020)],
    }


def green_channel():
    return {
        "route": "green_channel", "series": "engineering", "level": "full_senior", "unit": "内蒙古自治区建筑勘察设计研究院", "specialty": "建筑设计",
        "education": [("doctorate", d(2012, 7, 1), True, "清华大学", "建筑学")],
        "work": [(d(2012, 8, 1), None, True, "engineering")],
        "titles": [("engineering", "intermediate", d(2013, 9, 1))],
        "person": {"introduced_high_level_talent": True},
    }


def transferred_cadre():
    return {
        "route": "transferred_cadre", "series": "engineering", "level": "associate_senior", "unit": "包头钢铁（集团）有限责任公司", "specialty": "机械工程",
        "education": [("master", d(2008, 7, 1), True, "北京科技大学", "机械工程")],
        "work": [(d(2008, 7, 20), d(2019, 2, 28), True, "engineering"), (d(2019, 3, 1), None, True, "engineering")],
        "titles": [],
        "person": {"transferred_in_from": "civil_service", "transferred_in_on": d(2019, 3, 1)},
    }


def grassroots_long_service():
    return {
        "route": "grassroots_long_service", "series": "agriculture", "level": "associate_senior", "unit": "八里罕镇农牧业综合服务站", "specialty": "农学",
        "education": [("secondary_vocational", d(1998, 7, 1), True, "赤峰农牧学校", "农学")],
        "work": [(d(1999, 3, 1), None, True, "agriculture")],
        "titles": [("agriculture", "intermediate", d(2019, 12, 1))],
        "work_level": "township",
    }


def township_direct_intermediate():
    return {
        "route": "township_direct_intermediate", "series": "agriculture", "level": "intermediate", "unit": "八里罕镇农牧业综合服务站", "specialty": "草原",
        "education": [("bachelor", d(2017, 7, 1), True, "内蒙古农业大学", "草业科学")],
        "work": [(d(2017, 8, 1), None, True, "agriculture")],
        "titles": [],
        "work_level": "township",
    }


def non_public_direct(unit="内蒙古蒙草生态环境（集团）股份有限公司", recommender="内蒙古自治区工商业联合会"):
    return {
        "route": "non_public_direct", "series": "engineering", "level": "intermediate", "unit": unit, "specialty": "环境工程",
        "recommender": recommender,
        "education": [("bachelor", d(2015, 7, 1), True, "内蒙古大学", "环境工程")],
        "work": [(d(2015, 7, 10), None, True, "engineering")],
        "titles": [],
    }


def epidemic_direct(unit="鄂尔多斯市中心医院"):
    return {
        "route": "epidemic_direct", "series": "health", "level": "associate_senior", "unit": unit, "specialty": "公共卫生",
        "exam": "合格（2021年卫生高级专业技术资格考试）",
        "education": [("bachelor", d(2011, 7, 1), True, "内蒙古医科大学", "预防医学")],
        "work": [(d(2011, 8, 1), None, True, "health")],
        "titles": [("health", "assistant", d(2012, 9, 1)), ("health", "intermediate", d(2019, 9, 1))],
        "application": {"epidemic_hubei_aid": True, "epidemic_commended_provincial": True},
    }


def series_transfer():
    return {
        "route": "series_transfer", "series": "agriculture", "level": "intermediate", "unit": "赤峰市农牧科学研究所", "specialty": "农业机械",
        "education": [("bachelor", d(2010, 7, 1), True, "内蒙古工业大学", "机械设计")],
        "work": [(d(2010, 7, 20), d(2019, 2, 28), True, "engineering"), (d(2019, 3, 1), None, True, "agriculture")],
        "titles": [("engineering", "assistant", d(2011, 9, 1)), ("engineering", "intermediate", d(2016, 9, 1))],
        "application": {"new_post_since": d(2019, 3, 1)},
    }


def graduate_recognition():
    return {
        "route": "graduate_recognition", "series": "engineering", "level": "intermediate", "unit": "呼和浩特市市政工程设计研究院", "specialty": "电气工程",
        "education": [("master", d(2018, 7, 1), True, "内蒙古工业大学", "电气工程")],
        "work": [(d(2018, 7, 20), None, True, "engineering")],
        "titles": [],
    }


def postdoc_recognition():
    return {
        "route": "postdoc_recognition", "series": "engineering", "level": "associate_senior", "unit": "包头钢铁（集团）有限责任公司", "specialty": "化工",
        "education": [("doctorate", d(2018, 7, 1), True, "北京科技大学", "冶金工程")],
        "work": [(d(2018, 9, 1), None, True, "engineering")],
        "titles": [],
        "person": {"postdoc_in_station": True, "postdoc_foundation_grant": True, "postdoc_stays_in_enterprise": True},
    }


def high_skill_bridge():
    return {
        "route": "high_skill_bridge", "series": "engineering", "level": "intermediate", "unit": "鄂尔多斯市绿源建筑工程有限公司", "specialty": "建筑设计",
        "recommender": "鄂尔多斯市人力资源和社会保障局",
        "education": [("secondary_vocational", d(2003, 7, 1), True, "鄂尔多斯市技工学校", "建筑施工")],
        "work": [(d(2003, 8, 1), None, False, None)],
        "titles": [],
        "person": {"high_skill_level": "senior_technician", "high_skill_obtained_on": d(2015, 6, 1)},
    }


def entrusted_engineer(unit="中国铁路呼和浩特局集团有限公司"):
    profile = regular_engineer(unit=unit)
    profile["entrusted"] = True
    return profile


# Blocked people: they keep a draft the engine refuses, each with its clause.
def blocked(block: str):
    base = regular_engineer()
    if block == "civil_servant":
        base["person"] = {"civil_servant": True}
    elif block == "retired":
        base["person"] = {"retired": True}
    elif block == "blacklisted":
        base["blacklisted"] = d(2019, 4, 2)
    elif block == "exam_only":
        base.update(series="accounting", level="intermediate", unit="赤峰市惠民会计师事务所", specialty="会计")
    elif block == "separately_arranged":
        base.update(regular_teacher(), level="full_senior")
        base["titles"] = [("school_teacher", "associate_senior", d(2010, 9, 1))]
    elif block == "out_of_scope":
        base["person"] = {"employment_relation": "none"}
    elif block == "entrustment_missing":
        base.update(unit="国网内蒙古东部电力有限公司")
    base["route"] = None
    base["block"] = block
    return base


BLOCKS = ["civil_servant", "retired", "blacklisted", "exam_only", "separately_arranged", "out_of_scope", "entrustment_missing"]


def regular_economist(unit="包头钢铁（集团）有限责任公司"):
    return {
        "route": "regular", "series": "economics", "level": "associate_senior", "unit": unit, "specialty": "工商管理", "exam": "合格（2021年高级经济实务考试）",
        "education": [("bachelor", d(2006, 7, 1), True, "内蒙古财经大学", "工商管理")],
        "work": [(d(2006, 7, 20), None, True, "economics")],
        "titles": [("economics", "assistant", d(2008, 11, 1)), ("economics", "intermediate", d(2013, 11, 1))],
    }
