"""Which role may open which page, declared once. Views use @page(name); the permission
tests walk this table so that no page is left untested."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .roles import AUDIT_READERS, SECOND_FACTOR_STAFF_ROLES, STAFF_ROLES, Role

EVERYONE = None  # no login needed
ANY_USER = frozenset(Role) - {Role.SYSTEM}

APPLICANT_ONLY = frozenset({Role.APPLICANT})
# The bodies whose queues hold declarations and act on them.
QUEUE_HOLDERS = frozenset({
    Role.EMPLOYER_HR, Role.COMPETENT_DEPARTMENT, Role.HR_BUREAU, Role.RECOMMENDING_BODY, Role.TALENT_SERVICE_CENTRE,
    Role.COMMITTEE_OFFICE, Role.REGIONAL_HR_DEPARTMENT,
})


def speaks_for(user, organisation_id) -> bool:
    """The account still acts for this organisation: active, working there, in a role of QUEUE_HOLDERS. What an
    account made for its organisation's systems (API keys, webhook subscriptions) stops when it no longer does."""
    return user.is_active and user.role in QUEUE_HOLDERS and user.organisation_id == organisation_id
# The bodies that publish publicities (六（一）、六（二）、六（三）).
PUBLISHERS = frozenset({Role.EMPLOYER_HR, Role.COMPETENT_DEPARTMENT, Role.HR_BUREAU, Role.COMMITTEE_OFFICE})
# The committee side (七): the offices and the region keep pools and plans, the supervisor watches.
POOL_KEEPERS = frozenset({Role.COMMITTEE_OFFICE, Role.REGIONAL_HR_DEPARTMENT})
COMMITTEE_READERS = POOL_KEEPERS | {Role.SUPERVISOR}
EXPERTS = frozenset({Role.EXPERT})
# Rectification (八（一）): who oversees, and who can be ordered to correct.
OVERSEERS = frozenset({Role.SUPERVISOR, Role.REGIONAL_HR_DEPARTMENT})
ORDERED_PARTIES = frozenset({Role.EMPLOYER_HR, Role.COMPETENT_DEPARTMENT, Role.HR_BUREAU, Role.COMMITTEE_OFFICE})
# Spot checks (八（一）): every level of HR department and the supervisor.
SPOT_CHECKERS = frozenset({Role.SUPERVISOR, Role.REGIONAL_HR_DEPARTMENT, Role.HR_BUREAU})

