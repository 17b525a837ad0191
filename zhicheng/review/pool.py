"""The expert pool (专家评委库, 七（二）): derived attributes, import from Excel, edits, filing, and the
frozen snapshot the draw reads.

The quota attributes (grassroots, private sector, outside the self-review unit, region, title
level) are computed from the unit and title records every time, never stored as something an
expert says of themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.catalogue.models import LEVEL_ORDER, SENIOR_LEVELS, Series, Specialty, TitleName
from zhicheng.core import clock
from zhicheng.core.canonical import sha256_hex
from zhicheng.core.identifiers import birth_date_from_id, normalise_id_number
from zhicheng.core.names import name_problem
from zhicheng.core.wording import enumeration
from zhicheng.orgs.models import Committee, Organisation, OrgKind, Sector, UnitLevel
from zhicheng.people.dates import MIN_AGE, years_after
from zhicheng.people.models import Person, TitleHeld

from .models import Expert, ExpertRelation, PoolFiling, RelationKind, Sanction, ServiceYear

GRASSROOTS_LEVELS = (UnitLevel.COUNTY, UnitLevel.TOWNSHIP)
NO_SPECIALTY = "未分专业"
REGION_LEVEL = "自治区本级"  # units of the region itself, outside any league or city


class PoolError(ValidationError):
    """A refused change of the pool; the messages are sentences in the reader's language."""


def committee_code(committee_id: int) -> str:
    return f"C{committee_id}"


def employer_code(unit_id: int) -> str:
    return f"U{unit_id}"


# ---- attributes from records ----------------------------------------------------------------

def is_grassroots(unit: Organisation) -> bool:
    """基层一线: a unit at county (旗县) or township (苏木乡镇) level, by the unit's record."""
    return unit.level in GRASSROOTS_LEVELS


def is_private_sector(unit: Organisation) -> bool:
    return unit.sector == Sector.PRIVATE


def region_of(unit: Organisation) -> str:
    league = unit.area.league_city
    return league.name if league is not None else REGION_LEVEL


def highest_title(person: Person, series: Series) -> TitleHeld | None:
    """The person's highest title record in the series: the expert's title comes from here."""
    titles = [t for t in person.titleheld_records.all() if t.series == series.code]
    return max(titles, key=lambda t: (LEVEL_ORDER.index(t.level), t.obtained_on), default=None)


def apply_title(expert: Expert) -> None:
    title = highest_title(expert.person, expert.series)
    if title is None or title.level not in SENIOR_LEVELS:
        raise PoolError(_("%(name)s在%(series)s系列没有副高级以上职称记录，不能入选评委库。")
                        % {"name": expert.person.name, "series": _(expert.series.name)})
    expert.title_level, expert.title_name = title.level, title.title_name


def attributes(expert: Expert, committee: Committee) -> dict:
    """The quota categories of the draw, for this committee (docs/draw.md: pool format)."""
    unit = expert.unit
    return {
        "specialty_group": expert.specialty.name if expert.specialty_id else NO_SPECIALTY,
        "grassroots": is_grassroots(unit),
        "private_sector": is_private_sector(unit),
        "outside_self_review_unit": committee.self_review_unit_id != unit.pk,
        "region": region_of(unit),
        "level": expert.title_level,
    }


def sanction_reasons(expert: Expert, day: dt.date) -> list[str]:
    reasons = [f"{s.reason}（{s.document_number or s.imposed_on}）" for s in expert.sanctions.all() if s.active_on(day)]
    reasons += [_("记入失信黑名单（%(ref)s）") % {"ref": b.document_number or b.listed_on}
                for b in expert.person.blacklist_entries.all() if b.bars(day.year)]
    return reasons


def experts_with_records():
    return Expert.objects.select_related(
        "person", "unit__area__parent__parent", "series", "specialty", "user",
    ).prefetch_related(
        "sanctions", "person__blacklist_entries", "service_years", "committees",
        Prefetch("person__titleheld_records", queryset=TitleHeld.objects.order_by("pk")),
    )


def pool_of(committee: Committee):
    return experts_with_records().filter(committees=committee).order_by("pk")


