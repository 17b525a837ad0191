"""Codes of the contract (levels, degrees, series ...) with their Chinese names and ranks."""

LEVELS = ("junior", "assistant", "intermediate", "associate_senior", "full_senior")
LEVEL_RANK = {code: i for i, code in enumerate(LEVELS)}
LEVEL_ZH = {
    "junior": "员级",
    "assistant": "助理级",
    "intermediate": "中级",
    "associate_senior": "副高级",
    "full_senior": "正高级",
}

DEGREES = ("high_school", "secondary_vocational", "associate", "bachelor", "master", "doctorate")
DEGREE_RANK = {code: i for i, code in enumerate(DEGREES)}
DEGREE_ZH = {
    "high_school": "高中",
    "secondary_vocational": "中专",
    "associate": "大专",
    "bachelor": "本科",
    "master": "硕士研究生",
    "doctorate": "博士研究生",
}

SERIES_ZH = {
    "higher_education": "高校教师",
    "party_school": "党校教师",
    "social_science_research": "哲学社会科学研究",
    "natural_science_research": "自然科学研究",
    "agri_research": "农牧林业科研",
    "school_teacher": "中小学教师",
    "secondary_vocational_teacher": "中等职业学校教师",
    "technical_school_teacher": "技工院校教师",
    "engineering": "工程",
    "agriculture": "农业",
    "health": "卫生",
    "economics": "经济",
    "accounting": "会计",
    "statistics": "统计",
    "auditing": "审计",
    "journalism": "新闻",
    "publishing": "出版",
    "archives": "档案",
    "library": "图书资料",
    "cultural_relics": "文物博物",
    "art": "艺术",
    "arts_and_crafts": "工艺美术",
    "sports": "体育",
    "lab_technology": "实验技术",
    "translation": "翻译",
    "computer": "计算机技术与软件",
    "communications": "通信",
    "social_work": "社会工作",
    "broadcasting": "播音主持",
}
SERIES = tuple(SERIES_ZH)

UNIT_LEVELS = ("region", "city", "county", "township")
UNIT_LEVEL_ZH = {"region": "自治区", "city": "盟市", "county": "旗县（市、区）", "township": "苏木乡镇"}
SECTORS = ("public_institution", "state_enterprise", "private", "government_agency", "social_organization")
RELATIONS = ("labor_contract", "freelance", "none")
NATIONALITIES = ("CN", "HK", "MO", "TW", "foreign")
PERMITS = ("work_permit", "permanent_residence", "overseas_talent_residence")
VIAS = ("review", "exam", "recognition", "qualification", "exceptional", "transfer")
HONOURS = (
    "national_outstanding_professional",
    "state_council_special_allowance",
    "national_talent_program",
    "region_outstanding_talent_award",
    "region_outstanding_contribution_expert",
    "grassland_talent_introduced",
    "talent_321_level1",
    "talent_321_level2",
    "region_youth_innovation_award",
    "grassland_talent_youth_level1",
)
HONOUR_ZH = {
    "national_outstanding_professional": "全国杰出专业技术人才",
    "state_council_special_allowance": "享受国务院政府特殊津贴",
    "national_talent_program": "国家人才计划入选者",
    "region_outstanding_talent_award": "自治区杰出人才奖",
    "region_outstanding_contribution_expert": "自治区突出贡献专家",
    "grassland_talent_introduced": "自治区草原英才工程引进人选",
    "talent_321_level1": "自治区321人才工程一层次人选",
    "talent_321_level2": "自治区321人才工程二层次人选",
    "region_youth_innovation_award": "自治区青年创新人才奖",
    "grassland_talent_youth_level1": "草原英才工程青年创新创业人才培养计划一层次人选",
}
AWARD_SCOPES = ("national", "region", "industry", "city")
AWARD_SCOPE_ZH = {"national": "国家级", "region": "自治区级", "industry": "自治区行业", "city": "盟市级"}
GRADE_ZH = {1: "一等奖", 2: "二等奖", 3: "三等奖"}
HIGH_SKILL = ("technician", "senior_technician")
HIGH_SKILL_ZH = {"technician": "技师", "senior_technician": "高级技师"}
TRANSFER_FROM = ("civil_service", "military")

BLOCKS = (
    "out_of_scope",
    "civil_servant",
    "retired",
    "blacklisted",
    "exam_only",
    "separately_arranged",
    "window_closed",
    "entrustment_missing",
)
CONDITION_VALUES = {
    "exam": ("required", "exempt", "none"),
    "papers": ("representative_work", "not_limiting", "not_required"),
    "continuing_education": ("required", "not_required"),
    "post_quota": ("within_quota", "exempt", "not_applicable"),
    "rural_service": ("required", "not_required"),
}