PAGES: dict[str, frozenset | None] = {
    "home": EVERYONE,
    "workflow_table": EVERYONE,
    "dashboard": ANY_USER,
    # An applicant's declarations are on their dashboard, an expert's in their review tasks: the list with its queue,
    # filters and bulk steps is the checkers' and overseers'.
    "application_list": ANY_USER - {Role.APPLICANT, Role.EXPERT},
    "application_detail": ANY_USER,  # the object itself is found through for_user()
    "application_act": ANY_USER - {Role.SUPERVISOR, Role.EXPERT},
    "audit_log": frozenset(AUDIT_READERS),
    "audit_checkpoints": EVERYONE,  # the signed checkpoints of the audit chain, for anyone to keep copies
    "notifications": ANY_USER,
    # —— certificates, filing and integrity (七（五）、八（三）) ——
    "certificate_verify": EVERYONE,
    "signing_key": EVERYONE,
    "api": EVERYONE,  # each endpoint checks what it serves; verification is public and rate-limited
    "my_certificates": frozenset({Role.APPLICANT}),
    "certificate_pdf": frozenset({Role.APPLICANT, Role.REGIONAL_HR_DEPARTMENT, Role.HR_BUREAU, Role.SUPERVISOR}),
    "certificate_list": frozenset({Role.REGIONAL_HR_DEPARTMENT, Role.HR_BUREAU, Role.SUPERVISOR}),
    "certificate_revoke": frozenset({Role.REGIONAL_HR_DEPARTMENT}),
    "filing_queue": frozenset({Role.COMMITTEE_OFFICE, Role.HR_BUREAU, Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR}),
    "filing_detail": frozenset({Role.COMMITTEE_OFFICE, Role.HR_BUREAU, Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR}),
    "exchange_new": frozenset({Role.APPLICANT}),
    "exchange_list": frozenset({Role.HR_BUREAU, Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR}),
    "exchange_detail": frozenset({Role.APPLICANT, Role.HR_BUREAU, Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR}),
    "exchange_evidence": frozenset({Role.APPLICANT, Role.HR_BUREAU, Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR}),
    "history_import": frozenset({Role.REGIONAL_HR_DEPARTMENT}),
    "certificate_render": frozenset({Role.REGIONAL_HR_DEPARTMENT}),  # batch rendering of PDFs, a background job
    "pledge_pdf": ANY_USER - {Role.EXPERT},
    "notifications_read": ANY_USER,
    # —— declaring and checking on the web (issue 4) ——
    "register": EVERYONE,
    "notice_index": EVERYONE,
    "notice_detail": EVERYONE,
    "public_publicity_list": EVERYONE,
    "public_publicity_detail": EVERYONE,  # the real-name objection form, no login (六（一）、八（二）3)
    "archive": APPLICANT_ONLY,
    "archive_person": APPLICANT_ONLY,
    "archive_record_new": APPLICANT_ONLY,
    "archive_record_edit": APPLICANT_ONLY,
    "archive_record_delete": APPLICANT_ONLY,
    "archive_file": APPLICANT_ONLY,
    "declare_start": APPLICANT_ONLY,
    "declare_preview": APPLICANT_ONLY,
    "declaration_edit": APPLICANT_ONLY,
    "declaration_autosave": APPLICANT_ONLY,
    "declaration_records": APPLICANT_ONLY,
    "declaration_material": APPLICANT_ONLY,
    "declaration_material_retire": APPLICANT_ONLY,
    "declaration_pledge": APPLICANT_ONLY,
    "declaration_fee": frozenset({Role.APPLICANT, Role.EMPLOYER_HR}),  # 八（五）: the unit may collect it
    "application_file": ANY_USER,  # the declaration itself is found through for_user()
    # The 评审表 and 送审表 of a submitted version: whoever sees the dossier (for_user), experts included (七（三）).
    "application_review_form": ANY_USER,
    "application_summary_form": ANY_USER,
    "application_bulk": QUEUE_HOLDERS,
    # A list's rows in a workbook, and the workbook a long list's export job made: the bodies that work on declarations.
    "application_export": QUEUE_HOLDERS,
    "application_export_file": QUEUE_HOLDERS,
    "rescreen": frozenset({Role.REGIONAL_HR_DEPARTMENT}),  # a year's declarations under the current rules, a background job
    "application_correction": frozenset({Role.COMPETENT_DEPARTMENT, Role.RECOMMENDING_BODY, Role.HR_BUREAU}),
    "application_exam_confirm": QUEUE_HOLDERS,
    "publicity_list": PUBLISHERS | {Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR},
    "publicity_detail": PUBLISHERS | {Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR},
    "publicity_close": PUBLISHERS,
    "publicity_summary_forms": PUBLISHERS | {Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR},  # 六（一）: posted in the unit
    "objection_handle": PUBLISHERS,
    # —— the committee side: pool, plan, draw, panels, meeting (七) ——
    "public_draws": EVERYONE,
    "public_draw_detail": EVERYONE,  # the published hashes and the real-name objection form
    "second_factor": ANY_USER,  # the page itself sends those who need no second factor to their dashboard
    "expert_pool": COMMITTEE_READERS,
    "expert_detail": COMMITTEE_READERS,
    "expert_act": POOL_KEEPERS,
    "expert_import": POOL_KEEPERS,
    "pool_filings": COMMITTEE_READERS,
    "pool_filing_act": POOL_KEEPERS,
    "review_plans": COMMITTEE_READERS,
    "review_plan_detail": COMMITTEE_READERS,
    "review_plan_act": POOL_KEEPERS,
    "draw_detail": COMMITTEE_READERS,
    "draw_act": frozenset({Role.COMMITTEE_OFFICE, Role.SUPERVISOR}),  # the supervisor commits and reveals its secret
    "draw_record": COMMITTEE_READERS,
    "meeting_detail": COMMITTEE_READERS,
    "meeting_act": frozenset({Role.COMMITTEE_OFFICE}),
    "minutes_pdf": COMMITTEE_READERS | EXPERTS,
    "expert_tasks": EXPERTS,
    "expert_opinion": EXPERTS,
    "ballot": EXPERTS,
    "minutes_sign": EXPERTS,
    # —— background jobs: whoever started one (or works in the organisation it was started for) ——
    "job_list": QUEUE_HOLDERS,
    "job_detail": QUEUE_HOLDERS,
    "job_progress": QUEUE_HOLDERS,
    # —— supervision: spot checks (八（一）; zhicheng/supervision) ——
    # The regional department and the HR bureaus (their own area) run campaigns (services.campaigns_for scopes them); the
    # supervisor reads them all and is the other party of every draw (commits and reveals), deciding nothing else (the
    # services refuse a read-only account). Anyone reads a campaign's publication and its record (reference numbers, no names).
    "spotcheck_list": SPOT_CHECKERS,
    "spotcheck_new": SPOT_CHECKERS,
    "spotcheck_detail": SPOT_CHECKERS,
    "spotcheck_act": SPOT_CHECKERS,
    "spotcheck_item": SPOT_CHECKERS,
    "spotcheck_evidence": SPOT_CHECKERS,
    "public_spotchecks": EVERYONE,
    "public_spotcheck_detail": EVERYONE,
    "public_spotcheck_record": EVERYONE,
    # —— rectification orders, suspensions, bulletins (八（一）; zhicheng/rectification) ——
    # The regional department gives orders anywhere and a city or county bureau in its own area, each judging the answers
    # to its orders; the supervisor reads them (the page says why it offers no form); the ordered bodies see and answer
    # their own (services.orders_for); only the department stops a committee, revokes, and drafts and publishes bulletins.
    "rectification_orders": OVERSEERS | ORDERED_PARTIES,
    "rectification_order_new": OVERSEERS | {Role.HR_BUREAU},
    "rectification_order_detail": OVERSEERS | ORDERED_PARTIES,
    "rectification_order_act": OVERSEERS | ORDERED_PARTIES,
    "rectification_evidence": OVERSEERS | ORDERED_PARTIES,
    "committee_suspend": frozenset({Role.REGIONAL_HR_DEPARTMENT}),
    "suspension_detail": OVERSEERS | {Role.COMMITTEE_OFFICE},
    "suspension_act": frozenset({Role.REGIONAL_HR_DEPARTMENT}),
    "finding_revoke": frozenset({Role.REGIONAL_HR_DEPARTMENT}),  # 复查 → 撤销职称 (八（三）) by the existing revocation
    "bulletin_list": OVERSEERS,
    "bulletin_new": frozenset({Role.REGIONAL_HR_DEPARTMENT}),
    "bulletin_edit": frozenset({Role.REGIONAL_HR_DEPARTMENT}),
    "bulletin_publish": frozenset({Role.REGIONAL_HR_DEPARTMENT}),
    "public_bulletins": EVERYONE,  # 全区通报: units' and committees' names, no person's
    "public_bulletin_detail": EVERYONE,
    "public_bulletin_pdf": EVERYONE,
    # —— plan progress and integrity signals (三（二）、八（二）4、八（三）; zhicheng/monitoring) ——
    "plan_progress": COMMITTEE_READERS,  # the region and the supervisor all committees, an office its own
    "plan_explanation_new": frozenset({Role.COMMITTEE_OFFICE}),
    "plan_explanation_detail": COMMITTEE_READERS,
    "plan_explanation_decide": frozenset({Role.REGIONAL_HR_DEPARTMENT}),
    "plan_explanation_evidence": COMMITTEE_READERS,
    "integrity_signals": frozenset({Role.SUPERVISOR, Role.REGIONAL_HR_DEPARTMENT}),
    # —— statistics (zhicheng/statistics) ——
    # The bodies that work on declarations and the supervisor, each over its own scope (for_user); the page and its workbooks.
    "statistics": QUEUE_HOLDERS | {Role.SUPERVISOR},
    "statistics_export": QUEUE_HOLDERS | {Role.SUPERVISOR},
    # —— API keys (zhicheng/api), webhook subscriptions (zhicheng/webhooks), data collection (zhicheng/collection) ——
    # An organisation's keys, seen and revoked by its staff (the bodies that work on declarations; the key acts as its creator).
    "api_keys": QUEUE_HOLDERS,
    "api_key_new": QUEUE_HOLDERS,
    "api_key_revoke": QUEUE_HOLDERS,
    # An organisation's webhook subscriptions and their delivery log, kept by the same staff (events follow the creator's scope).
    "webhook_list": QUEUE_HOLDERS,
    "webhook_detail": QUEUE_HOLDERS,
    "webhook_act": QUEUE_HOLDERS,
    # —— security ——
    "password_change": ANY_USER,
    "login_lockouts": frozenset({Role.REGIONAL_HR_DEPARTMENT}),  # accounts and addresses locked after wrong passwords
}
# Pages an expert opens before passing the second factor.
SECOND_FACTOR_EXEMPT = frozenset({"second_factor"})
SECOND_FACTOR_SESSION_KEY = "second_factor_passed"