def declaring_people(year: int, person_ids) -> set[int]:
    from zhicheng.declarations.models import Application

    return set(Application.objects.filter(plan__year=year, person_id__in=person_ids).values_list("person_id", flat=True))


def pool_entry(expert: Expert, committee: Committee, declaring: set[int], day: dt.date) -> dict:
    """One expert as the draw reads them (docs/draw.md: pool format); ``declaring``: the people declaring this year."""
    served: dict[str, list[int]] = {}
    for service in expert.service_years.all():
        served.setdefault(committee_code(service.committee_id), []).append(service.year)
    return {
        "id": expert.draw_id,
        "name": expert.person.name,
        "employer": employer_code(expert.unit_id),
        "attributes": attributes(expert, committee),
        "served": {key: sorted(years) for key, years in sorted(served.items())},
        "declaring": expert.person_id in declaring,
        "sanctioned": bool(sanction_reasons(expert, day)),
        "available": expert.available,
    }


def snapshot(committee: Committee, year: int, day: dt.date | None = None) -> list[dict]:
    """The pool of one committee for one year's draw, in the draw's pool format, ordered by id."""
    day = day or clock.today()
    experts = list(pool_of(committee))
    declaring = declaring_people(year, [e.person_id for e in experts])
    return [pool_entry(expert, committee, declaring, day) for expert in experts]


def draw_exclusions(pairs, year: int, day: dt.date | None = None) -> list[tuple[str, ...]]:
    """For each (expert, committee) of ``pairs``: why that committee's draw for ``year`` would leave the expert out
    (empty: the draw may pick them). The draw's own rule (zhicheng.draw.model.exclusion_reasons, 七（四）5) on the
    entry the draw would read (pool_entry), so that the pool's pages never say other than the draw. The experts come
    with their records (experts_with_records); one query in all, for who declares this year."""
    from zhicheng.draw.model import DrawSpec, exclusion_reasons, parse_pool

    day = day or clock.today()
    pairs = list(pairs)
    declaring = declaring_people(year, {expert.person_id for expert, _ in pairs})
    reasons = []
    for expert, committee in pairs:
        # The rule reads only the spec's committee and year; the rest of a spec is the draw's business.
        spec = DrawSpec(committee=committee_code(committee.pk), year=year, kind="other", size=1, quotas={},
                        max_served_last_year=0, employer_cap=None)
        reasons.append(exclusion_reasons(parse_pool([pool_entry(expert, committee, declaring, day)])[0], spec))
    return reasons


def is_office_of_committee(user, committee: Committee) -> bool:
    """The user speaks for the committee's office (评委会办事机构)."""
    return user.role == Role.COMMITTEE_OFFICE and committee.office_id == user.organisation_id


def office_scope(queryset, user, office_lookup: str):
    """Everything for the region and the supervisor; for a committee office what ``office_lookup``
    ties to it; nothing for anyone else."""
    if user.role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
        return queryset
    if user.role == Role.COMMITTEE_OFFICE and user.organisation_id:
        return queryset.filter(**{office_lookup: user.organisation_id})
    return queryset.none()


def experts_for(user):
    """The pool a user may see: a committee office its committees' pools; the region and the supervisor all."""
    if user.role in (Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR):
        return Expert.objects.all()
    if user.role == Role.COMMITTEE_OFFICE and user.organisation_id:
        return Expert.objects.filter(committees__office_id=user.organisation_id).distinct()
    return Expert.objects.none()


def committees_for(user):
    return office_scope(Committee.objects.all(), user, "office_id")


def can_manage(user) -> bool:
    return user.role in (Role.COMMITTEE_OFFICE, Role.REGIONAL_HR_DEPARTMENT)


def _state(expert: Expert) -> dict:
    return {
        "unit": expert.unit_id, "series": expert.series_id, "specialty": expert.specialty_id,
        "title": [expert.title_level, expert.title_name], "available": expert.available,
        "unavailable_reason": expert.unavailable_reason,
        "committees": sorted(expert.committees.values_list("pk", flat=True)) if expert.pk else [],
    }


# ---- editing, each change audited ----------------------------------------------------------

