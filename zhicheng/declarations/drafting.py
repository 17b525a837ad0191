"""What the applicant and the checkers do to a declaration besides moving it: the draft's own
fields, the review fee, the exam result, submission with its checklist, and the one-time
correction notice built from the standard list."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.core import clock

from .models import Application
from .states import EDITABLE_STATES, State


# Fields of the declaration the applicant fills in; the facts ones change the engine's decision.
FACT_FIELDS = ("epidemic_frontline", "epidemic_hubei_aid", "epidemic_designated_hospital", "epidemic_commended_provincial",
               "new_post_since")
DRAFT_FIELDS = ("specialty", *FACT_FIELDS, "exam_score")

# 《职称申报诚信承诺书》 (八（三）): what the applicant signs; its hash is kept with the signature.
PLEDGE_TEXT = (
    "本人郑重承诺：本人所提交的职称申报材料，包括学历、资历、专业技术资格、业绩成果、论文论著、获奖情况等，"
    "均真实、准确、完整，不存在弄虚作假、学术不端等行为。如有不实，本人自愿接受取消申报资格、撤销所取得的职称、"
    "记入职称申报评审失信黑名单（自次年起三年内不得申报评审职称）等处理，并承担相应责任。"
    "（依据《2021年全区职称改革工作安排意见》（内人社办发〔2021〕81号）八（三））"
)

# States in which the fee can still be recorded: before the employer reports (八（五）).
FEE_STATES = (State.DRAFT, State.SUBMITTED, State.EMPLOYER_PUBLICITY, State.CORRECTION_REQUESTED)

NO_FEE_FOR_RECOGNITION = gettext_noop("考核认定不需要评审，不收评审费（五（十二））。")


def _errors():
    from .services import GuardFailed, IllegalTransition

    return GuardFailed, IllegalTransition


def _is_owner(app: Application, actor) -> bool:
    return actor is not None and actor.role == Role.APPLICANT and actor.person_id == app.person_id


def is_closed_draft(app: Application, state: str | None = None) -> bool:
    """A draft of a year whose declaration period has ended (三（二））: it can never be submitted, so nothing of it
    changes any more. A declaration under correction works to its notice's own deadline (六（二）) and stays open.
    ``state``: the state as just read under a lock, where the caller has it."""
    return (state or app.state) == State.DRAFT and app.plan.declaration_closed


def closed_message(plan) -> str:
    return gettext("%(year)s年度申报已于%(deadline)s截止（三（二））：未提交的申报不能再修改、上传材料、签署承诺书或提交。") % {
        "year": plan.year, "deadline": f"{plan.declaration_deadline:%Y-%m-%d}"}


def require_open(app: Application, state: str | None = None) -> None:
    """Refuse any change to a draft of a closed year (the archive itself stays editable for other years)."""
    if is_closed_draft(app, state):
        GuardFailed, _ = _errors()
        raise GuardFailed(closed_message(app.plan))


def shown_draft_fields(app: Application) -> tuple[str, ...]:
    """The draft's fields this declaration asks for: the epidemic circumstances only in the series the rule set
    gives them to (五（八）: medical and health workers), the exam result only where the decision's route asks
    for an exam (五（二）1). A field already filled in stays, so it can be corrected."""
    from zhicheng import policy

    try:
        epidemic_series = policy.ruleset_for(app.plan.year).p("epidemic.frontline_series")
    except (policy.NoRulesetError, policy.RulesetError):
        epidemic_series = None  # no rules to go by: ask everything rather than hide a circumstance
    exam = ((app.decision or {}).get("conditions") or {}).get("exam")
    shown = []
    for name in DRAFT_FIELDS:
        if name.startswith("epidemic_") and epidemic_series is not None and app.series.code not in epidemic_series \
                and not getattr(app, name):
            continue
        if name == "exam_score" and exam != "required" and not app.exam_score:
            continue
        shown.append(name)
    return tuple(shown)


class DraftConflict(Exception):
    """The draft's fields were saved elsewhere (another tab or device) after the form was loaded."""

    def __init__(self, saved: Application):
        super().__init__("此申报已在另一个窗口或设备上修改。")
        self.saved = saved


def draft_token(app: Application) -> str:
    """A digest of the draft's fields as saved: a form carries the token of the values it was loaded with."""
    values = [str(getattr(app, Application._meta.get_field(name).attname)) for name in DRAFT_FIELDS]
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:16]


