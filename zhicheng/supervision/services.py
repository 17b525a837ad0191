"""Spot-check campaigns (随机抽查, 八（一）): start, commit, freeze the population, reveal, draw, record findings.

1. The regional HR department or an HR bureau (in its own area) starts a campaign: what is checked, the
   population filter, the sample (a rate or a count, stratified or not, risk-weighted or not). The supervisor
   (read-only) starts none, draws none and records no finding: it is the other party of the commit-reveal.
2. Both parties commit to a secret (its SHA-256). When the last commitment arrives the population is frozen:
   its keys, strata and weights are stored and their hashes published with both commitments, before any
   secret is revealed, so nobody can change whom it contains after seeing anything.
3. Both reveal (each checked against its commitment); the draw then follows from the seed alone
   (sampling.py) and its record re-verifies from itself (`zhicheng spotcheck verify`).
4. Each sampled item gets findings: the kind's checklist, a conclusion, text and evidence files.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock
from zhicheng.core.wording import enumeration
from zhicheng.draw.randomness import COMMITMENT_PATTERN, SECRET_PATTERN, commitment, digest
from zhicheng.files.services import store_upload

from . import sampling
from .checklists import ANSWERS, checklist
from .models import Campaign, CampaignStatus, CheckKind, Conclusion, Finding, FindingEvidence, Party, SampledItem, Stratify

# Who starts a campaign, draws its sample and records its findings (八（一）: the HR departments, each in its own area).
# The supervisor (纪检监察, read-only) sees every campaign and is the other party of each draw: it commits to a secret
# and reveals it, so that the organiser cannot choose the sample; it decides nothing, so it starts, draws and
# concludes nothing.
RUNNERS = frozenset({Role.REGIONAL_HR_DEPARTMENT, Role.HR_BUREAU})
READ_ONLY = gettext_lazy("监督账号只能查看，不能办理：%(why)s")
STARTED_BY = gettext_lazy("随机抽查由自治区人社厅或盟市、旗县人社局组织（八（一））。")
DRAWN_BY = gettext_lazy("样本由组织本次抽查的人社部门抽取。")
RECORDED_BY = gettext_lazy("检查结果由组织本次抽查的人社部门登记（八（一））。")
ONE_OF_RATE_OR_COUNT = gettext_lazy("抽查比例和抽查数量只能填写其中一项，请清空另一项。")
# More than any year's population (a larger count takes the whole population anyway); within every database's integer.
MAX_SAMPLE_COUNT = 100_000
# The states of a declaration that a committee office has accepted (六（三）) and that still count as accepted.
ACCEPTED_STATES = ("accepted", "under_review", "passed", "failed", "result_publicity", "result_published", "filed", "certified", "revoked")
CLAUSE = "八（一）"


class SpotCheckError(ValidationError):
    """A refused step; ``messages`` are sentences in the reader's language; nothing was changed."""


# ---- who -------------------------------------------------------------------------------------------------
def campaigns_for(user):
    """The region and the supervisor see every campaign; an HR bureau its own."""
    if user.role in (Role.SUPERVISOR, Role.REGIONAL_HR_DEPARTMENT):
        return Campaign.objects.all()
    if user.role == Role.HR_BUREAU and user.organisation_id:
        return Campaign.objects.filter(organisation_id=user.organisation_id)
    return Campaign.objects.none()


def parties_for(user) -> list[str]:
    """Who commits with whom: the starter first; the supervisor's counterpart is the regional department."""
    if user.role == Role.SUPERVISOR:
        return [Party.SUPERVISOR, Party.REGIONAL_HR_DEPARTMENT]
    if user.role == Role.REGIONAL_HR_DEPARTMENT:
        return [Party.REGIONAL_HR_DEPARTMENT, Party.SUPERVISOR]
    return [Party.HR_BUREAU, Party.SUPERVISOR]