STAFF_PAGES = frozenset(STAFF_ROLES)


def can_open(user, page_name: str) -> bool:
    allowed = PAGES[page_name]
    if allowed is None:
        return True
    return user.is_authenticated and user.is_active and user.role in allowed


def second_factor_required(user) -> bool:
    """Experts always (七（四）5); staff of the regional department, bureaus and committee offices, and back-office
    (admin) accounts, where settings.STAFF_SECOND_FACTOR says so."""
    if user.role == Role.EXPERT:
        return True
    return settings.STAFF_SECOND_FACTOR and (user.role in SECOND_FACTOR_STAFF_ROLES or user.is_staff)


def second_factor_passed(request) -> bool:
    return request.session.get(SECOND_FACTOR_SESSION_KEY) == request.user.pk


def second_factor_redirect(request):
    """To the second-factor page, and back to where the request was going once it is passed."""
    return redirect(f"{reverse('second_factor')}?{urlencode({'next': request.get_full_path()})}")


def needs_second_factor(request, page_name: str) -> bool:
    """Those who need a TOTP second factor pass it once per session before any page but the public ones."""
    return (PAGES[page_name] is not None and page_name not in SECOND_FACTOR_EXEMPT
            and second_factor_required(request.user) and not second_factor_passed(request))


def page(name: str):
    """Decorate a view with the access rule of PAGES[name]."""
    if name not in PAGES:
        raise KeyError(name)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if PAGES[name] is not None and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can_open(request.user, name):
                raise PermissionDenied("您的角色无权访问此页面。")
            if needs_second_factor(request, name):
                return second_factor_redirect(request)
            return view(request, *args, **kwargs)

        wrapped.page_name = name
        return wrapped

    return decorator
