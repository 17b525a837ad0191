"""Filings, certificates, lookups, exchanges and archived pledges. Rules live in the service modules."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhicheng.catalogue.models import Level


class NumberSequence(models.Model):
    """A counter per number prefix. Rows are locked while a number is drawn and never go back,
    so a number is handed out once even when certificates are issued concurrently."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}:{self.last}"


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", "已报送，待核准备案"
    APPROVED = "approved", "已核准备案"
    RETURNED = "returned", "退回补正"


class Filing(models.Model):
    """核准备案 of one committee's results (七（五）1、3): the roster of those who passed, the
    objection-handling record and the filing report, submitted to the approving HR body."""

    committee = models.ForeignKey("orgs.Committee", verbose_name="评委会", on_delete=models.PROTECT, related_name="filings")
    year = models.PositiveSmallIntegerField("年度")
    filing_body = models.ForeignKey("orgs.Organisation", verbose_name="核准备案机关", on_delete=models.PROTECT, related_name="filings")
    applications = models.ManyToManyField("declarations.Application", through="FilingEntry", related_name="filings")
    report = models.TextField("核准备案报告", blank=True)
    review_ended_on = models.DateField("评审结束日期")
    due_on = models.DateField("应报备截止日期", help_text="评审结束后一个月（七（五）1）")
    submitted_on = models.DateField("报送日期")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    late = models.BooleanField("逾期报备", default=False, help_text="报送晚于评审结束后一个月")
    status = models.CharField("状态", max_length=12, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED)
    document_number = models.CharField("核准备案文号", max_length=60, blank=True)
    approved_on = models.DateField("核准日期", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_reason = models.CharField("退回原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审结果核准备案"
        ordering = ["-submitted_on", "-pk"]

    def __str__(self):
        return f"{self.committee} {self.year}年评审结果核准备案"

    @property
    def direct(self) -> bool:
        """Filed directly by the approving body (filing.record_filing), not submitted by the committee's office:
        the one who submitted it also approved it, on the same day (an office never approves)."""
        return self.status == FilingStatus.APPROVED and self.submitted_by_id == self.approved_by_id


class FilingEntry(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey("declarations.Application", on_delete=models.PROTECT, related_name="filing_entries")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["filing", "application"], name="filing_entry_once")]


class CertificateKind(models.TextChoices):
    REVIEW = "review", "评审（认定）取得"
    EXCHANGE = "exchange", "区外证书换发（七（五）4）"
    HISTORY = "history", "历年职称记录"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"


class Certificate(models.Model):
    """职称电子证书. The fields the face shows are signed (see signing.py); rows are never deleted
    and numbers never reused — a revoked certificate keeps its number."""

    number = models.CharField("证书编号", max_length=40, unique=True)
    kind = models.CharField("来源", max_length=12, choices=CertificateKind.choices)
    person = models.ForeignKey("people.Person", verbose_name="持证人", on_delete=models.PROTECT, related_name="certificates")
    application = models.OneToOneField("declarations.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="certificate")
    title_held = models.OneToOneField("people.TitleHeld", null=True, blank=True, on_delete=models.SET_NULL, related_name="certificate")
    holder_name = models.CharField("姓名", max_length=40)
    id_number = models.CharField("身份证号码", max_length=18)
    series = models.ForeignKey("catalogue.Series", verbose_name="系列", on_delete=models.PROTECT, related_name="+")
    series_name = models.CharField("系列名称", max_length=40, help_text="发证时的名称，目录改名不影响已发证书")
    specialty = models.CharField("专业", max_length=60, blank=True)
    title_name = models.CharField("职称名称", max_length=40)
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    committee_name = models.CharField("评审委员会", max_length=120, blank=True)
    approval_document_number = models.CharField("核准文号", max_length=60, blank=True)
    approval_date = models.DateField("核准（取得）日期")
    issuer = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issuer_name = models.CharField("发证机关", max_length=120)
    issued_on = models.DateField("发证日期")
    original = models.JSONField("原证书信息", null=True, blank=True, help_text="换发证书记录的区外/中央/军队原证书")
    check_code = models.CharField("核验码", max_length=16, help_text="二维码中的随机码：扫码即可查看，无需输入姓名")
    payload_version = models.PositiveSmallIntegerField("签名数据版本", help_text="1：身份证号码以无盐摘要绑定，只由服务器核验；2：以随机盐绑定，公开签名可离线核验")
    id_salt = models.CharField("身份证号码绑定盐", max_length=32, blank=True, help_text="第2版：随机值，只存于服务器，从不公开")
    key_id = models.CharField("签名密钥编号", max_length=16)
    signature = models.CharField("Ed25519 签名（base64）", max_length=100)
    status = models.CharField("状态", max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID, db_index=True)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revocation_reason = models.CharField("撤销原因", max_length=200, blank=True)
    revocation_document_number = models.CharField("撤销文号", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "职称电子证书"
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self):
        return f"{self.number} {self.holder_name} {self.title_name}"

    def delete(self, *args, **kwargs):
        raise PermissionError("证书不能删除；取消证书请撤销（编号不再使用）。")


class RevocationList(models.Model):
    """One signed version of the revocation list (see revocations.py). Each revocation adds a version
    holding every revocation so far; the same line is appended to a file outside the database."""

    version = models.PositiveIntegerField("版本", unique=True)
    issued_at = models.DateTimeField("签发时间")
    payload = models.JSONField("签名数据")
    key_id = models.CharField("签名密钥编号", max_length=16)
    signature = models.CharField("Ed25519 签名（base64）", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "证书撤销清单"
        ordering = ["-version"]

    def __str__(self):
        return f"撤销清单第{self.version}版"

    def delete(self, *args, **kwargs):
        raise PermissionError("撤销清单只能追加新版本，不能删除。")


class LookupChannel(models.TextChoices):
    QR = "qr", "扫码核验"
    FORM = "form", "网页查询"
    API = "api", "接口查询"


class VerificationLookup(models.Model):
    """Every lookup, found or not: the rate limit counts these, and the holder sees those of their certificates."""

    at = models.DateTimeField(db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    channel = models.CharField(max_length=8, choices=LookupChannel.choices)
    number = models.CharField(max_length=40, blank=True)
    certificate = models.ForeignKey(Certificate, null=True, on_delete=models.PROTECT, related_name="lookups")
    verifier = models.CharField("查询单位或查询人", max_length=80, blank=True)
    found = models.BooleanField(default=False)

    class Meta:
        verbose_name = verbose_name_plural = "证书核验记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["ip", "at"])]


class ExchangeOrigin(models.TextChoices):
    PROVINCE = "province", "外省（区、市）"
    CENTRAL = "central", "中央单位"
    ARMY = "army", "军队"


class ExchangeStatus(models.TextChoices):
    SUBMITTED = "submitted", "待核准"
    APPROVED = "approved", "已核准换发"
    REJECTED = "rejected", "不予换发"


class ExchangeRequest(models.Model):
    """七（五）4: a certificate earned outside the region, filed for exchange to a region e-certificate."""

    person = models.ForeignKey("people.Person", verbose_name="申请人", on_delete=models.PROTECT, related_name="exchange_requests")
    origin = models.CharField("原证书来源", max_length=10, choices=ExchangeOrigin.choices)
    original_issuer = models.CharField("原发证（评审）机关", max_length=120)
    original_number = models.CharField("原证书编号", max_length=60)
    original_committee = models.CharField("原评审委员会", max_length=120)
    series = models.ForeignKey("catalogue.Series", verbose_name="系列", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    title_name = models.CharField("职称名称", max_length=40)
    specialty = models.CharField("专业", max_length=60, blank=True)
    obtained_on = models.DateField("取得时间")
    evidence = models.ForeignKey("files.StoredFile", verbose_name="原证书扫描件", on_delete=models.PROTECT, related_name="+")
    competent_body = models.ForeignKey("orgs.Organisation", verbose_name="核准机关", on_delete=models.PROTECT, related_name="exchange_requests")
    status = models.CharField("状态", max_length=10, choices=ExchangeStatus.choices, default=ExchangeStatus.SUBMITTED)
    submitted_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("核准意见", max_length=200, blank=True)
    certificate = models.OneToOneField(Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="exchange_request")

    class Meta:
        verbose_name = verbose_name_plural = "区外职称证书换发"
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.person} {self.title_name}（{self.original_issuer}）"


class PledgeRecord(models.Model):
    """诚信承诺书 as signed (八（三））, archived with the evaluation form once the review is over."""

    application = models.OneToOneField("declarations.Application", on_delete=models.PROTECT, related_name="pledge_record")
    text = models.TextField("承诺书全文")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("签署时间")
    sha256 = models.CharField("摘要（SHA-256）", max_length=64)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    review_outcome = models.CharField("评审结论", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "诚信承诺书归档"

    def __str__(self):
        return f"{self.application} 诚信承诺书"
