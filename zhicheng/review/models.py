"""The committee side (七): the expert pool, review plans, the draw, panels, recusal, the meeting,
the secret ballot and the minutes. The draw itself is zhicheng.draw (plain Python); the rules
live in the modules next to this one (pool, plans, drawing, recusal, panels, meeting, minutes)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy

from zhicheng.catalogue.models import Level
from zhicheng.core import clock


class Expert(models.Model):
    """An expert in one or more committees' pools (专家评委库, 七（二））.

    Title, unit level (grassroots or not), sector and region are never typed in: the title is
    taken from the person's title records (``TitleHeld``), the rest from the unit's record.
    """

    person = models.OneToOneField("people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="expert")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="expert")
    unit = models.ForeignKey("orgs.Organisation", verbose_name="工作单位", on_delete=models.PROTECT, related_name="experts")
    series = models.ForeignKey("catalogue.Series", verbose_name="系列", on_delete=models.PROTECT, related_name="+")
    specialty = models.ForeignKey("catalogue.Specialty", verbose_name="专业", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title_level = models.CharField("职称层级", max_length=20, choices=Level.choices)
    title_name = models.CharField("职称", max_length=40)
    committees = models.ManyToManyField("orgs.Committee", verbose_name="所在评委库", related_name="pool", blank=True)
    available = models.BooleanField("可参加本年度评审", default=True)
    unavailable_reason = models.CharField("不能参加的原因", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审专家"
        ordering = ["person__name", "pk"]

    def __str__(self):
        return f"{self.person.name}（{self.title_name}）"

    @property
    def draw_id(self) -> str:
        """The expert's id in pool snapshots and draw records."""
        return f"E{self.pk:05d}"


