"""What filing and certification do when the declaration workflow takes its steps (registered from
CertificatesConfig.ready): each effect works on the batch of declarations the step moves."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext as _

from zhicheng.declarations.registry import effect, pledge_signed

from .filing import approved_filings_of, record_filing
from .integrity import archive_pledges, keep_pledge
from .models import Certificate, FilingEntry, FilingStatus
from .services import issue_for_applications, revoke_for_application


def _in_a_submitted_batch(apps, ctx):
    """A declaration in a batch its office submitted is filed with the batch; one whose batch was returned waits for
    the office to report it again, corrected (七（五）1): filing it alone would pass by the return."""
    if ctx.payload.get("filing") is not None:
        return {}
    entries = (FilingEntry.objects.filter(application_id__in=[a.pk for a in apps],
                                          filing__status__in=(FilingStatus.SUBMITTED, FilingStatus.RETURNED))
               .values_list("application_id", "filing__status", "filing__return_reason"))
    refusals = {}
    for pk, status, reason in entries:
        if status == FilingStatus.SUBMITTED:
            refusals[pk] = "该申报已随评委会报送的核准备案批次提交，请在核准备案页面整批办理。"
        else:
            refusals.setdefault(pk, _("该申报所在的核准备案批次已被退回（%(reason)s），须由评委会办事机构补正后重新报送，"
                                      "不能单独核准备案（七（五）1）。") % {"reason": reason})
    return refusals


@effect("record_filing", refuse=_in_a_submitted_batch)
def record_filings(apps, ctx, now):
    for app in apps:
        record_filing(app, ctx.actor, ctx.payload, now)


def _not_certifiable(apps, ctx):
    ids = [a.pk for a in apps]
    issued = set(Certificate.objects.filter(application_id__in=ids).values_list("application_id", flat=True))
    filings = ctx.cache["issue_certificate"] = approved_filings_of(ids)
    refusals = {}
    for app in apps:
        if app.pk in issued:
            refusals[app.pk] = "该申报已制发电子证书。"
        elif app.pk not in filings:
            refusals[app.pk] = "该申报没有核准备案记录，不能制发证书（七（五）2）。"
    return refusals


@effect("issue_certificate", refuse=_not_certifiable)
def issue_certificates(apps, ctx, now):
    issue_for_applications(apps, ctx.actor, now, ctx.cache["issue_certificate"])


@effect("revoke_title")
def revoke_titles(apps, ctx, now):
    for app in apps:
        revoke_for_application(app, ctx.actor, reason=ctx.payload.get("reason") or ctx.note,
                               document_number=ctx.payload.get("document_number", ""), on=now.date())


@effect("archive_pledge")
def archive_pledge(apps, ctx, now):
    archive_pledges(apps, ctx.actor, now)


@receiver(pledge_signed)
def keep_signed_pledge(sender, application, signer, text, signed_at, sha256, **kwargs):
    keep_pledge(application, signer, text, signed_at, sha256)  # the text itself, for the archive (八（三）)