def update_expert(expert: Expert, actor, *, unit, specialty, available: bool, unavailable_reason: str = "", committees=None) -> Expert:
    if not can_manage(actor):
        raise PoolError(_("只有评委会办事机构或自治区人社厅可以维护评委库。"))
    if specialty is not None and specialty.series_id != expert.series_id:
        raise PoolError(_("专业不属于该专家的系列。"))
    if not available and not unavailable_reason.strip():
        raise PoolError(_("请说明不能参加评审的原因。"))
    with transaction.atomic():
        before = _state(expert)
        expert.unit, expert.specialty, expert.available = unit, specialty, available
        expert.unavailable_reason = "" if available else unavailable_reason.strip()
        apply_title(expert)
        expert.save()
        if committees is not None:
            allowed = set(committees_for(actor).values_list("pk", flat=True))
            keep = [c for c in expert.committees.all() if c.pk not in allowed]
            expert.committees.set(keep + [c for c in committees if c.pk in allowed])
        audit("expert.update", expert, actor=actor, before=before, after=_state(expert), summary=f"修改评委库专家{expert.person.name}")
    return expert


def pools_left(expert: Expert, actor, committees) -> list[Committee]:
    """The pools of the actor's committees that an update to ``committees`` takes the expert out of."""
    allowed = set(committees_for(actor).values_list("pk", flat=True))
    chosen = {c.pk for c in committees}
    return [c for c in expert.committees.all() if c.pk in allowed and c.pk not in chosen]


def add_service_year(expert: Expert, actor, committee: Committee, year: int) -> ServiceYear:
    with transaction.atomic():
        service, created = ServiceYear.objects.get_or_create(expert=expert, committee=committee, year=year)
        if created:
            audit("expert.service_year", expert, actor=actor, after={"committee": committee.pk, "year": year},
                  summary=f"登记{expert.person.name}{year}年担任{committee.name}评委")
    return service


def add_relation(expert: Expert, actor, **fields) -> ExpertRelation:
    relation = ExpertRelation(expert=expert, **fields)
    if relation.kind == RelationKind.RELATIVE:
        if not relation.relative_name.strip() or not relation.relative_id_number.strip():
            raise PoolError(_("请填写亲属的姓名和身份证号码。"))
        relation.relative_name = relation.relative_name.strip()
        if problem := name_problem(relation.relative_name):
            raise PoolError(_("亲属姓名“%(name)s”：%(problem)s") % {"name": relation.relative_name, "problem": problem})
        try:
            relation.relative_id_number = normalise_id_number(relation.relative_id_number)
        except ValidationError as exc:
            raise PoolError(exc.messages) from exc
    else:
        if relation.former_unit is None or relation.ended_on is None:
            raise PoolError(_("请选择曾工作单位并填写离开日期。"))
        if relation.started_on and relation.started_on > relation.ended_on:
            raise PoolError(_("离开日期不能早于起始日期。"))
    with transaction.atomic():
        relation.save()
        audit("expert.relation_add", expert, actor=actor, after={"relation": relation.pk, "kind": relation.kind, "text": str(relation)},
              summary=f"{expert.person.name}申报回避关系：{relation}")
    return relation


def remove_relation(relation: ExpertRelation, actor) -> None:
    with transaction.atomic():
        audit("expert.relation_remove", relation.expert, actor=actor, before={"relation": relation.pk, "text": str(relation)},
              summary=f"删除{relation.expert.person.name}的回避关系：{relation}")
        relation.delete()


def add_sanction(expert: Expert, actor, *, reason: str, imposed_on: dt.date, until: dt.date | None, document_number: str = "") -> Sanction:
    if not reason.strip():
        raise PoolError(_("请填写处理原因。"))
    if until is not None and until < imposed_on:
        raise PoolError(_("期限不能早于处理日期。"))
    with transaction.atomic():
        sanction = Sanction.objects.create(expert=expert, reason=reason.strip(), imposed_on=imposed_on, until=until,
                                           document_number=document_number.strip())
        audit("expert.sanction", expert, actor=actor, after={"reason": sanction.reason, "imposed_on": imposed_on, "until": until},
              summary=f"{expert.person.name}受到处理：{sanction.reason}")
    return sanction


# ---- the expert's own login (七（四）: every expert reads, votes and signs with their own) ----------------

LOGIN_PASSWORD_LENGTH = 12
LOGIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # nothing read one for another (0/O, 1/l/I)


