"""Where each role starts, and the links the page header offers it.

A district admin starts on the district view (schools side by side), a principal or viewer on their
school's dashboard, an observer in the capture app. Roles come from server/access.py, so the links
never lead anywhere the user would get a 403.
"""
from __future__ import annotations

from flask import url_for

from server.access import Action, admin_district_ids, can, school_roles
from server.auth.models import User
from server.enums import Role

APP = "/"
LEADING_ROLES = (Role.PRINCIPAL, Role.VIEWER)


def first_school(user: User, roles: tuple[Role, ...]) -> int | None:
    """The lowest school id where the user holds one of `roles` (a stable choice for several schools)."""
    return next((school_id for school_id, role in sorted(school_roles(user).items()) if role in roles), None)


def home_url(user: User) -> str:
    """The page a user lands on after signing in without a page to go back to."""
    districts = admin_district_ids(user)
    if districts:
        return url_for("heatmaps.district", district_id=districts[0])
    school_id = first_school(user, LEADING_ROLES)
    if school_id is not None:
        return url_for("heatmaps.dashboard", school_id=school_id)
    return APP


def after_joining(school_id: int, role: Role) -> str:
    """Where an accepted invitation lands: the school just joined, as the role it was joined in (a
    leader who already leads another school should not land on that one)."""
    if role in LEADING_ROLES:
        return url_for("heatmaps.dashboard", school_id=school_id)
    return APP


def header_links(user: User) -> list[tuple[str, str]]:
    """(label, href) for the signed-in header: the district view or dashboard, schools, the app."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = [("District view", url_for("heatmaps.district", district_id=d)) for d in admin_district_ids(user)[:1]]
    school_id = first_school(user, LEADING_ROLES)
    if school_id is not None:
        links.append(("Dashboard", url_for("heatmaps.dashboard", school_id=school_id)))
    if len(school_roles(user)) > 1 or any(can(Action.MANAGE_SCHOOL, s, user) for s in school_roles(user)):
        links.append(("Schools", url_for("schools.index")))
    if any(can(Action.LOG, s, user) for s in school_roles(user)):
        links.append(("Open the app", APP))
    return links
