"""The material list of the notice's annex (职称评审材料目录单) and the standard deficiencies of the
one-time correction notice, as the department starts with them. Both are data: the department
edits them in the admin; the migration and the test fixtures load them through ensure_defaults().
"""

from django.db import models

# The requirement of the two forms the system generates on submission (declarations.checklist.GENERATED_FORMS).
GENERATED_FORM_REQUIREMENTS = {
    "evaluation_form": "A4纸，一式2份；系统按申报所选的档案记录生成，提交后下载打印",
    "review_summary_form": "A3纸，一式15份；系统按申报所选的档案记录生成，提交后下载打印",
}

# (code, number, name, name_en, requirement, clause, when, required, provided_by)
MATERIAL_ITEMS = [
    # The two forms of 四（一） are made by the system from the records a declaration goes up with (annex_forms):
    # nobody fills in or uploads them; not the applicant's to provide, like the publicity report (item 6).
    ("evaluation_form", "1", "专业技术职务任职资格评审表", "Evaluation form for the professional title",
     GENERATED_FORM_REQUIREMENTS["evaluation_form"], "附件1；四（一）", "always", True, "unit"),
    ("review_summary_form", "2", "专业技术资格送审表", "Review summary form",
     GENERATED_FORM_REQUIREMENTS["review_summary_form"], "附件2；四（一）", "always", True, "unit"),
    ("continuing_education_card", "3", "继续教育审验卡", "Continuing-education record card",
     "原件扫描；截止到申报时间", "附件3；三（一）；五（一）4", "continuing_education", True, "applicant"),
    ("current_title_certificate", "4", "现专业技术资格证书、聘书", "Current title certificate and letter of appointment",
     "", "附件4", "holds_title", True, "applicant"),
    ("annual_assessments", "5", "近三年的年度考核表", "Annual assessment forms of the last three years",
     "", "附件5", "always", True, "applicant"),
    ("publicity_report", "6", "公示书面报告", "Written report on the employer's publicity",
     "由申报人员所在单位提供：单位公示期满后由系统生成", "附件6；六（一）", "always", True, "unit"),
    ("papers", "7", "任现职以来具有代表性的论文、论著、译著、学术研究报告（复印件）",
     "Representative papers, books, translations and research reports since the current title (copies)",
     "代表作制度的系列（专业）提交代表作", "附件7；五（一）2", "papers", True, "applicant"),
    ("achievements", "8", "任现职以来的专业技术成果、获奖、项目完成、成果转化等资料（复印件）",
     "Achievements, awards, projects and technology transfer since the current title (copies)",
     "可用专利成果、项目报告、工作总结、工程方案、设计文件、教案、病历等替代论文（五（一）2）", "附件8", "always", True, "applicant"),
    ("work_summary", "9", "任现职以来的专业技术工作业绩总结报告", "Report on professional work since the current title",
     "本人签字", "附件9", "always", True, "applicant"),
    ("exam_certificate", "", "专业技术资格考试成绩合格证明", "Proof of passing the professional qualification examination",
     "考评结合系列须考试合格方可参加评审", "五（二）1；五（七）1", "exam", True, "applicant"),
    ("entrustment_letter", "", "委托评审函", "Letter of entrustment",
     "中央单位人力资源部门或外省（区、市）人社部门出具", "四（四）", "entrusted", True, "applicant"),
    ("rural_service_proof", "", "农村牧区基层工作服务经历证明", "Proof of rural grassroots service",
     "一年以上", "五（六）6", "rural_service", True, "applicant"),
    # The proof of a fact about the applicant that opened their route (stated on 我的档案 → 修改个人信息).
    ("talent_recognition", "", "引进高层次人才或重点领域急需紧缺人才的认定文件", "Recognition as introduced high-level talent or urgently needed talent",
     "自治区认定文件或引进协议", "五（四）3", "green_channel", True, "applicant"),
    ("transfer_documents", "", "调入（调整、安置）文件及原公务员（参公）、军队转业干部身份证明",
     "Transfer (placement) documents and proof of former civil-servant or military-cadre status",
     "调入5年内初次申报", "五（四）4", "transferred_cadre", True, "applicant"),
    ("postdoc_proof", "", "博士后在站证明，博士后科学基金资助证书或省部级以上科研项目立项文件，出站留企证明",
     "Postdoctoral station certificate, foundation grant or provincial project, proof of staying in the enterprise",
     "", "五（十二）1", "postdoc", True, "applicant"),
    ("high_skill_certificate", "", "高技能人才职业资格证书或职业技能等级证书", "Vocational qualification or skill-level certificate",
     "", "五（九）", "high_skill", True, "applicant"),
    ("foreign_permit_copy", "", "外国人来华工作许可证、外国人永久居留证或海外高层次人才居住证",
     "Foreign work permit, permanent residence card or overseas high-level talent residence permit",
     "在有效期内", "二（二）", "foreign_national", True, "applicant"),
    ("qualification_certificates", "10", "有关职业资格证书（教师资格证、执业医师证等）",
     "Relevant professional qualification certificates (teacher, medical practitioner …)",
     "", "附件10", "always", False, "applicant"),
    ("other", "11", "其他有关材料", "Other relevant materials", "", "附件11", "always", False, "applicant"),
]

