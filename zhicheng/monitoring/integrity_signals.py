"""Integrity signals (八（三）学术造假): what the stored data shows and no clerk checking one dossier can see.

Each finder returns ``Signal``s with their evidence (who, which files or records, links a supervisor may open).
They are hints that guide spot checks, never findings: the supervision helper weights its lottery by them
(``weights_for``), and a person checks. Every finder costs a fixed number of queries, whatever the data:
the grouping is done by the database where it can (shared files) or over one query's rows (normalised numbers
and titles, which SQL cannot normalise the same way on SQLite and PostgreSQL).

The signals and their weights (``SIGNAL_WEIGHTS``; see docs/supervision.md):

- ``shared_file`` (3): one stored file (the same SHA-256) in the submitted declarations of two or more people,
  as a material or as the evidence of an archive record the declaration went up with.
- ``overclaimed_work`` (3): one paper (normalised title + venue + year) claimed by more people than it can name:
  two people at the same author position, a sole author and anyone else, or more claimants than an
  author count written in the authorship (“2/3”, “共3人”). The archive holds no DOI, ISSN or author list, so
  title and venue are what identify the work; awards and patents hold no count of winners or inventors and
  no certificate number, so they are not judged.
- ``certificate_reused`` (3): one certificate number (normalised) in the records of two or more people:
  titles held, qualifications, exchange requests' original certificates, and the region's own certificates.
- ``rubber_stamp`` (1): an employer that approved every declaration it checked in the year, at least
  ``RUBBER_STAMP_MIN`` of them, each within ``RUBBER_STAMP_MINUTES`` minutes of its arrival (六（一）: the unit
  checks and publicises; minutes are too few for that).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhicheng.accounts.roles import Role
from zhicheng.declarations.models import Application, ApplicationEvent, ApplicationMaterial, SelectedRecord
from zhicheng.declarations.states import State
from zhicheng.people.models import ARCHIVE_MODELS, Person, Publication, Qualification, TitleHeld

SHARED_FILE = "shared_file"
OVERCLAIMED_WORK = "overclaimed_work"
CERTIFICATE_REUSED = "certificate_reused"
RUBBER_STAMP = "rubber_stamp"

SIGNAL_LABELS = {
    SHARED_FILE: _("同一文件出现在不同人员的申报中"),
    OVERCLAIMED_WORK: _("同一论文的申报人数超过其可署名人数"),
    CERTIFICATE_REUSED: _("同一证书编号出现在不同人员名下"),
    RUBBER_STAMP: _("用人单位在申报到达后数分钟内全部审核通过"),
}

# Integer weights each signal adds to the declarations (and certificates) it names; see weights_for.
SIGNAL_WEIGHTS = {SHARED_FILE: 3, OVERCLAIMED_WORK: 3, CERTIFICATE_REUSED: 3, RUBBER_STAMP: 1}

RUBBER_STAMP_MIN = 5
RUBBER_STAMP_MINUTES = 10


@dataclass(frozen=True)
class Evidence:
    label: str
    url: str = ""


@dataclass
class Signal:
    code: str
    summary: str
    person_ids: frozenset[int] = frozenset()
    application_ids: frozenset[int] = frozenset()
    unit_id: int | None = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def label(self):
        return SIGNAL_LABELS[self.code]

    @property
    def weight(self) -> int:
        return SIGNAL_WEIGHTS[self.code]


def _declaration_link(app_id: int) -> str:
    return reverse("application_detail", args=[app_id])


# ---- the same file in two people's declarations -----------------------------------------------------------
def _file_uses_sql() -> str:
    """(file_id, application_id) of every file a submitted declaration went up with: its materials, and the
    evidence of the archive records it froze (SelectedRecord, version > 0)."""
    selected = SelectedRecord._meta.db_table
    # A material counts once it went up with a submitted version (not a file added while correcting, until resubmitted).
    parts = [
        f"SELECT m.file_id AS file_id, m.application_id AS application_id FROM {ApplicationMaterial._meta.db_table} m "  # nosec B608 - table names from the models' meta, no input
        f"JOIN {Application._meta.db_table} ma ON ma.id = m.application_id AND m.first_version <= ma.version",
    ]
    for kind, model in ARCHIVE_MODELS.items():
        evidence = model._meta.get_field("evidence")
        through = evidence.remote_field.through._meta.db_table
        parts.append(
            f"SELECT e.{evidence.m2m_reverse_name()} AS file_id, s.application_id AS application_id FROM {through} e "  # nosec B608 - table/column names from the models' meta; kind from ARCHIVE_MODELS
            f"JOIN {selected} s ON s.record_id = e.{evidence.m2m_column_name()} AND s.kind = '{kind}' AND s.version > 0"
        )
    return " UNION ".join(parts)


def shared_files(year: int | None = None) -> list[Signal]:
    """One stored file in the submitted declarations of two or more different people."""
    apps = Application._meta.db_table
    plans = Application._meta.get_field("plan").related_model._meta.db_table
    year_filter, params = ("AND p.year = %s", [year]) if year is not None else ("", [])
    sql = (
        f"WITH uses AS ({_file_uses_sql()}), "  # nosec B608 - table names from the models' meta; the year is a parameter
        f"people AS (SELECT u.file_id, u.application_id, a.person_id FROM uses u "
        f"JOIN {apps} a ON a.id = u.application_id JOIN {plans} p ON p.id = a.plan_id "
        f"WHERE a.submitted_at IS NOT NULL {year_filter}) "
        f"SELECT file_id, application_id, person_id FROM people WHERE file_id IN "
        f"(SELECT file_id FROM people GROUP BY file_id HAVING COUNT(DISTINCT person_id) > 1) "
        f"ORDER BY file_id, application_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    by_file: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for file_id, app_id, person_id in rows:
        by_file[file_id].add((app_id, person_id))
    from zhicheng.files.models import StoredFile

    files = StoredFile.objects.in_bulk(list(by_file))
    app_ids = {app_id for uses in by_file.values() for app_id, _person in uses}
    applications = Application.objects.select_related("person", "unit").in_bulk(list(app_ids))
    signals = []
    for file_id, uses in sorted(by_file.items()):
        stored = files[file_id]
        used = sorted((applications[app_id] for app_id, _person in uses), key=lambda a: a.pk)
        names = "、".join(sorted({a.person.name for a in used}))
        evidence = [Evidence(f"{stored.original_name}（SHA-256 {stored.sha256[:16]}…）",
                             reverse("application_file", args=[used[0].pk, stored.sha256]))]
        evidence += [Evidence(f"{a.person.name}（{a.unit.name}）的申报", _declaration_link(a.pk)) for a in used]
        signals.append(Signal(
            SHARED_FILE, f"{stored.original_name}：{names}的申报中是同一文件",
            person_ids=frozenset(a.person_id for a in used), application_ids=frozenset(a.pk for a in used),
            evidence=evidence,
        ))
    return signals


# ---- one paper claimed by more people than it names ------------------------------------------------------
_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
SOLE = 0  # the position of a sole author


def normalised_text(value: str) -> str:
    """Full-width to half-width, case, spaces and punctuation folded: 《A-B》 and “a b” are the same title."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", value or "").casefold())


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _CHINESE_DIGITS.get(token)


