"""The material checklist of a declaration: the annex's list adapted to the route the engine found.

The same MaterialItem rows make the public 一次性告知书 (八（四）1) and each applicant's checklist,
so the two never disagree. Whether an item applies follows the engine's conditions
(decision["conditions"]): e.g. no continuing-education card where 五（六）1 / 五（七）2 lift it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from zhicheng.audit.services import record as audit
from zhicheng.catalogue.models import MaterialItem, MaterialProvider, MaterialWhen
from zhicheng.core import clock

from .models import Application, ApplicationMaterial
from .states import Channel, State

# The routes of the engine's contract, named for people.
ROUTE_LABELS = {
    "regular": "正常申报（三（一））",
    "exceptional_full_senior": "破格申报正高级（五（四）1）",
    "exceptional_next_level": "破格申报高一级（五（四）2）",
    "green_channel": "绿色通道（五（四）3）",
    "transferred_cadre": "公务员、军转干部调入初次申报（五（四）4）",
    "grassroots_long_service": "基层长期服务破格（五（六）2）",
    "township_direct_intermediate": "苏木乡镇直接申报中级（五（六）3）",
    "non_public_direct": "非公有制领域直接申报（五（七）1）",
    "epidemic_direct": "抗疫突出贡献直接申报（五（八））",
    "series_transfer": "转系列评审（五（十一））",
    "graduate_recognition": "高校毕业生考核认定（五（十二）2）",
    "postdoc_recognition": "博士后考核认定（五（十二）1）",
    "high_skill_bridge": "高技能人才贯通（五（九））",
}

# What each value of the engine's conditions asks of the declaration.
CONDITION_LABELS = {
    "exam": ("考试", {"required": "须参加考试并达到合格标准（考评结合）", "exempt": "免于考试，直接参加评审", "none": "不需考试"}),
    "papers": ("论文", {"representative_work": "实行代表作制度", "not_limiting": "论文不作限制性条件，可用其他成果替代",
                      "not_required": "不作论文要求"}),
    "continuing_education": ("继续教育", {"required": "须提交继续教育审验卡", "not_required": "不要求继续教育学时"}),
    "post_quota": ("岗位数额", {"within_quota": "在单位高级岗位推荐限额内", "exempt": "不受岗位数额限制",
                            "not_applicable": "不涉及岗位数额"}),
    "rural_service": ("基层服务经历", {"required": "须有一年以上农村牧区基层工作服务经历", "not_required": "不要求"}),
}


def route_label(route: str) -> str:
    return ROUTE_LABELS.get(route, route)


def described_conditions(decision: dict | None) -> list[tuple[str, str, str]]:
    """(name, what it asks, clause) for each condition of the decision."""
    if not decision:
        return []
    cited = {c["condition"]: c.get("clause", "") for c in decision.get("conditions_cited", [])}
    rows = []
    for key, value in decision.get("conditions", {}).items():
        name, values = CONDITION_LABELS.get(key, (key, {}))
        rows.append((name, values.get(value, value), cited.get(key, "")))
    return rows


@dataclass
class Situation:
    """What decides whether an item applies: the engine's conditions, the channel, the archive."""

    conditions: dict = field(default_factory=dict)
    channel: str = ""
    holds_title: bool = False
    route: str = ""
    foreign_national: bool = False


def applies(item: MaterialItem, s: Situation) -> bool:
    c = s.conditions
    return {
        MaterialWhen.ALWAYS: True,
        MaterialWhen.CONTINUING_EDUCATION: c.get("continuing_education") != "not_required",
        MaterialWhen.PAPERS: c.get("papers") != "not_required",
        MaterialWhen.EXAM: c.get("exam") == "required",
        MaterialWhen.HOLDS_TITLE: s.holds_title,
        MaterialWhen.ENTRUSTED: s.channel == Channel.ENTRUSTED,
        MaterialWhen.RURAL_SERVICE: c.get("rural_service") == "required",
        MaterialWhen.GREEN_CHANNEL: s.route == "green_channel",
        MaterialWhen.TRANSFERRED_CADRE: s.route == "transferred_cadre",
        MaterialWhen.POSTDOC: s.route == "postdoc_recognition",
        MaterialWhen.HIGH_SKILL: s.route == "high_skill_bridge",
        MaterialWhen.FOREIGN_NATIONAL: s.foreign_national,
    }.get(item.when, True)


# The annex's two forms (四（一）; 附件1、2) by the code of their item: annex_forms makes them from the records a
# version was submitted with (REVIEW_FORM, SUMMARY_FORM). Where the department's list leaves them to the system
# (any provider but the applicant, as materials_data and catalogue 0006 set), nobody uploads them.
GENERATED_FORMS = {"evaluation_form": "review_form", "review_summary_form": "summary_form"}


def generated_form(item: MaterialItem) -> str:
    """The annex form the system makes for this item, or "" where the item is a file someone provides."""
    return "" if item.provided_by == MaterialProvider.APPLICANT else GENERATED_FORMS.get(item.code, "")


def is_required(item: MaterialItem, s: Situation) -> bool:
    if not item.required or item.provided_by != MaterialProvider.APPLICANT:
        return False
    if item.when == MaterialWhen.PAPERS:
        # Papers are a condition only under the representative-work system (五（一）2).
        return s.conditions.get("papers") == "representative_work"
    return True