def update_draft(app: Application, actor, changes: dict, *, base: str | None = None) -> bool:
    """Save the applicant's fields as they type (autosave). Returns True when the decision was renewed.

    ``base``: the draft_token the form was loaded with. When the fields were saved elsewhere since then, nothing
    is saved and DraftConflict carries the declaration as saved (the last save must not silently win)."""
    GuardFailed, IllegalTransition = _errors()
    if not _is_owner(app, actor):
        raise IllegalTransition("只有申报人本人可以填写申报。")
    with transaction.atomic():
        saved = Application.objects.select_for_update().get(pk=app.pk)
        if saved.state not in EDITABLE_STATES:
            raise IllegalTransition("已提交的申报不能修改。")
        require_open(app, saved.state)
        if base is not None and draft_token(saved) != base:
            raise DraftConflict(saved)
        for name in (*DRAFT_FIELDS, "exam_confirmed_at"):
            attname = Application._meta.get_field(name).attname
            setattr(app, attname, getattr(saved, attname))
        changed = {name: value for name, value in changes.items()
                   if name in DRAFT_FIELDS and getattr(app, name) != value}
        if not changed:
            return False
        before = {name: getattr(app, name) for name in changed}
        for name, value in changed.items():
            setattr(app, name, value)
        fields = [name for name in changed]
        if "exam_score" in changed and app.exam_confirmed_at:
            app.exam_confirmed_at = None  # a changed result must be confirmed again
            fields.append("exam_confirmed_at")
        app.save(update_fields=[*fields, "updated_at"])
        audit("application.update_draft", app, actor=actor, before=_plain(before), after=_plain(changed),
              summary="修改申报信息：" + "、".join(Application._meta.get_field(n).verbose_name for n in changed))
    if set(changed) & set(FACT_FIELDS):
        from .screening import rescreen

        rescreen(app, actor=actor)  # an archive still to correct withdraws the decision; the workspace says why
        return True
    return False


def _plain(values: dict) -> dict:
    return {k: (getattr(v, "pk", v) if not isinstance(v, (bool, str, int, dt.date, type(None))) else v) for k, v in values.items()}


def record_fee_payment(app: Application, actor, reference: str) -> None:
    """八（五）: the review fee of the fee standard, recorded with its receipt number before the materials go up."""
    GuardFailed, IllegalTransition = _errors()
    is_employer = actor.role == Role.EMPLOYER_HR and actor.organisation_id == app.unit_id
    if not (_is_owner(app, actor) or is_employer):
        raise IllegalTransition("只有申报人本人或其所在单位可以登记缴费。")
    if app.fee_not_charged:
        raise GuardFailed(gettext(NO_FEE_FOR_RECOGNITION))
    if app.fee_paid_at:
        raise GuardFailed(f"评审费已于{app.fee_paid_at.astimezone(clock.CHINA):%Y年%m月%d日}登记缴纳。")
    if app.state not in FEE_STATES:
        raise GuardFailed("申报材料已报送，缴费应在报送材料前登记（八（五））。")
    require_open(app)  # no fee for a draft that can no longer go up
    reference = reference.strip()
    if len(reference) < 4:
        raise GuardFailed("请填写缴费凭证号（票据号或交易流水号）。")
    with transaction.atomic():
        app.fee_paid_at, app.fee_reference = clock.now(), reference[:60]
        app.save(update_fields=["fee_paid_at", "fee_reference", "updated_at"])
        audit("application.fee_paid", app, actor=actor, after={"amount": app.fee_amount, "reference": app.fee_reference},
              summary=f"登记缴纳评审费{app.fee_amount}元（凭证号{app.fee_reference}）")


def confirm_exam_result(app: Application, actor) -> None:
    """五（二）1: the checker who holds the declaration confirms the exam result it carries."""
    GuardFailed, IllegalTransition = _errors()
    if actor.role in (Role.APPLICANT, Role.EXPERT, Role.SUPERVISOR) or app.holder_id is None or app.holder_id != actor.organisation_id:
        raise IllegalTransition("只有当前办理该申报的审核部门可以核验考试成绩。")
    if not app.exam_score.strip():
        raise GuardFailed("申报人尚未填写考试成绩。")
    if app.exam_confirmed_at:
        return
    with transaction.atomic():
        app.exam_confirmed_at = clock.now()
        app.save(update_fields=["exam_confirmed_at", "updated_at"])
        audit("application.confirm_exam", app, actor=actor, after={"exam_score": app.exam_score},
              summary=f"核验考试成绩：{app.exam_score}")