def party_of(user, campaign: Campaign) -> str | None:
    party = {Role.SUPERVISOR: Party.SUPERVISOR, Role.REGIONAL_HR_DEPARTMENT: Party.REGIONAL_HR_DEPARTMENT}.get(user.role)
    if user.role == Role.HR_BUREAU and user.organisation_id == campaign.organisation_id:
        party = Party.HR_BUREAU
    return party if party in campaign.parties else None


def may_start(user) -> bool:
    return not user.read_only and user.role in RUNNERS and bool(user.organisation_id)


def may_act_for(user, campaign: Campaign) -> bool:
    """Whether ``user`` draws the campaign's sample and records its findings: a party to it that is not read-only."""
    return not user.read_only and party_of(user, campaign) is not None


def refusal(user, message) -> str:
    """``message`` (why the step is not the user's), said to a read-only account as such."""
    return str(READ_ONLY % {"why": message}) if user.read_only else str(message)


def party_label(party: str) -> str:
    return _(sampling.label(party))


# ---- the population --------------------------------------------------------------------------------------
def _stratum_of_area(path: str | None) -> str:
    """The league or city (盟市) of an area path; the region's own code for region-level units."""
    codes = (path or "").strip("/").split("/")
    return codes[1] if len(codes) > 1 else codes[0]


def _selection(campaign: Campaign):
    """The objects the campaign's filter selects: (queryset, the fields _rows reads, the key's format or None)."""
    kind, year = campaign.kind, campaign.year
    if kind == CheckKind.DECLARATIONS_ACCEPTED:
        from zhicheng.declarations.models import Application

        qs = Application.objects.filter(plan__year=year, state__in=ACCEPTED_STATES)
        fields, series, area, committee = ("pk", "committee_id", "unit__area__path"), "series_id", "unit__area__path", "committee_id"
        key = "D{}"
    elif kind == CheckKind.RESULTS_FILED:
        from zhicheng.certificates.models import FilingEntry, FilingStatus

        qs = FilingEntry.objects.filter(filing__year=year, filing__status=FilingStatus.APPROVED)
        fields = ("application_id", "filing__committee_id", "application__unit__area__path")
        series, area, committee, key = "application__series_id", "application__unit__area__path", "filing__committee_id", "D{}"
    elif kind == CheckKind.CERTIFICATES_ISSUED:
        from zhicheng.certificates.models import Certificate, CertificateKind

        qs = Certificate.objects.filter(kind=CertificateKind.REVIEW, issued_on__year=year)
        fields = ("pk", "application__committee_id", "application__unit__area__path", "number")
        series, area, committee, key = "series_id", "application__unit__area__path", "application__committee_id", None
    elif kind == CheckKind.COMMITTEES:
        from zhicheng.orgs.models import Committee

        qs = Committee.objects.filter(approvals__valid_from__year__lte=year, approvals__valid_until__year__gte=year).distinct()
        fields, series, area, committee, key = ("pk", "pk", "area__path"), "series_id", "area__path", "pk", "C{}"
    else:
        from zhicheng.review.models import DrawStatus, ExpertDraw

        qs = ExpertDraw.objects.filter(plan__year=year, status=DrawStatus.DRAWN)
        fields = ("pk", "plan__committee_id", "plan__committee__area__path")
        series, area, committee, key = "plan__committee__series_id", "plan__committee__area__path", "plan__committee_id", "X{}"
    if campaign.series_id:
        qs = qs.filter(**{series: campaign.series_id})
    if campaign.area_id:
        qs = qs.filter(**{f"{area}__startswith": campaign.area.path})
    if campaign.committee_id:
        qs = qs.filter(**{committee: campaign.committee_id})
    return qs, fields, key


def _rows(campaign: Campaign) -> list[tuple[str, int, int | None, str | None]]:
    """(key, object id, committee id, area path) of every object the campaign's filter selects."""
    qs, fields, key = _selection(campaign)
    rows = []
    for row in qs.values_list(*fields):
        rows.append((row[3] if key is None else key.format(row[0]), row[0], row[1], row[2]))
    return rows


