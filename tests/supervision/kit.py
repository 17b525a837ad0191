"""Spot-check campaigns run through the services as the pages run them: start, both commit, both reveal, draw."""

from __future__ import annotations

import hashlib

from zhicheng.accounts.models import User
from zhicheng.accounts.roles import Role
from zhicheng.orgs.models import Organisation, OrgKind
from zhicheng.supervision import services
from zhicheng.supervision.models import Campaign

SECRETS = {"supervisor": "5e" * 32, "regional_hr_department": "c3" * 32, "hr_bureau": "7a" * 32}


def commitment(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def people():
    regional = Organisation.objects.get(kind=OrgKind.REGIONAL_HR_DEPARTMENT)
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first() or User.objects.create(
        username="jjjc-spotcheck", role=Role.SUPERVISOR, organisation=regional)
    hr = User.objects.filter(organisation=regional, role=Role.REGIONAL_HR_DEPARTMENT, is_active=True).order_by("pk").first()
    return supervisor, hr


def run(starter, other, *, draw=True, **fields) -> Campaign:
    """Start a campaign as ``starter``; both parties commit and reveal; draw (unless draw=False)."""
    campaign = services.start(starter, Campaign(**{"title": "随机抽查", "year": 2021, **fields}))
    users = {services.party_of(u, campaign): u for u in (starter, other)}
    for party in campaign.parties:
        services.commit(campaign, users[party], commitment(SECRETS[party]))
    if not draw:
        return campaign
    for party in campaign.parties:
        services.reveal(campaign, users[party], SECRETS[party])
    return services.draw(campaign, starter)
