"""The declaration (申报, model Application) and what hangs off it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhicheng.catalogue.models import Level

from .querysets import ApplicationQuerySet
from .states import Channel, State, is_recognition, state_label


class Application(models.Model):
    """One person's declaration for one title in one year. Its state moves only by services.transition()."""

    person = models.ForeignKey("people.Person", verbose_name="申报人", on_delete=models.PROTECT, related_name="applications")
    plan = models.ForeignKey("catalogue.AnnualPlan", verbose_name="年度", on_delete=models.PROTECT, related_name="applications")
    series = models.ForeignKey("catalogue.Series", verbose_name="系列", on_delete=models.PROTECT, related_name="+")
    specialty = models.ForeignKey("catalogue.Specialty", verbose_name="专业", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.CharField("申报层级", max_length=20, choices=Level.choices)
    unit = models.ForeignKey("orgs.Organisation", verbose_name="用人单位", on_delete=models.PROTECT, related_name="applications")
    channel = models.CharField("申报渠道", max_length=12, choices=Channel.choices)
    recommender = models.ForeignKey(
        "orgs.Organisation", verbose_name="推荐机构（四（五））", null=True, blank=True, on_delete=models.PROTECT, related_name="recommended_applications"
    )
    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    via_talent_centre = models.BooleanField("经自治区人事人才公共服务中心", default=False)

    state = models.CharField("状态", max_length=32, choices=State.choices, default=State.DRAFT, db_index=True)
    holder = models.ForeignKey(
        "orgs.Organisation", verbose_name="当前办理机构", null=True, blank=True, on_delete=models.PROTECT, related_name="held_applications",
        help_text="空表示在申报人手中",
    )
    state_since = models.DateTimeField("进入当前状态时间", null=True, blank=True)
    # When the current holder received it (a step that keeps it in the same hands, e.g. a unit's publicity,
    # does not move this): the queues' arrival date and days waiting.
    held_since = models.DateTimeField("到达当前办理机构时间", null=True, blank=True)
    # When the declaration first reached these hands; they keep seeing it afterwards.
    reached_talent_centre_at = models.DateTimeField(null=True, blank=True)
    reached_committee_at = models.DateTimeField(null=True, blank=True)

    route = models.CharField("申报途径", max_length=40, blank=True)
    decision = models.JSONField("资格审查结论", null=True, blank=True)
    ruleset = models.CharField("规则集版本", max_length=60, blank=True)
    screened_at = models.DateTimeField("资格审查时间", null=True, blank=True)
    eligible = models.BooleanField("符合申报条件", null=True)

    # Special circumstances the engine needs and the archive does not hold; each confirmed by a checker.
    epidemic_frontline = models.BooleanField("疫情防控一线医疗卫生人员", default=False)
    epidemic_hubei_aid = models.BooleanField("援鄂医疗卫生人员", default=False)
    epidemic_designated_hospital = models.BooleanField("定点医院一线医务人员", default=False)
    epidemic_commended_provincial = models.BooleanField("获省部级以上抗疫表彰", default=False)
    new_post_since = models.DateField("转系列：新岗位工作起始日（五（十一））", null=True, blank=True)

    entrustment_letter = models.ForeignKey("files.StoredFile", verbose_name="委托函（四（四））", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pledge_signed_at = models.DateTimeField("诚信承诺签署时间", null=True, blank=True)
    pledge_sha256 = models.CharField("诚信承诺书摘要", max_length=64, blank=True)
    fee_amount = models.DecimalField("评审费（元）", max_digits=8, decimal_places=2, default=0)
    fee_paid_at = models.DateTimeField("缴费时间", null=True, blank=True)
    fee_reference = models.CharField("缴费凭证号", max_length=60, blank=True)
    exam_score = models.CharField("考试成绩", max_length=40, blank=True)
    exam_confirmed_at = models.DateTimeField("考试成绩核验时间", null=True, blank=True)

    version = models.PositiveIntegerField("提交版本", default=0)
    submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "职称申报"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "series", "plan"], name="one_declaration_per_person_series_year"),
        ]
        indexes = [models.Index(fields=["holder", "state"]), models.Index(fields=["plan", "state"])]

    def __str__(self):
        return f"{self.person.name} {self.plan.year}年 {self.title_label}"

    @property
    def title_label(self) -> str:
        return f"{self.series.name}{self.get_level_display()}"

    @property
    def for_freelancer(self) -> bool:
        """A freelancer's declaration (二（一）): its unit is the talent exchange service keeping the file (四（五）1),
        which the pages name as that, not as an employer."""
        from zhicheng.people.models import EmploymentRelation

        return self.person.employment_relation == EmploymentRelation.FREELANCE and self.unit.keeps_freelancer_files

    @property
    def state_display(self) -> str:
        """The state as this declaration reads it: a freelancer's service checks (四（五）1), a recognition is assessed,
        not reviewed (五（十二））."""
        return state_label(self.state, self.route, self.for_freelancer)

    @property
    def fee_not_charged(self) -> bool:
        """五（十二）: a recognition route is not reviewed, so there is no review fee to pay (a fee recorded before the
        route was known stays on record as paid)."""
        return is_recognition(self.route) and not self.fee_paid_at

    @property
    def is_closed(self) -> bool:
        """No step is left for anyone (failed, withdrawn, returned, certified, revoked): nobody holds it."""
        from .states import FINAL_STATES

        return self.state in FINAL_STATES