def _weights(kind: str, rows) -> dict[str, int]:
    """The integrity signals' weights (zhicheng.monitoring.integrity_signals.weights_for), by our keys."""
    from zhicheng.monitoring.integrity_signals import weights_for

    by_id = weights_for(kind, [object_id for _key, object_id, _c, _a in rows])
    weights = {key: by_id.get(object_id, 1) for key, object_id, _c, _a in rows}
    bad = [key for key, w in weights.items() if not isinstance(w, int) or isinstance(w, bool) or w < 1]
    if bad:
        raise SpotCheckError(_("风险权重应为不小于1的整数：%(keys)s") % {"keys": "、".join(bad[:5])})
    return weights


def population(campaign: Campaign) -> dict:
    """The population as it stands now: keys sorted, strata and weights by key (sampling.population_data)."""
    rows = _rows(campaign)
    weights = _weights(campaign.kind, rows) if campaign.risk_weighted else {}
    entries = []
    for key, _object_id, committee_id, path in rows:
        stratum = f"C{committee_id}" if campaign.stratify == Stratify.COMMITTEE else _stratum_of_area(path)
        entries.append({"key": key, "stratum": stratum, "weight": weights.get(key, 1)})
    return sampling.population_data(entries, stratified=bool(campaign.stratify), weighted=campaign.risk_weighted)


def sample_spec(campaign: Campaign) -> dict:
    return {"rate": campaign.sample_rate, "count": campaign.sample_count, "stratify": campaign.stratify or None,
            "weighted": campaign.risk_weighted}


def counts(campaign: Campaign, data: dict) -> dict:
    """Sizes of a population (``population()`` or the frozen one): the whole, the sample, per stratum
    (population and allocation), how many carry a weight above 1."""
    size = len(data["keys"])
    take = sampling.sample_size(size, campaign.sample_rate, campaign.sample_count)
    strata: dict[str, int] = {}
    for key in data["keys"]:
        stratum = data["strata"][key] if data["strata"] is not None else ""
        strata[stratum] = strata.get(stratum, 0) + 1
    allocation = sampling.allocate(take, strata)
    weights = data["weights"] or {}
    return {
        "size": size, "sample": take,
        "strata": [(stratum, n, allocation[stratum]) for stratum, n in sorted(strata.items())] if data["strata"] is not None else [],
        "weighted": sum(1 for w in weights.values() if w > 1), "weight_total": sum(weights.values()),
    }


def preview(actor, campaign: Campaign) -> dict:
    """What a draw on today's population would take, once the filter passes the checks the saving makes."""
    if not may_start(actor):  # a step of starting one
        raise SpotCheckError(refusal(actor, STARTED_BY))
    if actor.role == Role.HR_BUREAU and campaign.area is None:
        campaign.area = actor.organisation.area
    _check_filter(campaign, actor)
    return counts(campaign, population(campaign))


# ---- the steps -------------------------------------------------------------------------------------------
def _check_filter(campaign: Campaign, actor) -> None:
    problems = []
    this_year = clock.today().year
    if not 2000 <= campaign.year <= this_year:
        problems.append(_("年度应在2000年至今年（%(year)d年）之间。") % {"year": this_year})
    if campaign.sample_rate is None and campaign.sample_count is None:
        problems.append(_("请填写抽查比例或抽查数量中的一项。"))
    elif campaign.sample_rate is not None and campaign.sample_count is not None:
        problems.append(str(ONE_OF_RATE_OR_COUNT))
    if campaign.sample_rate is not None and not 1 <= campaign.sample_rate <= 100:
        problems.append(_("抽查比例应在1%至100%之间。"))
    if campaign.sample_count is not None and campaign.sample_count < 1:
        problems.append(_("抽查数量至少为1。"))
    if campaign.sample_count is not None and campaign.sample_count > MAX_SAMPLE_COUNT:
        problems.append(_("抽查数量不能超过%(n)d项。") % {"n": MAX_SAMPLE_COUNT})
    if campaign.kind == CheckKind.COMMITTEES and campaign.stratify == Stratify.COMMITTEE:
        problems.append(_("抽查评委会时不能按评委会分层，请按盟市分层或不分层。"))
    if actor.role == Role.HR_BUREAU:
        own = actor.organisation.area
        if campaign.area is None or not campaign.area.is_within(own):
            problems.append(_("盟市、旗县人社局只能在本地区（%(area)s）组织抽查（八（一）：各级人社部门负责本地区的监督检查）。")
                            % {"area": own.name})
    if problems:
        raise SpotCheckError(problems)