def login_username(expert: Expert) -> str:
    """The login name of an account made for the expert: 评审专家 and the expert's number."""
    return f"zj{expert.pk:05d}"


def can_create_login(actor, expert: Expert) -> bool:
    """A keeper of one of the expert's pools: the office of one of their committees, or the region."""
    return actor.role == Role.REGIONAL_HR_DEPARTMENT or any(is_office_of_committee(actor, c) for c in expert.committees.all())


def create_login(expert: Expert, actor):
    """An account for a pool expert who has none, so that they can read their dossiers, vote and sign themselves (no
    proxy). Returns the account and its initial password: shown once to whoever made it, to hand to the expert; it is
    neither stored nor written to the audit log. No second factor comes with it: at the first login the expert enrols
    their own authenticator on the second-factor page (otp.start_enrolment), as every expert does, and only then
    reaches any page; so the factor is always the expert's own."""
    import secrets

    from zhicheng.accounts.models import User

    if not can_manage(actor) or not can_create_login(actor, expert):
        raise PoolError(_("只有该专家所在评委库的评委会办事机构或自治区人社厅可以为其开通登录账号。"))
    username = login_username(expert)
    with transaction.atomic():
        # Under the expert's lock: of two offices doing it at the same moment only the first makes an account.
        locked = Expert.objects.select_for_update().select_related("person").get(pk=expert.pk)
        if locked.user_id is not None:
            raise PoolError(_("%(name)s已有登录账号，不能重复开通。") % {"name": locked.person.name})
        if User.objects.filter(username=username).exists():
            raise PoolError(_("登录名%(username)s已被其他账号使用，请联系自治区人社厅处理。") % {"username": username})
        password = "".join(secrets.choice(LOGIN_ALPHABET) for _position in range(LOGIN_PASSWORD_LENGTH))
        person = locked.person
        user = User(username=username, role=Role.EXPERT, first_name=person.name[:150], phone=person.phone, email=person.email)
        user.set_password(password)
        user.save()
        locked.user = expert.user = user
        locked.save(update_fields=["user"])
        audit("expert.login_create", expert, actor=actor, after={"user": user.pk, "username": username},
              summary=f"为评委库专家{person.name}开通登录账号{username}（初始密码只显示一次；动态口令由本人首次登录时绑定）")
    return user, password


# ---- filing the pool with the region (七（二）) -----------------------------------------------

def filing_snapshot(committee: Committee) -> list[dict]:
    rows = []
    for expert in pool_of(committee):
        attrs = attributes(expert, committee)
        rows.append({
            "id": expert.draw_id, "name": expert.person.name, "unit": expert.unit.name, "title": expert.title_name,
            "specialty": attrs["specialty_group"], "grassroots": attrs["grassroots"], "private_sector": attrs["private_sector"],
            "region": attrs["region"], "available": expert.available,
        })
    return rows


def file_pool(committee: Committee, year: int, actor) -> PoolFiling:
    if not is_office_of_committee(actor, committee):
        raise PoolError(_("只有本评委会办事机构可以报送评委库。"))
    rows = filing_snapshot(committee)
    if not rows:
        raise PoolError(_("评委库中还没有专家。"))
    with transaction.atomic():
        filing = PoolFiling.objects.create(committee=committee, year=year, snapshot=rows, sha256=sha256_hex(rows),
                                           filed_by=actor, filed_at=clock.now())
        audit("pool.file", filing, actor=actor, after={"experts": len(rows), "sha256": filing.sha256},
              summary=f"{committee.name}报送{year}年评委库（{len(rows)}人）")
    return filing


def acknowledge_filing(filing: PoolFiling, actor) -> PoolFiling:
    if actor.role != Role.REGIONAL_HR_DEPARTMENT:
        raise PoolError(_("评委库由自治区人社厅备案。"))
    with transaction.atomic():
        # Locked and read again: of two acknowledgements at the same moment only the first counts.
        filing.refresh_from_db(from_queryset=PoolFiling.objects.select_for_update())
        if filing.acknowledged_at:
            raise PoolError(_("该评委库报送已备案。"))
        filing.acknowledged_by, filing.acknowledged_at = actor, clock.now()
        filing.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit("pool.acknowledge", filing, actor=actor, after={"sha256": filing.sha256}, summary=f"{filing.committee.name}{filing.year}年评委库备案")
    return filing


