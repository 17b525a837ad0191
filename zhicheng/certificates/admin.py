"""Back-office views of certificates and filings: read-only, since every change goes through the
audited services (issue, revoke, approve, exchange, import)."""

from django.contrib import admin

from zhicheng.audit.admin_mixins import ReadOnlyAdmin

from . import models


@admin.register(models.Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("number", "holder_name", "title_name", "kind", "issued_on", "status")
    list_filter = ("kind", "status", "level")
    search_fields = ("number", "holder_name")


@admin.register(models.Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ("committee", "year", "filing_body", "submitted_on", "due_on", "late", "status", "document_number")
    list_filter = ("status", "late", "year")


@admin.register(models.ExchangeRequest)
class ExchangeRequestAdmin(ReadOnlyAdmin):
    list_display = ("person", "origin", "original_issuer", "title_name", "competent_body", "status")
    list_filter = ("status", "origin")


@admin.register(models.VerificationLookup)
class VerificationLookupAdmin(ReadOnlyAdmin):
    list_display = ("at", "channel", "number", "found", "verifier", "ip")
    list_filter = ("channel", "found")


@admin.register(models.PledgeRecord)
class PledgeRecordAdmin(ReadOnlyAdmin):
    list_display = ("application", "signed_at", "archived_at", "review_outcome")