def start(actor, campaign: Campaign) -> Campaign:
    """Save a new campaign (unsaved ``campaign`` with its filter and sample) after checking it."""
    if not may_start(actor):
        raise SpotCheckError(refusal(actor, STARTED_BY))
    if actor.role == Role.HR_BUREAU and campaign.area is None:
        campaign.area = actor.organisation.area
    _check_filter(campaign, actor)
    if not _selection(campaign)[0].exists():  # the filter alone decides; the weights are worked out when it freezes
        raise SpotCheckError(_("按所选条件没有可抽查的对象，请调整年度、系列、区域或评委会。"))
    campaign.organisation_id = actor.organisation_id
    campaign.parties = [str(p) for p in parties_for(actor)]
    campaign.created_by = actor
    with transaction.atomic():
        campaign.save()
        audit("spotcheck.start", campaign, actor=actor, after={
            "kind": campaign.kind, "year": campaign.year, "series": campaign.series_id, "area": campaign.area_id,
            "committee": campaign.committee_id, "sample": sample_spec(campaign), "parties": campaign.parties,
        }, summary=f"组织随机抽查：{campaign.title}")
    return campaign


def _lock(campaign: Campaign) -> None:
    campaign.refresh_from_db(from_queryset=Campaign.objects.select_for_update())


def _publication(campaign: Campaign, frozen: dict, commitments: dict) -> dict:
    return {
        "format": sampling.PUBLICATION_FORMAT,
        "campaign": {
            "reference": campaign.reference, "title": campaign.title, "kind": campaign.kind,
            "organisation": campaign.organisation.name,
            "filter": {"year": campaign.year, "series": campaign.series.code if campaign.series_id else None,
                       "area": campaign.area.code if campaign.area_id else None,
                       "committee": f"C{campaign.committee_id}" if campaign.committee_id else None},
        },
        "sample": sample_spec(campaign),
        "population": sampling.population_hashes(frozen),
        "parties": list(campaign.parties),
        "commitments": {party: commitments[party] for party in campaign.parties},
        "frozen_at": clock.now().isoformat(timespec="seconds"),
    }


def commit(campaign: Campaign, actor, value: str) -> Campaign:
    """A party's commitment; the last one freezes the population and publishes its hashes with both."""
    party = party_of(actor, campaign)
    if party is None:
        raise SpotCheckError(_("只有本次抽查的双方（%(parties)s）提交承诺值。")
                             % {"parties": enumeration([party_label(p) for p in campaign.parties])})
    value = value.strip().lower()
    if not COMMITMENT_PATTERN.match(value):
        raise SpotCheckError(_("承诺值应为秘密值的SHA-256摘要（64位十六进制数）。"))
    with transaction.atomic():
        _lock(campaign)
        if campaign.status != CampaignStatus.COMMITTING:
            raise SpotCheckError(_("抽查总体已冻结，不能再提交或更改承诺值。"))
        before = campaign.commitments.get(party)
        commitments = {**campaign.commitments, party: value}
        campaign.commitments = commitments
        fields = ["commitments"]
        audit("spotcheck.commit", campaign, actor=actor, before={party: before}, after={party: value},
              summary=f"{sampling.label(party)}提交承诺值 {value[:16]}…")
        if all(commitments.get(p) for p in campaign.parties):
            frozen = population(campaign)
            if not frozen["keys"]:
                raise SpotCheckError(_("按所选条件已没有可抽查的对象，不能冻结总体。"))
            campaign.population = frozen
            campaign.publication = _publication(campaign, frozen, commitments)
            campaign.publication_sha256 = digest(campaign.publication)
            campaign.status, campaign.frozen_at = CampaignStatus.FROZEN, clock.now()
            fields += ["population", "publication", "publication_sha256", "status", "frozen_at"]
            audit("spotcheck.freeze", campaign, actor=actor, after={
                "publication_sha256": campaign.publication_sha256, "population": campaign.publication["population"],
            }, summary=f"冻结抽查总体{len(frozen['keys'])}项并公示（摘要 {campaign.publication_sha256[:16]}…）")
        campaign.save(update_fields=fields)
    return campaign