def submit(app: Application, actor) -> Application:
    """Submit a draft, or resubmit after a correction notice, once every required material is there."""
    from zhicheng.people.models import ARCHIVE_MODELS, TitleHeld
    from zhicheng.people.services import FACT_KINDS

    from .checklist import checklist, missing_materials
    from .screening import screening_problems
    from .services import transition

    GuardFailed, _ = _errors()
    require_open(app)  # said first: after the deadline no missing file or record would make it go up
    # The archive's fact records are read once: the screening checks them, the checklist asks whether a title is among them.
    records = [r for kind, model in ARCHIVE_MODELS.items() if kind in FACT_KINDS for r in model.objects.filter(person_id=app.person_id)]
    problems = screening_problems(app, records)
    if problems:
        raise GuardFailed(problems)
    missing = missing_materials(app, checklist(app, holds_title=any(isinstance(r, TitleHeld) for r in records)))
    if missing:
        raise GuardFailed([f"缺少申报材料：{name}" for name in missing])
    return transition(app, "resubmit" if app.state == State.CORRECTION_REQUESTED else "submit", actor)


def correction_items(standard_ids: list[int], extra: str) -> list[str]:
    """The ticked standard deficiencies in their list order, then each line of free text."""
    from zhicheng.catalogue.models import CorrectionItem

    ticked = [c.text for c in CorrectionItem.objects.filter(pk__in=standard_ids, active=True)]
    return ticked + [line.strip() for line in extra.splitlines() if line.strip()]


def request_correction(app: Application, actor, *, standard_ids: list[int], extra: str, deadline: dt.date | None) -> Application:
    """六（二）: every deficiency at once, with a deadline, by the transition table's request_correction."""
    from .services import transition

    items = correction_items(standard_ids, extra)
    return transition(app, "request_correction", actor, payload={"items": items, "deadline": deadline})


def preview(*, person, plan, series, level: str, recommender=None) -> dict:
    """The engine's decision for a declaration not yet started: what the wizard shows as you choose."""
    from .screening import evaluate
    from .services import channel_for

    draft = Application(person=person, plan=plan, series=series, level=level, unit=person.unit,
                        channel=channel_for(person.unit), recommender=recommender)
    return evaluate(draft)  # ScreeningError, with the reasons in Chinese, when the archive cannot be read


def change_level(app: Application, actor, level: str) -> None:
    """Declare another level of the same series instead: one declaration per series and year, so a draft
    not yet submitted changes its level (records, files and pledge kept; committee, fee and the engine's
    decision follow the new level). The decision is renewed in the same transaction: a level the archive
    cannot be screened for leaves the draft as it was."""
    from zhicheng.catalogue.models import Level

    from .holders import goes_via_talent_centre
    from .screening import screen
    from .services import find_committee, review_fee

    GuardFailed, IllegalTransition = _errors()
    if not _is_owner(app, actor):
        raise IllegalTransition("只有申报人本人可以改变申报层级。")
    if app.state != State.DRAFT:
        raise IllegalTransition("已提交的申报不能改变申报层级。")
    require_open(app)
    if level == app.level:
        return
    amount = review_fee(level, app.route)
    if app.fee_paid_at and amount != app.fee_amount:
        raise GuardFailed(f"已按{app.get_level_display()}登记缴纳评审费{app.fee_amount}元，{Level(level).label}评审费为{amount}元；"
                          "请先与单位核对缴费，再改变申报层级。")
    before = {"level": app.level, "committee": app.committee_id, "fee_amount": str(app.fee_amount)}
    with transaction.atomic():
        app.level, app.fee_amount = level, amount
        app.committee = find_committee(app.series, level, app.unit)
        app.via_talent_centre = goes_via_talent_centre(app.committee, level, app.channel)
        app.save(update_fields=["level", "fee_amount", "committee", "via_talent_centre", "updated_at"])
        audit("application.change_level", app, actor=actor, before=before,
              after={"level": level, "committee": app.committee_id, "fee_amount": str(amount)},
              summary=f"改为申报{app.title_label}")
        screen(app, actor=actor)


def sign_pledge(app: Application, actor) -> None:
    """Sign the pledge while the declaration is being prepared; a submitted one keeps the signature it went up with."""
    from .services import sign_pledge as keep_signature

    _, IllegalTransition = _errors()
    if app.state not in EDITABLE_STATES:
        raise IllegalTransition("已提交的申报不能重新签署承诺书。")
    if app.pledge_signed_at:
        return
    require_open(app)
    keep_signature(app, actor, PLEDGE_TEXT)


def select_records(app: Application, actor, kind: str, record_ids: list[int]) -> None:
    """The workspace's choice of archive records (services.select_records), refused on a draft of a closed year."""
    from .services import select_records as select

    require_open(app)
    select(app, actor, kind, record_ids)