def authorship_claim(text: str) -> tuple[int | None, int | None]:
    """(position, count) read from the authorship as people write it: 第一作者, 第2作者, 独著/独立作者 (position 0,
    count 1), 2/3 (second of three), 共3人. Unknown parts are None (通讯作者 names no position)."""
    value = unicodedata.normalize("NFKC", text or "").replace(" ", "")
    if not value:
        return None, None
    if any(word in value for word in ("独著", "独立", "唯一作者", "独撰", "sole")):
        return SOLE, 1
    position = count = None
    if m := re.search(r"(\d+)/(\d+)", value):
        position, count = int(m.group(1)), int(m.group(2))
    elif m := re.search(r"第([\d一二三四五六七八九十])(?:作者|位|名)", value):
        position = _number(m.group(1))
    elif m := re.search(r"^(\d+)$", value):
        position = int(m.group(1))
    if m := re.search(r"共(\d+)(?:人|名|位)", value):
        count = int(m.group(1))
    return position, count


def _declared_records(kind: str, year: int | None) -> set[tuple[int, int]]:
    """(record_id, application_id) of the records of one archive kind that submitted declarations (of the year) went up with."""
    selected = SelectedRecord.objects.filter(kind=kind, version__gt=0, application__submitted_at__isnull=False)
    if year is not None:
        selected = selected.filter(application__plan__year=year)
    return set(selected.values_list("record_id", "application_id"))