# ---- import from Excel ----------------------------------------------------------------------

COLUMNS = {
    "id_number": ("身份证号码", "身份证号"),
    "name": ("姓名",),
    "unit": ("工作单位", "工作单位（名称或统一社会信用代码）"),
    "series": ("系列",),
    "specialty": ("专业",),
    "title_name": ("职称", "职称名称"),
    "title_obtained_on": ("职称取得时间", "取得时间"),
    "certificate_number": ("证书编号",),
    "committee": ("评委库", "评委会"),
    "served": ("担任评委年度",),
    "available": ("可参加评审",),
    "phone": ("手机号",),
    "relatives": ("回避亲属",),
    "former_units": ("曾工作单位",),
}
REQUIRED = ("id_number", "name", "unit", "series", "title_name", "title_obtained_on")
# The longest name and certificate number the archive keeps (Person.name, TitleHeld.certificate_number).
TEXT_LIMITS = {"name": Person._meta.get_field("name").max_length,
               "certificate_number": TitleHeld._meta.get_field("certificate_number").max_length}
FIRST_SERVICE_YEAR = 1980  # as ServiceYearForm: no pool is older
LABEL = {name: labels[0] for name, labels in COLUMNS.items()}
SPLIT = re.compile(r"[；;\n]+")


@dataclass
class ImportRow:
    number: int
    id_number: str
    name: str
    unit: Organisation
    series: Series
    specialty: Specialty | None
    title: TitleName
    title_obtained_on: dt.date
    certificate_number: str
    committee: Committee
    served: list[int]
    available: bool
    phone: str
    relatives: list[tuple[str, str, str]]  # relationship, name, id number
    former_units: list[tuple[Organisation, dt.date | None, dt.date]]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    return dt.date.fromisoformat(text)


class _Lookups:
    """Units, series, specialties, titles and committees, read once per import."""

    def __init__(self):
        units = list(Organisation.objects.filter(kind=OrgKind.UNIT))
        self.units = {u.name: u for u in units} | {u.credit_code: u for u in units if u.credit_code}
        series = list(Series.objects.all())
        self.series = {s.name: s for s in series} | {s.code: s for s in series}
        self.specialties = {(s.series_id, s.name): s for s in Specialty.objects.all()}
        self.titles = {(t.series_id, t.name): t for t in TitleName.objects.all()}
        self.committees = {c.name: c for c in Committee.objects.all()}


def _date_problems(day: dt.date | None, birth: dt.date | None) -> list[str]:
    """A date of the expert's working life: not after today, nor before they were old enough to work
    (by the birth date in the 身份证 number); said after the cell's name, as the import's other problems."""
    today, problems = clock.today(), []
    if day is None:
        return problems
    if day > today:
        problems.append(_("%(day)s晚于今天（%(today)s），请核对") % {"day": f"{day:%Y-%m-%d}", "today": f"{today:%Y-%m-%d}"})
    if birth is not None and day < years_after(birth, MIN_AGE):
        problems.append(_("%(day)s早于该专家年满%(age)d周岁之日（%(limit)s，按身份证号码中的出生日期），请核对") % {
            "day": f"{day:%Y-%m-%d}", "age": MIN_AGE, "limit": f"{years_after(birth, MIN_AGE):%Y-%m-%d}"})
    return problems


