"""The title catalogue of the region: series, title names, and the 2021 evaluation modes (五（二））."""

SERIES = [
    ("higher_education", "高校教师"), ("party_school", "党校教师"), ("social_science_research", "哲学社会科学研究"),
    ("natural_science_research", "自然科学研究"), ("agri_research", "农牧林业科研"), ("school_teacher", "中小学教师"),
    ("secondary_vocational_teacher", "中等职业学校教师"), ("technical_school_teacher", "技工院校教师"), ("engineering", "工程"),
    ("agriculture", "农业"), ("health", "卫生"), ("economics", "经济"), ("accounting", "会计"), ("statistics", "统计"),
    ("auditing", "审计"), ("journalism", "新闻"), ("publishing", "出版"), ("archives", "档案"), ("library", "图书资料"),
    ("cultural_relics", "文物博物"), ("art", "艺术"), ("arts_and_crafts", "工艺美术"), ("sports", "体育"),
    ("lab_technology", "实验技术"), ("translation", "翻译"), ("computer", "计算机技术与软件"), ("communications", "通信"),
    ("social_work", "社会工作"), ("broadcasting", "播音主持"),
]

LEVELS = ["junior", "assistant", "intermediate", "associate_senior", "full_senior"]

# Title names by level, lowest first; None where the series has no title at that level.
TITLE_NAMES = {
    "engineering": ["技术员", "助理工程师", "工程师", "高级工程师", "正高级工程师"],
    "computer": ["技术员", "助理工程师", "工程师", "高级工程师", "正高级工程师"],
    "communications": ["通信技术员", "助理通信工程师", "通信工程师", "高级通信工程师", "正高级通信工程师"],
    "higher_education": [None, "助教", "讲师", "副教授", "教授"],
    "party_school": [None, "助教", "讲师", "副教授", "教授"],
    "school_teacher": ["三级教师", "二级教师", "一级教师", "高级教师", "正高级教师"],
    "secondary_vocational_teacher": [None, "助理讲师", "讲师", "高级讲师", "正高级讲师"],
    "technical_school_teacher": [None, "助理讲师", "讲师", "高级讲师", "正高级讲师"],
    "health": ["医士", "医师", "主治医师", "副主任医师", "主任医师"],
    "agriculture": ["农业技术员", "助理农艺师", "农艺师", "高级农艺师", "正高级农艺师"],
    "economics": [None, "助理经济师", "经济师", "高级经济师", "正高级经济师"],
    "accounting": ["会计员", "助理会计师", "会计师", "高级会计师", "正高级会计师"],
    "statistics": ["统计员", "助理统计师", "统计师", "高级统计师", "正高级统计师"],
    "auditing": ["审计员", "助理审计师", "审计师", "高级审计师", "正高级审计师"],
    "social_science_research": [None, "研究实习员", "助理研究员", "副研究员", "研究员"],
    "natural_science_research": [None, "研究实习员", "助理研究员", "副研究员", "研究员"],
    "agri_research": [None, "研究实习员", "助理研究员", "副研究员", "研究员"],
    "journalism": [None, "助理记者", "记者", "主任记者", "高级记者"],
    "publishing": [None, "助理编辑", "编辑", "副编审", "编审"],
    "archives": ["管理员", "助理馆员", "馆员", "副研究馆员", "研究馆员"],
    "library": ["管理员", "助理馆员", "馆员", "副研究馆员", "研究馆员"],
    "cultural_relics": [None, "助理馆员", "馆员", "副研究馆员", "研究馆员"],
    "art": [None, "四级演员", "三级演员", "二级演员", "一级演员"],
    "arts_and_crafts": ["工艺美术员", "助理工艺美术师", "工艺美术师", "高级工艺美术师", "正高级工艺美术师"],
    "sports": [None, "三级教练", "二级教练", "高级教练", "国家级教练"],
    "lab_technology": ["实验员", "助理实验师", "实验师", "高级实验师", "正高级实验师"],
    "translation": [None, "三级翻译", "二级翻译", "一级翻译", "译审"],
    "social_work": [None, "助理社会工作师", "社会工作师", "高级社会工作师", "正高级社会工作师"],
    "broadcasting": [None, "三级播音员", "二级播音员", "一级播音员", "播音指导"],
}

SPECIALTIES = {
    "engineering": ["土木工程", "电气工程", "机械工程", "化工", "矿业工程", "水利工程", "环境工程", "建筑设计"],
    "health": ["内科", "外科", "儿科", "护理", "药学", "中医", "蒙医", "公共卫生"],
    "school_teacher": ["语文", "数学", "英语", "物理", "蒙古语文", "体育"],
    "higher_education": ["建筑工程技术", "机械制造", "计算机应用", "思想政治教育"],
    "agriculture": ["农学", "畜牧", "兽医", "草原", "农业机械"],
    "secondary_vocational_teacher": ["汽车维修", "电子技术", "护理", "旅游服务"],
    "economics": ["工商管理", "金融", "人力资源"],
    "accounting": ["会计"],
}

# 五（二）2 (reading 10) and 五（二）1 (reading 11) for 2021.
EXAM_ONLY = {
    "computer": set(LEVELS),
    "translation": {"assistant", "intermediate"},
    **{s: {"junior", "assistant", "intermediate"} for s in ("health", "economics", "accounting", "auditing", "statistics", "publishing", "communications")},
}
EXAM_AND_REVIEW = {s: {"associate_senior", "full_senior"} for s in ("health", "economics", "accounting", "auditing", "statistics")}

FEES = {"junior": 60, "assistant": 80, "intermediate": 120, "associate_senior": 200, "full_senior": 300}
