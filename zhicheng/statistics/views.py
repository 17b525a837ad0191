"""The statistics page and its workbooks: thin views over services.report()."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from zhicheng.accounts.permissions import page
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.documents.excel import write_workbook
from zhicheng.files.services import XLSX

from . import services, svg


def _year(request, years: list[int]) -> int:
    """The year asked for if it is a plan's year, else this year's plan, else the latest."""
    asked = request.GET.get("year", "")
    if asked.isdigit() and int(asked) in years:
        return int(asked)
    this_year = clock.today().year
    return this_year if this_year in years or not years else years[0]


@page("statistics")
def statistics(request):
    years = services.years_of(request.user)
    if not years:
        return render(request, "statistics/page.html", {"report": None, "years": []})
    rep = services.report(request.user, _year(request, years))
    charts = [(table, svg.chart_of(table, limit=svg_limit(table))) for table in rep.tables]
    return render(request, "statistics/page.html", {"report": rep, "years": years, "charts": charts})


def svg_limit(table) -> int:
    return services.SLOW_DESKS if table.key == "desks" else 20


# Characters a worksheet's name may not hold: a translated title such as "By league/city" would stop the download.
SHEET_NAME_FORBIDDEN = str.maketrans({c: "-" for c in "\\/?*[]:"})


def _sheet_title(index: int, title: str) -> str:
    return f"{index + 1} {title}".translate(SHEET_NAME_FORBIDDEN)[:31]


@page("statistics_export")
def export(request):
    """One table as a workbook (``table=<key>``), or every table, a sheet each (``table=all``); each download audited."""
    years = services.years_of(request.user)
    if not years:
        raise Http404
    year = _year(request, years)
    rep = services.report(request.user, year)
    key = request.GET.get("table", "all")
    tables = rep.tables if key == "all" else [t for t in rep.tables if t.key == key]
    if not tables:
        raise Http404
    data = write_workbook((_sheet_title(i, t.title), t.columns, t.rows) for i, t in enumerate(tables))
    audit("statistics.export", None, actor=request.user, object_type="statistics", object_id=str(year),
          after={"year": year, "table": key, "rows": sum(len(t.rows) for t in tables)},
          summary=f"导出{year}年度统计：{'全部' if key == 'all' else tables[0].title}")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="statistics-{year}-{key}.xlsx"'
    return response
