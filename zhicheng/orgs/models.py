"""The region's tree, its organisations, and the committees with their approval filings."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from zhicheng.core.identifiers import normalise_credit_code


class AreaLevel(models.TextChoices):
    REGION = "region", "自治区"
    LEAGUE_CITY = "league_city", "盟市"
    COUNTY = "county", "旗县（市、区）"
    TOWNSHIP = "township", "苏木乡镇"


class Area(models.Model):
    """One node of 自治区 → 盟市 → 旗县（市、区） → 苏木乡镇.

    ``path`` is the chain of codes from the root, so "everything in this area" is a single
    indexed prefix query rather than a recursive walk.
    """

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=20, choices=AreaLevel.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "行政区域"
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        super().save(*args, **kwargs)

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)

    @property
    def league_city(self) -> Area | None:
        node = self
        while node is not None and node.level not in (AreaLevel.LEAGUE_CITY, AreaLevel.REGION):
            node = node.parent
        return node if node is not None and node.level == AreaLevel.LEAGUE_CITY else None


class OrgKind(models.TextChoices):
    UNIT = "unit", "用人单位"
    COMPETENT_DEPARTMENT = "competent_department", "主管部门"
    HR_BUREAU = "hr_bureau", "人力资源和社会保障局"
    RECOMMENDING_BODY = "recommending_body", "非公推荐机构"
    TALENT_SERVICE_CENTRE = "talent_service_centre", "人事人才公共服务中心"
    COMMITTEE_OFFICE = "committee_office", "评委会办事机构"
    REGIONAL_HR_DEPARTMENT = "regional_hr_department", "自治区人力资源和社会保障厅"


class Sector(models.TextChoices):
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    PRIVATE = "private", "非公有制"
    GOVERNMENT_AGENCY = "government_agency", "机关"
    SOCIAL_ORGANIZATION = "social_organization", "社会组织"


class UnitLevel(models.TextChoices):
    REGION = "region", "自治区级"
    CITY = "city", "盟市级"
    COUNTY = "county", "旗县级"
    TOWNSHIP = "township", "苏木乡镇级"


class RecommenderKind(models.TextChoices):
    """The four recommending bodies of 四（五）."""

    ARCHIVE_AGENCY = "archive_agency", "存放档案的人才交流服务机构"
    SOCIAL_ORGANIZATION = "social_organization", "工商联、行业协会商会、学会等社会组织"
    SERVICE_POINT = "service_point", "职称申报受理服务点"
    HR_BUREAU = "hr_bureau", "工作单位所在地区人力资源社会保障部门"


class OrganisationQuerySet(models.QuerySet):
    def units(self):
        return self.filter(kind=OrgKind.UNIT)

    def in_area(self, area: Area):
        return self.filter(area__path__startswith=area.path)


class Organisation(models.Model):
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类型", max_length=32, choices=OrgKind.choices, db_index=True)
    area = models.ForeignKey(Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="organisations")
    level = models.CharField("单位层级", max_length=10, choices=UnitLevel.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, null=True, blank=True)
    sector = models.CharField("单位性质", max_length=24, choices=Sector.choices, blank=True)
    competent_department = models.ForeignKey(
        "self", verbose_name="主管部门", null=True, blank=True, on_delete=models.PROTECT, related_name="supervised_units",
        limit_choices_to={"kind": OrgKind.COMPETENT_DEPARTMENT},
    )
    central_or_out_of_region = models.BooleanField("中央或外省区驻区单位", default=False)
    post_management = models.BooleanField("实行岗位管理", default=False)
    senior_posts_set = models.PositiveIntegerField("高级岗位设岗数", default=0)
    senior_posts_filled = models.PositiveIntegerField("高级岗位已聘数", default=0)
    recommender_kind = models.CharField("推荐机构类别", max_length=24, choices=RecommenderKind.choices, blank=True)
    # A freelancer has no employer: the service keeping their personnel file checks and publicises the declaration in the
    # unit's place (六（一）) and reports it to the bureau of its area, so it is a unit without a competent department.
    keeps_freelancer_files = models.BooleanField(
        "存放自由职业人员档案的人才交流服务机构（四（五）1）", default=False,
        help_text="勾选后，自由职业专业技术人才（二（一））注册时可选择本机构为档案存放机构，由本机构审核公示其申报并报送本地区人社部门。",
    )
    phone = models.CharField("联系电话", max_length=40, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "机构"
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "area"])]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.credit_code:
            try:
                self.credit_code = normalise_credit_code(self.credit_code)
            except ValidationError as exc:
                errors["credit_code"] = exc.messages
        if self.kind == OrgKind.UNIT:
            if not self.credit_code:
                errors["credit_code"] = "用人单位必须填写统一社会信用代码。"
            if not self.sector:
                errors["sector"] = "请选择单位性质。"
        if self.senior_posts_filled > self.senior_posts_set and self.post_management:
            errors["senior_posts_filled"] = "已聘数不能超过设岗数。"
        if self.kind == OrgKind.RECOMMENDING_BODY and not self.recommender_kind:
            errors["recommender_kind"] = "请选择推荐机构类别（四（五））。"
        if self.keeps_freelancer_files and (problem := self.freelancer_files_problem()):
            errors["keeps_freelancer_files"] = problem
        if errors:
            raise ValidationError(errors)

    def freelancer_files_problem(self) -> str:
        """Why this organisation cannot take freelancers' declarations the way a local unit without a competent
        department does (declarations.guards.local_*_without_department): those rows are the only ones that lead
        from its check and publicity to the bureau of its area (四（二））; empty when it can."""
        if self.kind != OrgKind.UNIT:
            return "存放自由职业人员档案的机构须登记为“用人单位”类型，由其人事部门审核公示申报（六（一））。"
        if self.competent_department_id:
            return "存放自由职业人员档案的机构直接报送本地区人社部门（四（二）），不能设主管部门。"
        if self.central_or_out_of_region or self.sector == Sector.PRIVATE or self.level not in (UnitLevel.CITY, UnitLevel.COUNTY):
            return "存放自由职业人员档案的机构须是盟市或旗县（市、区）的人才交流服务机构（非中央、外省区驻区单位，单位性质不是非公有制）。"
        return ""

    @property
    def senior_vacancies(self) -> int:
        return max(self.senior_posts_set - self.senior_posts_filled, 0)


class Committee(models.Model):
    """A review committee (评委会) for one series and some levels."""

    name = models.CharField("名称", max_length=120)
    series = models.ForeignKey("catalogue.Series", verbose_name="系列", on_delete=models.PROTECT, related_name="committees")
    levels = models.JSONField("评审层级", default=list, help_text="层级代码列表")
    specialties = models.ManyToManyField("catalogue.Specialty", verbose_name="评审专业（空=全部）", blank=True)
    area = models.ForeignKey(Area, verbose_name="受理范围", on_delete=models.PROTECT, related_name="committees")
    organising_body = models.ForeignKey(Organisation, verbose_name="组建单位", on_delete=models.PROTECT, related_name="organised_committees")
    office = models.OneToOneField(
        Organisation, verbose_name="办事机构", on_delete=models.PROTECT, related_name="committee",
        limit_choices_to={"kind": OrgKind.COMMITTEE_OFFICE},
    )
    self_review_unit = models.ForeignKey(
        Organisation, verbose_name="自主评审单位", null=True, blank=True, on_delete=models.PROTECT, related_name="self_review_committees",
        help_text="自主评审（五（三））时填写；只受理本单位人员",
    )

    class Meta:
        verbose_name = verbose_name_plural = "评审委员会"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_self_review(self) -> bool:
        return self.self_review_unit_id is not None

    @property
    def is_region_level(self) -> bool:
        return self.area.level == AreaLevel.REGION and not self.is_self_review

    def approval_on(self, day: dt.date):
        return (
            self.approvals.filter(valid_from__lte=day, valid_until__gte=day, revoked_on__isnull=True)
            .order_by("-valid_until")
            .first()
        )

    def accepts_declarations_on(self, day: dt.date) -> bool:
        """七（一）: only a committee approved by the HR department may review."""
        return self.approval_on(day) is not None

    def scope_problems(self, *, series_code: str, level: str, unit: Organisation, specialty_id: int | None,
                       specialty_ids: set[int] | None = None) -> list[str]:
        """What puts a declaration outside this committee's remit (六（三）, 七（四）2); empty if in scope.
        ``specialty_ids``: the committee's specialties when the caller has read them already (a batch)."""
        problems = []
        if self.series.code != series_code:
            problems.append(f"本评委会评审{self.series.name}系列，不受理其他系列。")
        if level not in self.levels:
            problems.append("申报层级不在本评委会评审权限内。")
        if self.is_self_review and unit.pk != self.self_review_unit_id:
            problems.append(f"自主评审只受理{self.self_review_unit.name}本单位人员。")
        if not unit.area.is_within(self.area):
            problems.append(f"申报人单位不在本评委会受理区域（{self.area.name}）内。")
        if specialty_ids is None and specialty_id and self.pk:
            specialty_ids = set(self.specialties.values_list("pk", flat=True))
        if specialty_id and specialty_ids and specialty_id not in specialty_ids:
            problems.append("申报专业不在本评委会评审专业范围内。")
        return problems


class CommitteeApproval(models.Model):
    """核准备案 of a committee (七（一）): valid for at most three years."""

    MAX_YEARS = 3

    committee = models.ForeignKey(Committee, verbose_name="评委会", on_delete=models.CASCADE, related_name="approvals")
    approved_by = models.ForeignKey(Organisation, verbose_name="核准机关", on_delete=models.PROTECT, related_name="committee_approvals")
    document_number = models.CharField("核准文号", max_length=60)
    approved_on = models.DateField("核准日期")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期止")
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revocation_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评委会核准备案"
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="approval_period_ordered"),
        ]

    def __str__(self):
        return f"{self.committee}（{self.document_number}）"

    def clean(self):
        errors = {}
        if self.valid_from and self.valid_until:
            try:
                limit = self.valid_from.replace(year=self.valid_from.year + self.MAX_YEARS)
            except ValueError:  # 29 February
                limit = self.valid_from.replace(year=self.valid_from.year + self.MAX_YEARS, day=28)
            if self.valid_until >= limit:
                errors["valid_until"] = "核准备案有效期最长3年。"
            if self.valid_until < self.valid_from:
                errors["valid_until"] = "有效期止不能早于有效期起。"
        if self.approved_by_id and self.committee_id:
            expected = required_approver_kind(self.committee)
            if self.approved_by.kind not in expected:
                errors["approved_by"] = "核准机关不符合七（一）的权限划分。"
        if errors:
            raise ValidationError(errors)


def required_approver_kind(committee: Committee) -> set[str]:
    """七（一）: the region approves senior and region-level committees; bureaus their own area's."""
    if committee.area.level == AreaLevel.REGION or {"associate_senior", "full_senior"} & set(committee.levels):
        return {OrgKind.REGIONAL_HR_DEPARTMENT}
    return {OrgKind.HR_BUREAU, OrgKind.REGIONAL_HR_DEPARTMENT}