def _parse_row(row, lookups: _Lookups, allowed_committees: dict[int, Committee], default_committee) -> tuple[ImportRow | None, list[str]]:
    v = {name: row.values.get(name) for name in COLUMNS}
    errors = []

    def err(column: str, message: str):
        errors.append(_("第%(row)d行“%(column)s”：%(message)s") % {"row": row.number, "column": LABEL[column], "message": message})

    # Every cell is checked, an empty required one too: the page lists all the problems of the file at once.
    empty = {name for name in REQUIRED if not _text(v[name])}
    for name in REQUIRED:
        if name in empty:
            err(name, _("不能为空"))
    for name in ("name", "certificate_number"):
        # Longer than the archive keeps: said here, with the row, rather than refused by the database.
        length, limit = len(_text(v[name])), TEXT_LIMITS[name]
        if length > limit:
            err(name, _("有%(length)d个字符，超过了%(limit)d个字符的上限") % {"length": length, "limit": limit})
    id_number, birth = "", None
    if "id_number" not in empty:
        try:
            id_number = normalise_id_number(_text(v["id_number"]))
            birth = birth_date_from_id(id_number)
        except ValidationError as exc:
            err("id_number", "；".join(exc.messages))
    unit = series = None
    if "unit" not in empty:
        unit = lookups.units.get(_text(v["unit"]))
        if unit is None:
            err("unit", _("系统中没有名称或统一社会信用代码为“%(unit)s”的用人单位") % {"unit": _text(v["unit"])})
    if "series" not in empty:
        series = lookups.series.get(_text(v["series"]))
        if series is None:
            err("series", _("没有“%(series)s”系列") % {"series": _text(v["series"])})
    specialty = title = None
    if series is not None:
        if _text(v["specialty"]):
            specialty = lookups.specialties.get((series.pk, _text(v["specialty"])))
            if specialty is None:
                err("specialty", _("%(series)s系列没有“%(specialty)s”专业") % {"series": _(series.name), "specialty": _text(v["specialty"])})
        if "title_name" not in empty:
            title = lookups.titles.get((series.pk, _text(v["title_name"])))
            if title is None:
                err("title_name", _("%(series)s系列没有“%(title)s”这一职称") % {"series": _(series.name), "title": _text(v["title_name"])})
            elif title.level not in SENIOR_LEVELS:
                err("title_name", _("评委须具有副高级以上职称"))
    obtained = None
    if "title_obtained_on" not in empty:
        try:
            obtained = _date(v["title_obtained_on"])
        except ValueError:
            err("title_obtained_on", _("应为日期，如 2015-12-01"))
        else:
            for message in _date_problems(obtained, birth):
                err("title_obtained_on", message)
    committee_name = _text(v["committee"])
    if committee_name:
        committee = lookups.committees.get(committee_name)
        if committee is None or committee.pk not in allowed_committees:
            err("committee", _("“%(committee)s”不是您可以维护的评委库") % {"committee": committee_name})
            committee = None
    elif default_committee is not None:
        committee = default_committee
    else:
        err("committee", _("请填写评委库（评委会名称）"))
        committee = None
    if committee is not None and series is not None and committee.series_id != series.pk:
        err("committee", _("%(committee)s评审%(its)s系列，专家为%(series)s系列")
                % {"committee": committee.name, "its": _(committee.series.name), "series": _(series.name)})
    served, this_year = [], clock.today().year
    for token in re.split(r"[、,，\s]+", _text(v["served"])):
        # Each year with the real reason it is refused: not a year, a year to come, a year before any pool.
        if not token:
            continue
        if not token.isdigit():
            err("served", _("“%(token)s”不是年份") % {"token": token})
        elif int(token) > this_year:
            err("served", _("%(year)d年晚于今年（%(this)d年），担任评委的年度不能是将来的年度，请核对") % {"year": int(token), "this": this_year})
        elif int(token) < FIRST_SERVICE_YEAR:
            err("served", _("%(year)d年早于%(first)d年，请核对") % {"year": int(token), "first": FIRST_SERVICE_YEAR})
        else:
            served.append(int(token))
    available_text = _text(v["available"]) or "是"
    if available_text not in ("是", "否"):
        err("available", _("请填“是”或“否”"))
    phone = _text(v["phone"])
    if phone and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
        err("phone", _("“%(phone)s”不是手机号，请填写以1开头的11位数字") % {"phone": phone})

    def triples(column: str, form: str):
        """The ``a:b:c；…`` items of a list cell with their three parts; any other item is an error."""
        for item in SPLIT.split(_text(v[column])):
            if not item.strip():
                continue
            parts = [p.strip() for p in re.split(r"[:：]", item)]
            if len(parts) != 3:
                err(column, form % {"item": item})
                continue
            yield item, parts

    relatives = []
    for item, parts in triples("relatives", _("“%(item)s”应写成 关系:姓名:身份证号码")):
        if problem := name_problem(parts[1]):
            err("relatives", _("“%(item)s”：%(problem)s") % {"item": item, "problem": problem})
            continue
        try:
            relatives.append((parts[0], parts[1], normalise_id_number(parts[2])))
        except ValidationError:
            err("relatives", _("“%(number)s”不是有效的身份证号码") % {"number": parts[2]})
    former = []
    for item, parts in triples("former_units", _("“%(item)s”应写成 单位名称:起始日期:离开日期")):
        former_unit = lookups.units.get(parts[0])
        if former_unit is None:
            err("former_units", _("系统中没有用人单位“%(unit)s”") % {"unit": parts[0]})
            continue
        try:
            start = _date(parts[1]) if parts[1] else None
            end = _date(parts[2])
        except ValueError:
            err("former_units", _("“%(item)s”中的日期应写成 2015-03-01") % {"item": item})
            continue
        problems = [_("“%(item)s”中的%(what)s%(problem)s") % {"item": item, "what": what, "problem": problem}
                    for what, day in ((_("起始日期"), start), (_("离开日期"), end)) for problem in _date_problems(day, birth)]
        if start and end and end < start:
            problems.append(_("“%(item)s”中的离开日期早于起始日期") % {"item": item})
        for problem in problems:
            err("former_units", problem)
        former.append((former_unit, start, end))
    if errors:
        return None, errors
    return ImportRow(
        number=row.number, id_number=id_number, name=_text(v["name"]), unit=unit, series=series, specialty=specialty,
        title=title, title_obtained_on=obtained, certificate_number=_text(v["certificate_number"]), committee=committee,
        served=served, available=available_text == "是", phone=phone, relatives=relatives, former_units=former,
    ), []