def reveal(campaign: Campaign, actor, secret: str) -> Campaign:
    party = party_of(actor, campaign)
    if party is None:
        raise SpotCheckError(_("只有本次抽查的双方揭示秘密值。"))
    secret = secret.strip()
    if not SECRET_PATTERN.match(secret):
        raise SpotCheckError(_("秘密值应为32至128位小写十六进制数（至少128位随机性）。"))
    with transaction.atomic():
        _lock(campaign)
        if campaign.status != CampaignStatus.FROZEN:
            raise SpotCheckError(_("只能在总体冻结之后、抽取之前揭示秘密值。"))
        if campaign.reveals.get(party):
            raise SpotCheckError(_("%(party)s已揭示秘密值。") % {"party": party_label(party)})
        if commitment(secret) != campaign.commitments.get(party):
            raise SpotCheckError(_("%(party)s的揭示值与其事先公布的承诺值不符。") % {"party": party_label(party)})
        campaign.reveals = {**campaign.reveals, party: secret}
        campaign.save(update_fields=["reveals"])
        audit("spotcheck.reveal", campaign, actor=actor, after={party: secret}, summary=f"{sampling.label(party)}揭示秘密值")
    return campaign


def draw_problems(campaign: Campaign) -> list[str]:
    if campaign.status != CampaignStatus.FROZEN:
        return [_("只能对总体已冻结、尚未抽取的抽查执行抽取。")]
    return [_("尚未收到%(party)s的揭示值。") % {"party": party_label(p)} for p in campaign.parties if not campaign.reveals.get(p)]


def _links(campaign: Campaign, keys: list[str]) -> dict[str, dict]:
    """The object each sampled key stands for, as SampledItem fields."""
    if campaign.kind in (CheckKind.DECLARATIONS_ACCEPTED, CheckKind.RESULTS_FILED):
        return {k: {"application_id": int(k[1:])} for k in keys}
    if campaign.kind == CheckKind.COMMITTEES:
        return {k: {"committee_id": int(k[1:])} for k in keys}
    if campaign.kind == CheckKind.EXPERT_DRAWS:
        return {k: {"expert_draw_id": int(k[1:])} for k in keys}
    from zhicheng.certificates.models import Certificate

    ids = dict(Certificate.objects.filter(number__in=keys).values_list("number", "pk"))
    return {k: {"certificate_id": ids[k]} for k in keys}


def draw(campaign: Campaign, actor) -> Campaign:
    """Draw the sample from the frozen population and the revealed seed; store the record and the items."""
    if party_of(actor, campaign) is None:
        raise SpotCheckError(_("只有本次抽查的双方可以执行抽取。"))
    if not may_act_for(actor, campaign):
        raise SpotCheckError(refusal(actor, DRAWN_BY))
    with transaction.atomic():
        _lock(campaign)
        problems = draw_problems(campaign)
        if problems:
            raise SpotCheckError(problems)
        record = sampling.build_record(campaign.publication, campaign.population, campaign.reveals)
        check = sampling.verify(record, campaign.publication_sha256)
        if not check.ok:  # the stored publication or population no longer match each other
            raise SpotCheckError([_("冻结的总体与公示内容不一致，不能抽取：")] + check.problems)
        keys = record["sample"]["items"]
        links = _links(campaign, keys)
        strata = campaign.population.get("strata") or {}
        SampledItem.objects.bulk_create([
            SampledItem(campaign=campaign, position=i, key=key, stratum=strata.get(key, ""), **links[key])
            for i, key in enumerate(keys, start=1)
        ])
        campaign.record, campaign.record_sha256 = record, digest(record)
        campaign.status, campaign.drawn_at = CampaignStatus.DRAWN, clock.now()
        campaign.save(update_fields=["record", "record_sha256", "status", "drawn_at"])
        audit("spotcheck.draw", campaign, actor=actor, after={
            "record_sha256": campaign.record_sha256, "seed_sha256": record["seed"]["sha256"], "sample": keys,
        }, summary=f"{campaign.title}：从{len(campaign.population['keys'])}项中抽取{len(keys)}项（记录摘要 {campaign.record_sha256[:16]}…）")
    return campaign