class ApplicationEvent(models.Model):
    """The declaration's timeline: every transition with its actor and time."""

    # Indexed with the time and the stage it entered (Meta.indexes), not alone: a declaration's timeline and the days
    # each stage took (statistics) are read in that order from the index, without visiting the table's rows.
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events", db_index=False)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=32, choices=State.choices)
    to_state = models.CharField(max_length=32, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=32)
    actor_organisation = models.ForeignKey("orgs.Organisation", null=True, on_delete=models.PROTECT, related_name="+")
    # Whose queue the step put the declaration in (empty: the applicant's hands, or nobody's in a final state);
    # the progress timeline names it. Events from before it was recorded leave it empty in every state.
    holder = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at", "id", "to_state", "holder"], name="declarations_event_timeline")]
        verbose_name = verbose_name_plural = "办理记录"

    def __str__(self):
        return f"{self.application_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class CorrectionNotice(models.Model):
    """一次告知: every deficiency at once, with a deadline (六（二））."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="correction_notices")
    items = models.JSONField("需补正事项")
    deadline = models.DateField("补正截止日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一次性补正告知"
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["application"], name="one_correction_notice_per_application")]

    def __str__(self):
        return f"{self.application} 补正至{self.deadline}"


class SelectedRecord(models.Model):
    """An archive record a declaration uses, frozen as it was when each version was submitted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="selected_records")
    kind = models.CharField(max_length=32)
    record_id = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField(default=0, help_text="0 = 草稿中的选择")
    snapshot = models.JSONField(null=True)

    class Meta:
        ordering = ["kind", "record_id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "record_id", "version"], name="record_selected_once_per_version"),
        ]


class SubmittedPersonFacts(models.Model):
    """The applicant's own facts (本人情况) as they were when a version was submitted: what the checkers read
    beside that version and what its screening saw, however the person changes them afterwards."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="submitted_person_facts")
    version = models.PositiveIntegerField()
    facts = models.JSONField(help_text="people.models.person_fact_values")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "version"], name="person_facts_once_per_version")]


class ApplicationMaterial(models.Model):
    """A file given for one item of the material checklist.

    Never deleted: a file replaced or withdrawn is retired from the next version on, so every
    submitted version still shows exactly the files it went up with (version v holds the rows
    with first_version <= v < retired_in_version).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    item = models.ForeignKey("catalogue.MaterialItem", verbose_name="材料", on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey("files.StoredFile", verbose_name="文件", on_delete=models.PROTECT, related_name="+")
    first_version = models.PositiveIntegerField("自第几版起")
    retired_in_version = models.PositiveIntegerField("自第几版起撤下", null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "申报材料"
        ordering = ["item__sort_order", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["application", "retired_in_version"])]

    def __str__(self):
        return f"{self.application_id} {self.item_id} {self.file.original_name}"

    def in_version(self, version: int) -> bool:
        return self.first_version <= version and (self.retired_in_version is None or self.retired_in_version > version)