MAX_IMPORT_ROWS = 2000


def import_experts(source, actor) -> ImportReport:
    """Read every row; import all of them in one transaction, or none when any row has an error."""
    from zhicheng.documents.excel import WorkbookUnreadable, read_rows

    report = ImportReport()
    if not can_manage(actor):
        report.errors.append(_("只有评委会办事机构或自治区人社厅可以导入评委库。"))
        return report
    try:
        # Inside the request: at most 2,000 experts a file (a pool is a few hundred), read whole within 30 s.
        missing, rows = read_rows(source, COLUMNS, max_rows=MAX_IMPORT_ROWS, seconds=30)
        rows = list(rows)
    except WorkbookUnreadable as exc:
        report.errors.append(str(exc))
        return report
    missing_required = [LABEL[name] for name in REQUIRED if name in missing]
    if missing_required:
        report.errors.append(_("表头缺少以下列：%(columns)s") % {"columns": enumeration(missing_required)})
        return report
    lookups = _Lookups()
    allowed = {c.pk: c for c in committees_for(actor)}
    default = next(iter(allowed.values())) if actor.role == Role.COMMITTEE_OFFICE and len(allowed) == 1 else None
    parsed, seen = [], {}
    for row in rows:
        item, errors = _parse_row(row, lookups, allowed, default)
        report.errors += errors
        if item is not None:
            key = (item.id_number, item.committee.pk)
            if key in seen:
                report.errors.append(_("第%(row)d行与第%(first)d行是同一专家、同一评委库") % {"row": row.number, "first": seen[key]})
            seen[key] = row.number
            parsed.append(item)
    if not parsed and not report.errors:
        report.errors.append(_("表中没有数据行。"))
        return report
    # The rows that read well are written even when others did not, each in a savepoint of its own, so that
    # what the archive says against a row is listed too; any problem anywhere rolls everything back.
    try:
        with transaction.atomic():
            for item in parsed:
                try:
                    with transaction.atomic():
                        created = _write(item, actor)
                except PoolError as exc:
                    report.errors += exc.messages
                    continue
                report.created += created
                report.updated += not created
            if report.errors:
                raise _NothingImported
            audit("pool.import", None, actor=actor, object_type="review.expert", object_id="import",
                  after={"created": report.created, "updated": report.updated},
                  summary=f"导入评委库：新增{report.created}人，更新{report.updated}人")
    except _NothingImported:
        report.created = report.updated = 0
    return report


class _NothingImported(Exception):
    """Rolls back an import in which some row has a problem."""


