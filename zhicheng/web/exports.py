"""A list of declarations as an Excel workbook: what the list page shows, every page of it, in its order.

A list of up to IN_REQUEST declarations is built in the request (openpyxl's write-only mode: about 0.5 ms a
row measured here, so about 1.5 s at the limit); a longer one (a bureau's or the region's whole year) runs as
a background job with a progress bar, and its workbook is downloaded from the job's page. Either way the
export is audited: who, which filter and sort, how many rows, whether identity numbers were in full."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.declarations import listing
from zhicheng.documents.excel import write_workbook
from zhicheng.jobs.runner import active_starter, job_kind, no_progress, start_job

IN_REQUEST = 3000
# Rows between two progress reports of a job.
PROGRESS_EVERY = 500


def file_name() -> str:
    return f"applications-{clock.today():%Y%m%d}.xlsx"


def workbook(queryset, user, progress=no_progress, total: int = 0) -> bytes:
    """``queryset`` (listing.listed) as a workbook of typed cells (documents.excel: text never a formula)."""
    header = [str(h) for h in listing.EXPORT_HEADER]

    def rows():
        for n, row in enumerate(listing.export_rows(queryset.defer("decision").iterator(chunk_size=2000), user), start=1):
            if n % PROGRESS_EVERY == 0:
                progress(n, total)
            yield row

    return write_workbook([(_("申报列表"), header, rows())])


def audit_export(user, query, sort: str, count: int, job=None) -> None:
    search = listing.search_of(query)
    after = {"filter": search, "sort": sort, "rows": count, "full_id_numbers": listing.sees_full_id_numbers(user)}
    if job is not None:
        after["job"] = job.pk
    audit("application.export", None, actor=user, object_type="declarations.application", object_id="", after=after,
          summary=f"导出申报列表{count}行" + (f"（{'，'.join(f'{k}={v}' for k, v in search.items())}）" if search else ""))


def start(user, query, count: int):
    """The export of a long list as a job; the job reads the list again when it runs, in the starter's scope."""
    title = _("导出申报列表：%(n)d件") % {"n": count}
    return start_job("application_export", title, user, params={"query": query.urlencode()})


@job_kind("application_export")
def run_export(job, progress) -> dict:
    from zhicheng.files.services import store_workbook

    actor = active_starter(job)
    query = QueryDict(job.params["query"])
    queryset, _applied, sort = listing.listed(actor, query)
    count = queryset.count()
    progress(0, count, phase=_("生成Excel文件"))
    data = workbook(queryset, actor, progress, count)
    stored = store_workbook(ContentFile(data, name=file_name()), uploaded_by=actor)
    audit_export(actor, query, sort, count, job=job)
    return {"summary": _("已导出%(n)d件申报。") % {"n": count}, "file": stored.sha256,
            "link": reverse("application_export_file", args=[job.pk]), "link_label": _("下载Excel文件")}