def overclaimed_works(year: int | None = None) -> list[Signal]:
    pairs = _declared_records("publication", year)
    if not pairs:
        return []
    apps_of: dict[int, set[int]] = defaultdict(set)
    for record_id, app_id in pairs:
        apps_of[record_id].add(app_id)
    works: dict[tuple, list] = defaultdict(list)
    fields = ("pk", "person_id", "person__name", "title", "venue", "published_on", "authorship")
    for row in Publication.objects.filter(pk__in=list(apps_of)).values_list(*fields):
        pk, person_id, name, title, venue, published_on, authorship = row
        works[(normalised_text(title), normalised_text(venue), published_on.year)].append(row)
    signals = []
    for key, claims in works.items():
        people = {c[1] for c in claims}
        if len(people) < 2:
            continue
        reasons = []
        by_position: dict[int, set[int]] = defaultdict(set)
        counts = []
        for _pk, person_id, _name, _title, _venue, _on, authorship in claims:
            position, count = authorship_claim(authorship)
            if position is not None:
                by_position[position].add(person_id)
            if count is not None:
                counts.append(count)
        if by_position.get(SOLE):
            reasons.append("有人以独著/独立作者申报")
        reasons += [f"{len(who)}人均称第{position}作者" for position, who in sorted(by_position.items()) if position and len(who) > 1]
        if counts and len(people) > min(counts):
            reasons.append(f"署名共{min(counts)}人，申报{len(people)}人")
        if not reasons:
            continue
        claims.sort(key=lambda c: c[0])
        app_ids = sorted({a for c in claims for a in apps_of[c[0]]})
        evidence = [Evidence(f"{c[2]}：《{c[3]}》{c[4]} {c[5]:%Y.%m}，作者排序“{c[6] or '未填'}”") for c in claims]
        declared_by = {a: c[2] for c in claims for a in apps_of[c[0]]}
        evidence += [Evidence(f"{declared_by[a]}的申报", _declaration_link(a)) for a in app_ids]
        signals.append(Signal(
            OVERCLAIMED_WORK, f"《{claims[0][3]}》：" + "；".join(reasons),
            person_ids=frozenset(people), application_ids=frozenset(app_ids), evidence=evidence,
        ))
    return signals


