"""The deadline day's arrival: one submit and its five page views, as bench-rush sends them (bench/rush_load.py,
under locust) and as bench-requests counts them (bench/requests.py, in Django's test client). No dependencies."""

from __future__ import annotations

KINDS = ("workspace", "submit", "progress", "publicity", "verify", "dashboard")


def arrival_requests(plan: dict, i: int) -> list[tuple[str, str, str, str, str]]:
    """The six requests of arrival i: (kind, method, path, session cookie, what success looks like).
    Workspaces are those of the R drafts no arrival submits (a draft about to be submitted could be
    submitted before a slow server answers its workspace); progress pages are those of the applicants
    who submitted a second earlier."""
    people, rate = plan["applicants"], plan["rate"]
    submitters = rate * plan["seconds"]
    pk, session = people[i]
    ahead, behind = people[submitters + i % rate], people[i - rate if i >= rate else i]
    verify = plan["verify_paths"][i % len(plan["verify_paths"])]
    return [
        ("workspace", "GET", f"/applications/{ahead[0]}/edit/", ahead[1], "200"),
        ("submit", "POST", f"/applications/{pk}/act/", session, f"302 /applications/{pk}/"),
        ("progress", "GET", f"/applications/{behind[0]}/", behind[1], "200"),
        ("publicity", "GET", "/public/publicities/", "", "200"),
        ("verify", "GET", verify, "", "200"),
        ("dashboard", "GET", "/dashboard/", plan["staff_session"], "200"),
    ]
