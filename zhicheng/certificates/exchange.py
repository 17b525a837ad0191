"""七（五）4: certificates earned in another province, a central unit or the army, checked by
the competent HR body and exchanged for a region e-certificate that records the original."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhicheng.accounts.roles import Role
from zhicheng.audit.services import record as audit
from zhicheng.catalogue.models import SENIOR_LEVELS
from zhicheng.core import clock
from zhicheng.people.models import Person, TitleHeld, TitleVia

from .models import Certificate, CertificateKind, ExchangeOrigin, ExchangeRequest, ExchangeStatus
from .numbering import next_certificate_number
from .services import CertificateError, new_check_code, seal
from .signals import announce


def competent_body_for(person, level: str):
    """Senior titles: the region; others: the league/city bureau where the person works (七（五）4, by 管理权限)."""
    from zhicheng.declarations.holders import NoHolder, bureau_of, regional_hr_department
    from zhicheng.orgs.models import AreaLevel

    if level in SENIOR_LEVELS or person.unit is None:
        return regional_hr_department()
    try:
        return bureau_of(person.unit.area, AreaLevel.LEAGUE_CITY)
    except NoHolder:
        return regional_hr_department()


def file_exchange(*, actor, origin: str, original_issuer: str, original_number: str, original_committee: str, series,
                  level: str, title_name: str, specialty: str, obtained_on, evidence, person=None) -> ExchangeRequest:
    """The holder files for themself (the page); an HR bureau, for someone working in its area, or the regional
    department files for ``person`` (the v1 API, zhicheng/collection/exchange_in.py)."""
    if person is None:
        if actor.role != Role.APPLICANT or actor.person_id is None:
            raise CertificateError(_("换发申请由持证人本人提出。"))
        person = actor.person
    elif actor.role == Role.HR_BUREAU:
        area = actor.organisation.area
        if person.unit is None or not person.unit.area.path.startswith(area.path):
            raise CertificateError(_("持证人的工作单位不在%(body)s的管辖范围内，应由其工作单位所在地的人社部门或自治区人力资源和社会保障厅提交（七（五）4）。")
                                   % {"body": actor.organisation.name})
    elif actor.role != Role.REGIONAL_HR_DEPARTMENT:
        raise CertificateError(_("代持证人提交换发申请的，只能是人力资源和社会保障部门。"))
    if Certificate.objects.filter(person=person, original__number=original_number.strip()).exists():
        raise CertificateError(_("该证书已换发过电子证书。"))
    with transaction.atomic():
        req = ExchangeRequest.objects.create(
            person=person, origin=origin, original_issuer=original_issuer.strip(), original_number=original_number.strip(),
            original_committee=original_committee.strip(), series=series, level=level, title_name=title_name.strip(),
            specialty=specialty.strip(), obtained_on=obtained_on, evidence=evidence,
            competent_body=competent_body_for(person, level), submitted_at=clock.now(),
        )
        audit("exchange.file", req, actor=actor, after={"original_number": req.original_number, "competent_body": req.competent_body_id,
                                                        "person": person.pk, "filed_by_holder": actor.person_id == person.pk},
              summary=f"{person.name}申请换发区外职称证书（{req.original_issuer}）"
                      + ("" if actor.person_id == person.pk else f"，由{actor.organisation.name if actor.organisation else actor}代为提交"))
    return req


def may_decide(actor, req: ExchangeRequest) -> bool:
    """The competent body's staff decide; a supervisor in the same department only reads."""
    return not actor.read_only and actor.organisation_id == req.competent_body_id


def approve_exchange(req: ExchangeRequest, actor, *, document_number: str, note: str = "") -> Certificate:
    if not may_decide(actor, req):
        raise CertificateError(_("该申请应由%(body)s核准（七（五）4）。") % {"body": req.competent_body.name})
    if not document_number.strip():
        raise CertificateError(_("请填写核准文号。"))
    now = clock.now()
    body = req.competent_body
    with transaction.atomic():
        _lock_submitted(req)
        # The holder's row serialises approvals of two requests for one original certificate (filed twice).
        Person.objects.select_for_update().filter(pk=req.person_id).first()
        if Certificate.objects.filter(person_id=req.person_id, original__number=req.original_number).exists():
            raise CertificateError(_("该证书已换发过电子证书。"))
        number = next_certificate_number(body.area.code, now.year, req.level, req.series)
        held = TitleHeld.objects.create(
            person=req.person, series=req.series.code, level=req.level, title_name=req.title_name, obtained_on=req.obtained_on,
            via=TitleVia.REVIEW, certificate_number=number, issued_by=f"{req.original_issuer}（{body.name}换发）",
        )
        cert = seal(Certificate(
            number=number, kind=CertificateKind.EXCHANGE, person=req.person, title_held=held, holder_name=req.person.name,
            id_number=req.person.id_number, series=req.series, series_name=req.series.name, specialty=req.specialty,
            title_name=req.title_name, level=req.level, committee_name=req.original_committee,
            approval_document_number=document_number.strip(), approval_date=req.obtained_on, issuer=body, issuer_name=body.name,
            issued_on=now.date(), check_code=new_check_code(),
            original={"origin": req.origin, "origin_label": ExchangeOrigin(req.origin).label, "issuer": req.original_issuer,
                      "number": req.original_number, "obtained_on": req.obtained_on.isoformat(), "evidence_sha256": req.evidence.sha256},
        ))
        cert.save()
        announce([cert.number])
        req.status, req.decided_by, req.decided_at, req.decision_note, req.certificate = ExchangeStatus.APPROVED, actor, now, note[:200], cert
        req.save()
        audit("exchange.approve", req, actor=actor, after={"certificate": number, "document_number": document_number},
              summary=f"核准换发职称电子证书 {number}：{req.person.name} {req.title_name}")
    return cert


def gives_refusal_reason(note: str) -> bool:
    """Whether a refusal's note says why (a few characters at least): without one it is not taken."""
    return len(note.strip()) >= 4


def reject_exchange(req: ExchangeRequest, actor, *, note: str) -> ExchangeRequest:
    if not may_decide(actor, req):
        raise CertificateError(_("该申请应由%(body)s办理。") % {"body": req.competent_body.name})
    if not gives_refusal_reason(note):
        raise CertificateError(_("请写明不予换发的理由。"))
    with transaction.atomic():
        _lock_submitted(req)
        req.status, req.decided_by, req.decided_at, req.decision_note = ExchangeStatus.REJECTED, actor, clock.now(), note.strip()[:200]
        req.save()
        audit("exchange.reject", req, actor=actor, after={"note": req.decision_note}, summary=f"不予换发：{req.decision_note}")
    return req


def _lock_submitted(req: ExchangeRequest) -> None:
    """Lock the request's row and read it again: of an approval and a refusal made at the same moment
    only the first counts (no certificate issued for a request refused meanwhile)."""
    req.refresh_from_db(from_queryset=ExchangeRequest.objects.select_for_update())
    if req.status != ExchangeStatus.SUBMITTED:
        raise CertificateError(_("该申请已办理。"))