# ---- a certificate number in two people's records -------------------------------------------------------
def normalised_number(value: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", value or "").upper())


def _certificate_numbers():
    """(normalised number, person_id, what) from every place a certificate number is recorded."""
    from zhicheng.certificates.models import Certificate, ExchangeRequest

    for pk, person_id, name, number in TitleHeld.objects.exclude(certificate_number="").values_list(
            "pk", "person_id", "title_name", "certificate_number"):
        yield normalised_number(number), person_id, f"专业技术资格“{name}”证书编号 {number}", ""
    for pk, person_id, name, number in Qualification.objects.exclude(certificate_number="").values_list(
            "pk", "person_id", "name", "certificate_number"):
        yield normalised_number(number), person_id, f"职业资格“{name}”证书编号 {number}", ""
    for pk, person_id, number in ExchangeRequest.objects.values_list("pk", "person_id", "original_number"):
        yield normalised_number(number), person_id, f"区外证书换发申请原证书编号 {number}", reverse("exchange_detail", args=[pk])
    for person_id, number in Certificate.objects.values_list("person_id", "number"):
        yield normalised_number(number), person_id, f"本区职称电子证书 {number}", ""


def reused_certificates(year: int | None = None) -> list[Signal]:
    """A certificate number in the records of two or more people. ``year``: only where one of them declared
    that year (the links go to those declarations)."""
    holders: dict[str, list] = defaultdict(list)
    for number, person_id, what, url in _certificate_numbers():
        if number:
            holders[number].append((person_id, what, url))
    shared = {number: uses for number, uses in holders.items() if len({p for p, _w, _u in uses}) > 1}
    if not shared:
        return []
    person_ids = {p for uses in shared.values() for p, _w, _u in uses}
    names = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "name"))
    declarations = Application.objects.filter(person_id__in=person_ids, submitted_at__isnull=False)
    if year is not None:
        declarations = declarations.filter(plan__year=year)
    apps_of: dict[int, list[int]] = defaultdict(list)
    for app_id, person_id in declarations.order_by("pk").values_list("pk", "person_id"):
        apps_of[person_id].append(app_id)
    signals = []
    for number, uses in sorted(shared.items()):
        people = frozenset(p for p, _w, _u in uses)
        app_ids = frozenset(a for p in people for a in apps_of.get(p, ()))
        if year is not None and not app_ids:
            continue
        evidence = [Evidence(f"{names.get(p, p)}：{what}", url) for p, what, url in uses]
        evidence += [Evidence(f"{names.get(p, p)}的申报 #{a}", _declaration_link(a)) for p in sorted(people) for a in apps_of.get(p, ())]
        signals.append(Signal(
            CERTIFICATE_REUSED, f"证书编号 {number}：" + "、".join(sorted(names.get(p, str(p)) for p in people)),
            person_ids=people, application_ids=app_ids, evidence=evidence,
        ))
    return signals


# ---- an employer that approves everything within minutes --------------------------------------------------
def rubber_stamp_employers(year: int, *, minimum: int = RUBBER_STAMP_MIN, minutes: int = RUBBER_STAMP_MINUTES) -> list[Signal]:
    """Employers that approved every declaration they checked in the year (at least ``minimum``), each within
    ``minutes`` of its latest arrival (the applicant's submission) before the check."""
    from zhicheng.orgs.models import Organisation

    events = ApplicationEvent.objects.filter(application__plan__year=year).filter(
        Q(to_state=State.SUBMITTED) | Q(from_state=State.SUBMITTED, actor_role=Role.EMPLOYER_HR))
    rows = events.order_by("application_id", "at", "pk").values_list("application_id", "application__unit_id", "to_state", "at")
    arrived: dict[int, dt.datetime] = {}
    checks: dict[int, list[tuple[int, bool, float]]] = defaultdict(list)
    for app_id, unit_id, to_state, at in rows:
        if to_state == State.SUBMITTED:
            arrived[app_id] = at
        elif app_id in arrived:
            approved = to_state == State.EMPLOYER_PUBLICITY
            checks[unit_id].append((app_id, approved, (at - arrived.pop(app_id)).total_seconds() / 60))
    flagged = {unit_id: done for unit_id, done in checks.items()
               if len({a for a, _ok, _m in done}) >= minimum and all(ok and m <= minutes for _a, ok, m in done)}
    if not flagged:
        return []
    units = Organisation.objects.in_bulk(list(flagged))
    signals = []
    for unit_id, done in sorted(flagged.items()):
        slowest = max(m for _a, _ok, m in done)
        app_ids = sorted({a for a, _ok, _m in done})
        evidence = [Evidence(f"申报 #{a}：到达后 {m:.0f} 分钟审核通过", _declaration_link(a)) for a, _ok, m in done]
        signals.append(Signal(
            RUBBER_STAMP, f"{units[unit_id].name}：{len(app_ids)}件申报全部在到达后{slowest:.0f}分钟内审核通过",
            application_ids=frozenset(app_ids), unit_id=unit_id, evidence=evidence,
        ))
    return signals