FORMS_CORRECTION_TEXT = "评审表、送审表信息不规范或前后不一致：两表按所选档案记录生成，请在档案中更正相应记录并重新选择后再提交"
FORMS_CORRECTION_TEXT_EN = ("Evaluation or review summary form incomplete or inconsistent: both forms are generated from the selected "
                            "archive records; correct those records in the archive, select them again and resubmit")

# (text, text_en, material code or "")
CORRECTION_ITEMS = [
    # The forms print the archive records the declaration selected: what to correct is those records, not a file.
    (FORMS_CORRECTION_TEXT, FORMS_CORRECTION_TEXT_EN, ""),
    ("继续教育审验卡缺失或未经审验", "Continuing-education card missing or not verified", "continuing_education_card"),
    ("现专业技术资格证书、聘书缺失或不清晰", "Current title certificate or appointment letter missing or illegible", "current_title_certificate"),
    ("近三年年度考核表不全", "Annual assessment forms of the last three years incomplete", "annual_assessments"),
    ("论文论著复印件不完整（缺封面、目录或正文）", "Copies of papers incomplete (cover, contents or text missing)", "papers"),
    ("业绩成果佐证材料不清晰，请重新扫描", "Evidence of achievements illegible; please scan again", "achievements"),
    ("专业技术工作业绩总结报告未签字", "Work report not signed", "work_summary"),
    ("缺考试成绩合格证明", "Proof of passing the examination missing", "exam_certificate"),
    ("申报所选学历、工作经历与档案记录不一致", "Selected education or work records inconsistent with the archive", ""),
    ("业绩成果未在表格中填报或缺少附件佐证（材料要求3）", "Achievements not entered in the forms or without evidence", ""),
]


def ensure_defaults(material_model, correction_model) -> None:
    """Create the starting lists where they are missing; never overwrite what the department edited."""
    items = {item.code: item for item in material_model.objects.filter(code__in=[row[0] for row in MATERIAL_ITEMS])}
    previous = 0
    for index, (code, number, name, name_en, requirement, clause, when, required, provided_by) in enumerate(MATERIAL_ITEMS):
        if code not in items:
            # Between the one before it and the next one there, wherever the department put those (every ten on a new list).
            following = next((items[row[0]].sort_order for row in MATERIAL_ITEMS[index + 1:] if row[0] in items), None)
            if following is not None and following - previous < 2:
                # No number left between them: everything from the next one on moves down ten, keeping its order.
                material_model.objects.filter(sort_order__gte=following).update(sort_order=models.F("sort_order") + 10)
                for item in items.values():
                    item.sort_order += 10 if item.sort_order >= following else 0
                following += 10
            items[code] = material_model.objects.create(
                code=code, number=number, name=name, name_en=name_en, requirement=requirement, clause=clause, when=when,
                required=required, provided_by=provided_by,
                sort_order=previous + 10 if following is None else (previous + following) // 2)
        previous = items[code].sort_order
    if not correction_model.objects.exists():
        correction_model.objects.bulk_create([
            correction_model(text=text, text_en=text_en, material=items.get(code), sort_order=(order + 1) * 10)
            for order, (text, text_en, code) in enumerate(CORRECTION_ITEMS)
        ])


def load() -> None:
    from .models import CorrectionItem, MaterialItem

    ensure_defaults(MaterialItem, CorrectionItem)