def verify_stored(campaign: Campaign) -> sampling.Verification:
    if campaign.record is None:
        raise SpotCheckError(_("该抽查尚未抽取，没有抽取记录。"))
    check = sampling.verify(campaign.record, campaign.publication_sha256)
    if digest(campaign.record) != campaign.record_sha256:
        check.problems.append(_("抽取记录与抽取时登记的记录摘要不符（记录被改动）"))
    return check


# ---- findings --------------------------------------------------------------------------------------------
def record_finding(item: SampledItem, actor, *, answers: dict[str, str], conclusion: str, text: str, files=()) -> Finding:
    campaign = item.campaign
    if not may_act_for(actor, campaign):
        raise SpotCheckError(refusal(actor, RECORDED_BY))
    points = {p.code: p for p in checklist(campaign.kind)}
    problems = []
    unknown = sorted(set(answers) - set(points))
    if unknown or any(v not in ANSWERS for v in answers.values()):
        problems.append(_("检查项或其结果无法识别。"))
    missing = [str(points[c].text) for c in points if c not in answers]
    if missing:
        problems.append(_("请逐项填写检查结果：%(items)s") % {"items": "；".join(missing)})
    if conclusion not in Conclusion.values:
        problems.append(_("请选择结论。"))
    failed = [c for c, v in answers.items() if v == "no"]
    if failed and conclusion == Conclusion.NO_PROBLEM:
        problems.append(_("有检查项不符合，结论不能为“未发现问题”。"))
    if conclusion == Conclusion.PROBLEM and not text.strip():
        problems.append(_("发现问题时请写明问题及依据。"))
    if problems:
        raise SpotCheckError(problems)
    stored = []
    for upload in files:
        stored.append(store_upload(upload, actor))  # refuses a wrong type or size with its own message
    with transaction.atomic():
        _lock(campaign)
        if campaign.status != CampaignStatus.DRAWN:
            raise SpotCheckError(_("样本抽取后方可登记检查结果。"))
        finding = Finding.objects.create(item=item, answers=answers, conclusion=conclusion, text=text.strip(),
                                         recorded_by=actor, recorded_at=clock.now())
        FindingEvidence.objects.bulk_create([FindingEvidence(finding=finding, file=f) for f in stored])
        audit("spotcheck.finding", finding, actor=actor, after={
            "item": item.key, "conclusion": conclusion, "answers": answers, "evidence": [f.sha256 for f in stored],
        }, summary=f"{campaign.reference} {item.key}：{finding.get_conclusion_display()}")
    return finding


def items_for(user):
    return SampledItem.objects.filter(campaign__in=campaigns_for(user))


def describe_filter(campaign: Campaign) -> str:
    parts = [_("%(year)d年") % {"year": campaign.year}]
    parts += [str(x) for x in (campaign.series and campaign.series.name, campaign.area and campaign.area.name,
                               campaign.committee and campaign.committee.name) if x]
    return " · ".join(parts)


def stratum_labels(keys) -> dict[str, str]:
    """Readable names of strata: committees (C<id>) and areas (codes)."""
    from zhicheng.orgs.models import Area, Committee

    keys = set(keys)
    committees = {int(k[1:]) for k in keys if k.startswith("C") and k[1:].isdigit()}
    labels = {f"C{pk}": name for pk, name in Committee.objects.filter(pk__in=committees).values_list("pk", "name")}
    labels.update(Area.objects.filter(code__in=keys).values_list("code", "name"))
    return labels