# Each signal's finder, in the order the signals page lists them.
FINDERS = ((SHARED_FILE, shared_files), (OVERCLAIMED_WORK, overclaimed_works), (CERTIFICATE_REUSED, reused_certificates),
           (RUBBER_STAMP, rubber_stamp_employers))


def all_signals(year: int) -> list[Signal]:
    return [signal for _code, find in FINDERS for signal in find(year)]


# ---- weights for the spot-check lottery ---------------------------------------------------------------------
DECLARATION_KINDS = frozenset({"declarations", "declarations_accepted", "results_filed", "applications"})
CERTIFICATE_KINDS = frozenset({"certificates", "certificates_issued"})
KEYS_PER_QUERY = 900


def weights_for(kind: str, keys: list) -> dict:
    """Integer weights ≥ 1 for a spot-check campaign's population, for the supervision helper's lottery.

    ``kind``: what is checked. For declarations (``declarations``, ``declarations_accepted``,
    ``results_filed``: keys are Application primary keys) and certificates (``certificates``,
    ``certificates_issued``: keys are Certificate primary keys) the weight is 1 + the SIGNAL_WEIGHTS of every
    signal naming the declaration (or the certificate's declaration), each signal counted once; a signal
    naming the person but not this declaration (a reused certificate number of another year) counts too.
    Any other kind (committees, expert draws …) weighs 1 for every key. Every key given has a weight; the
    same data gives the same weights, so they can be published in the campaign's record and re-checked.
    """
    keys = list(keys)
    weights = {key: 1 for key in keys}
    if not keys or kind not in DECLARATION_KINDS | CERTIFICATE_KINDS:
        return weights
    model, fields = Application, ("pk", "pk", "person_id")
    if kind in CERTIFICATE_KINDS:
        from zhicheng.certificates.models import Certificate

        model, fields = Certificate, ("pk", "application_id", "person_id")
    subject: dict = {}
    for start in range(0, len(keys), KEYS_PER_QUERY):  # SQLite takes a bounded number of parameters
        for pk, app_id, person_id in model.objects.filter(pk__in=keys[start:start + KEYS_PER_QUERY]).values_list(*fields):
            subject[pk] = (app_id, person_id)
    app_ids = sorted({app_id for app_id, _person in subject.values() if app_id})
    years: set[int] = set()
    for start in range(0, len(app_ids), KEYS_PER_QUERY):
        years |= set(Application.objects.filter(pk__in=app_ids[start:start + KEYS_PER_QUERY]).order_by().values_list("plan__year", flat=True).distinct())
    signals: list[Signal] = []
    for year in sorted(years):
        signals += all_signals(year)
    if not years:
        signals = reused_certificates()
    unique: dict[tuple, Signal] = {}
    for signal in signals:  # a reused number found for two years is one signal
        unique.setdefault((signal.code, signal.summary, signal.person_ids), signal)
    by_app: dict[int, set[int]] = defaultdict(set)
    by_person: dict[int, set[int]] = defaultdict(set)
    for index, signal in enumerate(unique.values()):
        for app_id in signal.application_ids:
            by_app[app_id].add(index)
        for person_id in signal.person_ids:
            by_person[person_id].add(index)
    weight_of = [signal.weight for signal in unique.values()]
    for key, (app_id, person_id) in subject.items():
        weights[key] = 1 + sum(weight_of[i] for i in by_app.get(app_id, set()) | by_person.get(person_id, set()))
    return weights