def _write(item: ImportRow, actor) -> bool:
    """One row: the person (only when new, with the title record the row states), the expert, pool
    membership, years, relations; one audit entry naming the row.

    A person already in the system keeps their archive exactly as it is: title records are eligibility
    facts (an applicant's own, or ones the system issued), so a workbook can never add or change one.
    Such a person joins the pool only when their archive already holds the title the row states; the
    expert's title is then read from that archive as always (apply_title)."""
    where = _("第%(row)d行") % {"row": item.number}  # in messages; the audit summary keeps Chinese
    person = Person.objects.filter(id_number=item.id_number).first()
    new_person, title_record = person is None, None
    if new_person:
        person = Person.objects.create(name=item.name, id_number=item.id_number, unit=item.unit, phone=item.phone)
        title_record = TitleHeld.objects.create(
            person=person, series=item.series.code, level=item.title.level, title_name=item.title.name,
            obtained_on=item.title_obtained_on, certificate_number=item.certificate_number, issued_by="（评委库导入）")
    elif person.name != item.name:
        raise PoolError(_("%(where)s：身份证号码%(number)s在系统中登记的姓名为%(known)s，与“%(name)s”不符")
                        % {"where": where, "number": item.id_number, "known": person.name, "name": item.name})
    elif not TitleHeld.objects.filter(person=person, series=item.series.code, level=item.title.level).exists():
        raise PoolError(_("%(where)s：%(name)s已在系统中建有档案，档案中没有%(series)s系列%(level)s的职称记录，与表中的“%(title)s”不符。"
                          "导入不会修改已有人员的档案：请核对表中的职称，或由本人在档案中登记该职称（附证书）后再导入。")
                        % {"where": where, "name": person.name, "series": _(item.series.name),
                           "level": _(item.title.get_level_display()), "title": item.title.name})
    expert = Expert.objects.filter(person=person).first()
    created = expert is None
    if expert is None:
        expert = Expert(person=person)
    elif expert.series_id != item.series.pk:
        raise PoolError(_("%(where)s：%(name)s已在%(series)s系列评委库中")
                        % {"where": where, "name": item.name, "series": _(expert.series.name)})
    before = None if created else _state(expert)
    expert.unit, expert.series, expert.specialty = item.unit, item.series, item.specialty
    expert.available = item.available
    expert.unavailable_reason = "" if item.available else (expert.unavailable_reason or "导入时标注不能参加")
    expert.person = person  # its title records are read fresh: they are not prefetched
    try:
        apply_title(expert)
    except PoolError as exc:
        raise PoolError(_("%(where)s：%(message)s") % {"where": where, "message": exc.messages[0]}) from exc
    expert.save()
    expert.committees.add(item.committee)
    for year in item.served:
        ServiceYear.objects.get_or_create(expert=expert, committee=item.committee, year=year)
    for relationship, name, id_number in item.relatives:
        ExpertRelation.objects.get_or_create(expert=expert, kind=RelationKind.RELATIVE, relative_id_number=id_number,
                                             defaults={"relative_name": name, "relationship": relationship})
    for unit, start, end in item.former_units:
        ExpertRelation.objects.get_or_create(expert=expert, kind=RelationKind.FORMER_UNIT, former_unit=unit, ended_on=end,
                                             defaults={"started_on": start})
    audit("expert.import", expert, actor=actor, before=before,
          after=_state(expert) | {"row": item.number, "person": person.pk, "new_person": new_person,
                                  "title_record": getattr(title_record, "pk", None), "served": item.served},
          summary=f"{'新增' if created else '更新'}评委库专家{person.name}（第{item.number}行"
                  f"{'，新建人员档案' if new_person else '，已有人员档案未改动'}）")
    return created


def template_workbook() -> bytes:
    from zhicheng.documents.excel import write_workbook

    header = [LABEL[name] for name in COLUMNS]
    example = ["150121197001011230", "张三", "内蒙古自治区建筑勘察设计研究院", "工程", "土木工程", "正高级工程师", "2015-12-01",
               "NMG2015001", "", "2019、2020", "是", "13900000000", "配偶:李四:150121197203041243",
               "包头钢铁（集团）有限责任公司:2010-01-01:2018-06-30"]
    return write_workbook([("评委库", header, [example])])

