from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from .roles import READ_ONLY_ROLES, ROLE_ORGANISATION_KIND, Role


class User(AbstractUser):
    """An account. Staff accounts belong to an organisation; applicants to a person."""

    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.APPLICANT)
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    person = models.OneToOneField(
        "people.Person", verbose_name="本人档案", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def clean(self):
        super().clean()
        kind = ROLE_ORGANISATION_KIND.get(self.role)
        if kind and (self.organisation is None or self.organisation.kind != kind):
            raise ValidationError({"organisation": f"{self.get_role_display()}账户必须属于一个“{kind}”类机构。"})
        if self.role == Role.APPLICANT and self.organisation_id:
            raise ValidationError({"organisation": "申报人账户不属于任何机构。"})

    @property
    def read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES

    def __str__(self):
        return self.get_full_name() or self.username