def situation_of(app: Application, holds_title: bool | None = None) -> Situation:
    """`holds_title`: whether the person's archive has a title, when the caller has read it already."""
    from zhicheng.people.models import Nationality, TitleHeld

    if holds_title is None:
        holds_title = TitleHeld.objects.filter(person_id=app.person_id).exists()
    return Situation(conditions=(app.decision or {}).get("conditions", {}), channel=app.channel, holds_title=holds_title,
                     route=app.route, foreign_national=app.person.nationality == Nationality.FOREIGN)


def working_version(app: Application) -> int:
    """The version the applicant is preparing (drafts and corrections), else the last submitted."""
    return app.version + 1 if app.state in (State.DRAFT, State.CORRECTION_REQUESTED) else app.version


def materials_of_version(app: Application, version: int) -> list[ApplicationMaterial]:
    from django.db.models import Q

    return list(
        app.materials.filter(first_version__lte=version)
        .filter(Q(retired_in_version__isnull=True) | Q(retired_in_version__gt=version))
        .select_related("file", "item")
    )


@dataclass
class ChecklistRow:
    item: MaterialItem
    applies: bool
    required: bool
    files: list = field(default_factory=list)
    # The submitted version the row shows (its generated forms can be printed), 0 for the version being prepared.
    submitted_version: int = 0

    @property
    def missing(self) -> bool:
        return self.applies and self.required and not self.files

    @property
    def by_applicant(self) -> bool:
        return self.item.provided_by == MaterialProvider.APPLICANT

    @property
    def generated_form(self) -> str:
        """annex_forms' form the system makes for this item on submission ("" for a file to provide)."""
        return generated_form(self.item)


def checklist(app: Application, version: int | None = None, holds_title: bool | None = None) -> list[ChecklistRow]:
    """Every active item with whether it applies to this declaration and the files given for it."""
    s = situation_of(app, holds_title)
    version = working_version(app) if version is None else version
    submitted = version if 0 < version <= app.version else 0
    by_item: dict[int, list] = {}
    for material in materials_of_version(app, version):
        by_item.setdefault(material.item_id, []).append(material)
    rows = []
    for item in MaterialItem.objects.filter(active=True):
        files = by_item.pop(item.pk, [])
        rows.append(ChecklistRow(item=item, applies=applies(item, s) or bool(files), required=is_required(item, s), files=files,
                                 submitted_version=submitted))
    return rows


def missing_materials(app: Application, rows: list[ChecklistRow] | None = None) -> list[str]:
    """The required items without a file; pass the checklist's `rows` when the page has them already."""
    return [row.item.name for row in (checklist(app) if rows is None else rows) if row.missing]


def _require_editable_by(app: Application, actor) -> None:
    from zhicheng.accounts.roles import Role

    from .drafting import require_open
    from .services import IllegalTransition

    if actor.role != Role.APPLICANT or actor.person_id != app.person_id:
        raise IllegalTransition("只有申报人本人可以修改申报材料。")
    if app.state not in (State.DRAFT, State.CORRECTION_REQUESTED):
        raise IllegalTransition("已提交的申报不能修改材料；如需补正，请等待审核部门的一次性告知。")
    require_open(app)  # a draft of a year whose declarations closed can no longer change (三（二））


def attach(app: Application, actor, item: MaterialItem, stored_file) -> ApplicationMaterial:
    """Add a checked file (see files.services.store_upload) to one item of the checklist."""
    from django.utils.translation import gettext

    from .services import GuardFailed

    _require_editable_by(app, actor)
    if item.provided_by != MaterialProvider.APPLICANT:
        # The list leaves this item to the system or the unit: a file would sit beside what they provide.
        raise GuardFailed(gettext("《%(name)s》由系统在提交申报时按所选档案记录生成，无需上传。") % {"name": item.display_name}
                          if generated_form(item) else gettext("“%(name)s”由单位提供，申报人无需上传。") % {"name": item.display_name})
    with transaction.atomic():
        material = ApplicationMaterial.objects.create(
            application=app, item=item, file=stored_file, first_version=working_version(app),
            uploaded_by=actor, uploaded_at=clock.now(),
        )
        if item.code == "entrustment_letter" and app.entrustment_letter_id is None:
            # The engine's 四（四） block reads the letter from the declaration itself.
            app.entrustment_letter = stored_file
            app.save(update_fields=["entrustment_letter", "updated_at"])
        audit("application.attach_material", app, actor=actor,
              after={"item": item.code, "sha256": stored_file.sha256, "version": material.first_version},
              summary=f"上传申报材料：{item.name}（{stored_file.original_name}）")
    if item.code == "entrustment_letter":
        from .screening import rescreen

        rescreen(app, actor=actor)  # an archive still to correct withdraws the decision; the workspace says why
    return material


def retire(material: ApplicationMaterial, actor) -> None:
    """Take a file out of the declaration from the version being prepared on; earlier versions keep it."""
    app = material.application
    _require_editable_by(app, actor)
    if material.retired_in_version is not None:
        return
    with transaction.atomic():
        material.retired_in_version = working_version(app)
        material.save(update_fields=["retired_in_version"])
        audit("application.retire_material", app, actor=actor,
              after={"item": material.item.code, "sha256": material.file.sha256, "from_version": material.retired_in_version},
              summary=f"撤下申报材料：{material.item.name}（{material.file.original_name}）")
