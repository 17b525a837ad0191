"""The certificates app's background jobs: the history import and the batch rendering of PDFs.

Both are safe to run again after their worker died: the import writes its rows and the job's
result in one transaction (run again after the commit, it returns that result); the rendering
keeps each PDF as it goes and skips those already kept and still current.
"""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhicheng.core.wording import clauses
from zhicheng.jobs.models import Job
from zhicheng.jobs.runner import JobRefused, active_starter, job_kind, record_result

from . import history, rendering, scope
from .models import Certificate

# Certificates read (and their kept PDFs looked up) per query.
CHUNK = 200


def _import_result(report: history.ImportReport) -> dict:
    summary = _("已导入%(n)d条历年职称记录，新建人员%(people)d人。") % {"n": report.imported, "people": report.people_created}
    if report.revoked_skipped:
        summary += _("另有%(n)d条已撤销的记录未导入。") % {"n": report.revoked_skipped}
    return {
        "imported": report.imported, "people_created": report.people_created, "revoked_skipped": report.revoked_skipped,
        "summary": summary,
        "link": reverse("certificate_list"), "link_label": _("查看电子证书"),
    }


@job_kind("history_import")
def run_history_import(job: Job, progress) -> dict:
    from zhicheng.files.services import FileIntegrityError, read_verified

    try:
        data = read_verified(job.input_file)
    except (OSError, FileIntegrityError) as exc:
        raise JobRefused(_("上传的文件已无法读取或已被改动，请重新上传。")) from exc

    def written(report):
        record_result(job, _import_result(report))

    report = history.import_history(io.BytesIO(data), job.started_by, today=dt.date.fromisoformat(job.params["today"]),
                                    progress=progress, on_written=written)
    if not report.ok:
        n = len(report.errors)
        raise JobRefused(
            ngettext("未导入：共%(n)d行有错误，全部记录都没有导入。请改正后重新上传。",
                     "未导入：共%(n)d行有错误，全部记录都没有导入。请改正后重新上传。", n) % {"n": n},
            result={"details_heading": _("有错误的行"),
                    "details": [{"label": _("第%(row)d行") % {"row": e.row}, "reason": clauses(e.messages)} for e in report.errors]})
    return _import_result(report)


def certificates_to_render(user, params: dict):
    """The certificates a batch rendering covers: one filing's, or those issued in one year."""
    certificates = scope.certificates_for(user)
    if params.get("filing"):
        return certificates.filter(application__filing_entries__filing_id=params["filing"])
    return certificates.filter(issued_on__year=params["year"])


def _nothing_to_render(params: dict) -> str:
    """Why a rendering found no certificate: the filing's declarations have none issued yet, or the year none."""
    if params.get("filing"):
        return _("该批核准备案尚未制发电子证书：核准备案后，由自治区人力资源和社会保障厅在各人的申报页面“制发电子证书”"
                 "（七（五）2），制发后再生成证书PDF。")
    return _("%(year)d年没有制发的电子证书（或不在您的查看范围内）。") % {"year": int(params["year"])}


@job_kind("certificate_pdfs")
def run_certificate_pdfs(job: Job, progress) -> dict:
    from zhicheng.files.models import Rendition
    from zhicheng.files.services import keep_rendition

    ids = list(certificates_to_render(active_starter(job), job.params).order_by("pk").values_list("pk", flat=True))
    phase = _("生成证书PDF")
    progress(0, len(ids), phase=phase)
    rendered = current = 0
    for start in range(0, len(ids), CHUNK):
        batch = list(Certificate.objects.filter(pk__in=ids[start:start + CHUNK]).select_related("series").order_by("pk"))
        keys = {cert.pk: rendering.certificate_pdf_key(cert) for cert in batch}
        kept = set(Rendition.objects.filter(key__in=keys.values()).values_list("key", flat=True))
        for done, cert in enumerate(batch, start=start + 1):
            if keys[cert.pk] in kept:
                current += 1
            else:
                keep_rendition(keys[cert.pk], f"certificate-{cert.number}.pdf", rendering.certificate_pdf(cert))
                rendered += 1
            progress(done, phase=phase)
    summary = ngettext("已生成%(n)d份证书PDF。", "已生成%(n)d份证书PDF。", rendered) % {"n": rendered}
    if not ids:
        summary += _nothing_to_render(job.params)
    if current:
        summary += ngettext("另有%(n)d份此前已生成且内容未变，未重新生成。", "另有%(n)d份此前已生成且内容未变，未重新生成。", current) % {"n": current}
    link = (reverse("filing_detail", args=[job.params["filing"]]) if job.params.get("filing") else reverse("certificate_list"))
    return {"summary": summary, "rendered": rendered, "current": current, "link": link,
            "link_label": _("返回核准备案") if job.params.get("filing") else _("返回证书列表")}
