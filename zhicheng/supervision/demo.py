"""The demo's spot checks (an oversight part of DemoLoader, after the integrity signals, before the rectification
orders given on their findings): a campaign on the region's accepted declarations, stratified by committee, drawn
by the supervisor and the regional department by commit-reveal and published with its record, with findings on
some items (one problem found); and a risk-weighted campaign whose weights come from the integrity signals. The
regional department starts both, draws and records the findings; the supervisor commits and reveals (it decides nothing).

The demo's secrets are derived from fixed words so that a reloaded demo draws the same sample; a real campaign's
secrets are made in each party's browser (site.js) and never reach the server before the reveal."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from zhicheng.accounts.roles import Role
from zhicheng.core import clock
from zhicheng.documents import pdf
from zhicheng.orgs.models import Organisation, OrgKind

from . import services
from .checklists import checklist
from .models import Campaign, CheckKind, Conclusion, Stratify

D = dt.date


def _secret(word: str) -> str:
    return hashlib.sha256(f"zhicheng-demo-spotcheck/{word}".encode()).hexdigest()


def _run(starter, campaign: Campaign, users: dict, word: str, days: tuple[dt.date, dt.date]) -> Campaign:
    with clock.frozen(days[0]):
        services.start(starter, campaign)
        for party in campaign.parties:
            services.commit(campaign, users[party], services.commitment(_secret(f"{word}/{party}")))
    with clock.frozen(days[1]):
        for party in campaign.parties:
            services.reveal(campaign, users[party], _secret(f"{word}/{party}"))
        return services.draw(campaign, starter)


def _evidence(title: str, lines: list[str]) -> SimpleUploadedFile:
    from zhicheng.demo import materials

    data = pdf.flowing_pdf(pdf.DocumentMeta(title=title), [pdf.text(title, "title"), *[pdf.text(line) for line in lines],
                                                            pdf.text(materials.DEMO_MARK, "small")])
    return SimpleUploadedFile(f"{title}.pdf", data, content_type="application/pdf")


def demo(loader) -> None:
    region = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    # The same accounts DemoLoader.friendly_logins makes (get_or_create by username).
    supervisor = loader._account("supervisor", Role.SUPERVISOR, organisation=region, first_name=f"{region.name[:20]}（演示）")
    chief = loader._account("regional_hr", Role.REGIONAL_HR_DEPARTMENT, organisation=region, first_name=f"{region.name[:20]}（演示）")
    users = {"supervisor": supervisor, "regional_hr_department": chief}

    accepted = _run(chief, Campaign(title="2021年度已受理职称申报随机抽查", kind=CheckKind.DECLARATIONS_ACCEPTED, year=2021,
                                         sample_count=8, stratify=Stratify.COMMITTEE),
                    users, "accepted", (D(2021, 8, 30), D(2021, 8, 31)))
    items = list(accepted.items.select_related("application__unit").order_by("position"))
    points = [p.code for p in checklist(CheckKind.DECLARATIONS_ACCEPTED)]
    with clock.frozen(D(2021, 9, 2)):
        problem = items[0]
        services.record_finding(
            problem, chief, answers={**{c: "yes" for c in points}, "employer_publicity": "no"}, conclusion=Conclusion.PROBLEM,
            text=(f"{problem.application.unit.name}对送审表的公示自8月2日至8月4日，仅3个工作日，少于六（一）规定的5个工作日，"
                  "且未留存公示结果即上报。"),
            files=[_evidence("单位公示情况核查记录", [f"抽查编号 {accepted.reference} {problem.key}",
                                                  "公示起止：2021年8月2日至8月4日（3个工作日）。", "未见公示结果记录。"])])
        for item in items[1:4]:
            services.record_finding(item, chief, answers={c: "yes" for c in points}, conclusion=Conclusion.NO_PROBLEM,
                                    text="材料齐全，审核、公示程序符合规定。")

    weighted = _run(chief, Campaign(title="2021年度已受理职称申报诚信风险加权抽查", kind=CheckKind.DECLARATIONS_ACCEPTED, year=2021,
                                    sample_rate=5, risk_weighted=True),
                    users, "weighted", (D(2021, 9, 6), D(2021, 9, 7)))
    weights = weighted.population["weights"]
    loader.out(f"  随机抽查：{accepted.reference} 从{len(accepted.population['keys'])}件中抽取{len(items)}件，发现问题1件；"
               f"{weighted.reference} 按诚信风险加权抽取{len(weighted.record['sample']['items'])}件"
               f"（{sum(1 for w in weights.values() if w > 1)}件权重大于1）")