class ServiceYear(models.Model):
    """A year the expert sat on a committee (七（四）5: rotation, no fourth consecutive year)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="service_years")
    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")

    class Meta:
        verbose_name = verbose_name_plural = "担任评委年度"
        ordering = ["committee", "year"]
        constraints = [models.UniqueConstraint(fields=["expert", "committee", "year"], name="served_once_per_year")]


class RelationKind(models.TextChoices):
    RELATIVE = "relative", "亲属"
    FORMER_UNIT = "former_unit", "曾工作单位"


class ExpertRelation(models.Model):
    """What the expert declares about themselves that may call for recusal."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField("类别", max_length=12, choices=RelationKind.choices)
    relative_name = models.CharField("亲属姓名", max_length=40, blank=True)
    relative_id_number = models.CharField("亲属身份证号码", max_length=18, blank=True)
    relationship = models.CharField("关系", max_length=20, blank=True)
    former_unit = models.ForeignKey("orgs.Organisation", verbose_name="曾工作单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField("起始日期", null=True, blank=True)
    ended_on = models.DateField("截止日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家申报的回避关系"
        ordering = ["kind", "pk"]

    def __str__(self):
        if self.kind == RelationKind.RELATIVE:
            return f"{self.relationship or '亲属'} {self.relative_name}"
        return f"{self.former_unit}（{self.started_on or '?'}—{self.ended_on or '?'}）"


class Sanction(models.Model):
    """A sanction that bars the expert from sitting while it lasts (跟踪考核、动态管理)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="sanctions")
    reason = models.CharField("原因", max_length=200)
    document_number = models.CharField("处理文号", max_length=60, blank=True)
    imposed_on = models.DateField("处理日期")
    until = models.DateField("期限至", null=True, blank=True, help_text="空表示长期")

    class Meta:
        verbose_name = verbose_name_plural = "专家处理记录"
        ordering = ["-imposed_on"]

    def __str__(self):
        return f"{self.reason}（{self.imposed_on}）"

    def active_on(self, day) -> bool:
        return self.imposed_on <= day and (self.until is None or day <= self.until)


class PoolFiling(models.Model):
    """The pool as filed with the regional HR department (七（二）: 及时报送自治区人力资源社会保障厅)."""

    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", on_delete=models.PROTECT, related_name="pool_filings")
    year = models.PositiveSmallIntegerField("年度")
    snapshot = models.JSONField("报送时的专家库")
    sha256 = models.CharField("摘要", max_length=64)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("报送时间")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField("备案时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评委库报送"
        ordering = ["-filed_at"]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    FILED = "filed", "已报备"
    APPROVED = "approved", "已备案同意"
    REJECTED = "rejected", "退回修改"


# 曾工作单位回避年限: a few years, as the notice's practice; beyond ten is a typo (and recusal.py counts back from today by it).
RECUSAL_YEARS_MIN, RECUSAL_YEARS_MAX = 1, 10
RECUSAL_YEARS_MESSAGE = gettext_lazy("曾工作单位回避年限应为1至10年，请核对。")
DUPLICATE_PLAN = gettext_lazy("本评委会该年度的评审实施方案已经存在，请打开原方案修改。")


class ReviewPlan(models.Model):
    """评审实施方案 (七（三）): filed with the region at least a week before the review opens."""

    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", on_delete=models.PROTECT, related_name="review_plans")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    place = models.CharField("评审地点", max_length=120, blank=True)
    review_starts_on = models.DateField("评审开始日期")
    review_ends_on = models.DateField("评审结束日期")
    declarations_summary = models.TextField("申报情况", blank=True)
    composition = models.TextField("评委会组建情况", blank=True)
    procedure = models.TextField("评审工作程序", blank=True)
    measures = models.TextField("采取措施", blank=True)
    attachments = models.ManyToManyField("files.StoredFile", verbose_name="附件（送审表等）", blank=True, related_name="+")
    quantitative_review = models.BooleanField("实行量化评审（五（二）3）", default=False)
    recusal_years = models.PositiveSmallIntegerField(
        "曾工作单位回避年限", default=3,
        validators=[MinValueValidator(RECUSAL_YEARS_MIN, RECUSAL_YEARS_MESSAGE), MaxValueValidator(RECUSAL_YEARS_MAX, RECUSAL_YEARS_MESSAGE)])
    filed_on = models.DateField("报备日期", null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_snapshot = models.JSONField("报备内容", null=True, blank=True)
    filed_sha256 = models.CharField("报备内容摘要", max_length=64, blank=True)
    approved_on = models.DateField("备案同意日期", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_note = models.TextField("退回意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审实施方案"
        constraints = [models.UniqueConstraint(fields=["committee", "year"], name="one_review_plan_per_committee_year",
                                               violation_error_message=DUPLICATE_PLAN)]

    def __str__(self):
        return f"{self.committee} {self.year}年评审实施方案"

    @property
    def ballot_opened(self) -> bool:
        """Once the meeting votes, the committee, the panels and the opinions are fixed."""
        return hasattr(self, "meeting") and bool(self.meeting.ballot_opened_at)


class DrawStatus(models.TextChoices):
    COMMITTING = "committing", "收集承诺值"
    PUBLISHED = "published", "已公示"
    DRAWN = "drawn", "已抽选"
    CANCELLED = "cancelled", "已作废"


class ExpertDraw(models.Model):
    """One random draw of a committee's experts for a review plan, with everything to re-verify it."""

    plan = models.ForeignKey(ReviewPlan, verbose_name="评审实施方案", on_delete=models.PROTECT, related_name="draws")
    status = models.CharField("状态", max_length=12, choices=DrawStatus.choices, default=DrawStatus.COMMITTING)
    spec = models.JSONField("抽选参数")
    office_commitment = models.CharField("办事机构承诺值", max_length=64, blank=True)
    supervisor_commitment = models.CharField("纪检监察承诺值", max_length=64, blank=True)
    public_source = models.CharField("公开开奖名称", max_length=120, blank=True)
    pool = models.JSONField("冻结的专家库", null=True, blank=True)
    publication = models.JSONField("公示内容", null=True, blank=True)
    publication_sha256 = models.CharField("公示摘要", max_length=64, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    objections_until = models.DateField("异议截止", null=True, blank=True)
    office_reveal = models.CharField("办事机构揭示值", max_length=128, blank=True)
    supervisor_reveal = models.CharField("纪检监察揭示值", max_length=128, blank=True)
    public_values = models.JSONField("公开开奖号码", null=True, blank=True)
    record = models.JSONField("抽选记录", null=True, blank=True)
    record_sha256 = models.CharField("抽选记录摘要", max_length=64, blank=True)
    drawn_at = models.DateTimeField("抽选时间", null=True, blank=True)
    cancel_reason = models.CharField("作废原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", default=clock.now)  # the business date, as everywhere (core.clock)

    class Meta:
        verbose_name = verbose_name_plural = "评委抽选"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.plan.committee} {self.plan.year}年评委抽选（{self.get_status_display()}）"


class DrawObjection(models.Model):
    """A real-name objection to a published pool (公示期间对专家库的异议)."""

    draw = models.ForeignKey(ExpertDraw, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField("姓名", max_length=40)
    phone = models.CharField("联系电话", max_length=20)
    content = models.TextField("异议内容")
    submitted_at = models.DateTimeField("提出时间")
    upheld = models.BooleanField("属实", null=True)
    finding = models.TextField("核实情况", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家库异议"
        ordering = ["submitted_at"]


class CommitteeMember(models.Model):
    """A seat on this year's committee: drawn, or taken over from a member who declined."""

    draw = models.ForeignKey(ExpertDraw, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="seats")
    via_substitution = models.BooleanField("替补", default=False)
    active = models.BooleanField("在任", default=True)
    declined_reason = models.CharField("辞退原因", max_length=200, blank=True)
    is_chair = models.BooleanField("主任委员", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "本年度评委"
        ordering = ["expert__person__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["draw", "expert"], name="seated_once_per_draw")]


class Panel(models.Model):
    """评议组: at least three experts who read the dossiers given to them and write opinions."""

    MIN_MEMBERS = 3

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="panels")
    name = models.CharField("名称", max_length=60)
    members = models.ManyToManyField(Expert, verbose_name="成员", related_name="panels")

    class Meta:
        verbose_name = verbose_name_plural = "评议组"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="panel_name_unique_per_plan")]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """A dossier given to an expert of a panel; ``recused`` hides it from them (querysets)."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="assignments")
    panel = models.ForeignKey(Panel, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey("declarations.Application", on_delete=models.CASCADE, related_name="assignments")
    recused = models.BooleanField("回避", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "评审分配"
        constraints = [models.UniqueConstraint(fields=["expert", "application"], name="assign_once")]


class RecusalSource(models.TextChoices):
    DATA = "data", "系统比对"
    DECLARED = "declared", "本人申请"


class Recusal(models.Model):
    """An expert kept away from a declaration: sees nothing of it, reads and votes on nothing of it."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="recusals")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="recusals")
    application = models.ForeignKey("declarations.Application", on_delete=models.CASCADE, related_name="recusals")
    source = models.CharField("来源", max_length=10, choices=RecusalSource.choices)
    reasons = models.JSONField("回避事由", default=list)
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "回避"
        constraints = [models.UniqueConstraint(fields=["plan", "expert", "application"], name="recuse_once")]


class Recommendation(models.TextChoices):
    SUPPORT = "support", "同意推荐"
    OPPOSE = "oppose", "不同意推荐"


class Opinion(models.Model):
    """An expert's written opinion on a dossier (and scores under quantitative review, 五（二）3)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="opinion")
    recommendation = models.CharField("评议结论", max_length=10, choices=Recommendation.choices)
    text = models.TextField("评议意见")
    lesson_score = models.PositiveSmallIntegerField("讲课说课", null=True, blank=True)
    interview_score = models.PositiveSmallIntegerField("面试答辩", null=True, blank=True)
    record_score = models.PositiveSmallIntegerField("量化评审", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = verbose_name_plural = "评议意见"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "待召开"
    VOTING = "voting", "表决中"
    CLOSED = "closed", "表决结束"
    SIGNED = "signed", "纪要已签署"


class Meeting(models.Model):
    """The committee's review meeting for a plan (评审会议)."""

    plan = models.OneToOneField(ReviewPlan, on_delete=models.PROTECT, related_name="meeting")
    held_on = models.DateField("会议日期")
    place = models.CharField("会议地点", max_length=120)
    status = models.CharField("状态", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    committee_size = models.PositiveSmallIntegerField("评委会人数", null=True, blank=True)
    ballot_opened_at = models.DateTimeField("开始表决", null=True, blank=True)
    ballot_closed_at = models.DateTimeField("结束表决", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审会议"

    @staticmethod
    def ballot_opened_for(plan_id: int, *, lock: bool = False) -> bool:
        """Read now from the database (ReviewPlan.ballot_opened reads the cached meeting). ``lock``: also
        lock the meeting row — whatever its state — for the caller's transaction, as open_ballot does;
        callers holding a draw's lock must not (open_ballot locks the meeting first, then the draw)."""
        meetings = Meeting.objects.filter(plan_id=plan_id)
        if lock:
            meetings = meetings.select_for_update()
        return bool(meetings.values_list("ballot_opened_at", flat=True).first())


class GroupKind(models.TextChoices):
    GENERAL = "general", "综合组"
    GRASSROOTS = "grassroots", "基层组"
    PRIVATE_SECTOR = "private_sector", "非公有制组"


class VotingGroup(models.Model):
    """七（四）6: grassroots and private-sector applicants may be grouped, each with its own pass rate.

    The pass rate caps the share of the group's declarations that may pass (see docs/review.md).
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField("分组", max_length=16, choices=GroupKind.choices)
    pass_rate = models.PositiveSmallIntegerField("通过率上限（%）", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "评审分组"
        constraints = [models.UniqueConstraint(fields=["meeting", "kind"], name="one_group_of_a_kind")]


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField("出席", default=False)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "出席情况"
        constraints = [models.UniqueConstraint(fields=["meeting", "expert"], name="attendance_once")]


class VoteCast(models.Model):
    """Who has voted on which declaration — never what. The choice only increments a Tally."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes_cast")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey("declarations.Application", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "投票记录（不含票面）"
        constraints = [models.UniqueConstraint(fields=["meeting", "expert", "application"], name="one_vote_per_expert")]


class Tally(models.Model):
    """What was voted on a declaration, as counts only: no row per ballot, so no ballot to trace."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tallies")
    application = models.ForeignKey("declarations.Application", on_delete=models.CASCADE, related_name="+")
    yes = models.PositiveSmallIntegerField("同意", default=0)
    no = models.PositiveSmallIntegerField("不同意", default=0)
    abstain = models.PositiveSmallIntegerField("弃权", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "计票"
        constraints = [models.UniqueConstraint(fields=["meeting", "application"], name="one_tally_per_declaration")]


class MeetingResult(models.Model):
    """The outcome for one declaration, fixed when the ballot closes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="results")
    application = models.ForeignKey("declarations.Application", on_delete=models.PROTECT, related_name="meeting_results")
    group = models.CharField("分组", max_length=16, choices=GroupKind.choices)
    eligible = models.PositiveSmallIntegerField("应参加表决（出席且无须回避）")
    yes = models.PositiveSmallIntegerField("同意")
    no = models.PositiveSmallIntegerField("不同意")
    abstain = models.PositiveSmallIntegerField("弃权")
    reached_two_thirds = models.BooleanField("达到三分之二")
    passed = models.BooleanField("通过")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "表决结果"
        ordering = ["group", "-yes", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "application"], name="one_result_per_declaration")]

    @property
    def yes_needed(self) -> int:
        from .meeting import yes_needed

        return yes_needed(self.eligible)


class Minutes(models.Model):
    """The meeting record as a PDF, signed by the chair in the system."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField("PDF摘要", max_length=64)
    generated_at = models.DateTimeField("生成时间")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("签署时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审会议纪要"


class SecondFactor(models.Model):
    """A TOTP authenticator (RFC 6238): every expert's, and staff's where settings.STAFF_SECOND_FACTOR requires it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_counter = models.BigIntegerField(default=0, help_text="已使用过的最新时间步，防止同一口令重复使用")
    failures = models.PositiveSmallIntegerField("连续错误次数", default=0)
    last_failure_at = models.DateTimeField("最近一次错误", null=True, blank=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令"
