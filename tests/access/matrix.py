"""The declared isolation matrix: how each route of the app is aimed at another school's data.

Every rule in `app.url_map` must have an entry here; a new route without one fails the suite.
- PUBLIC: no school data at all (sign-in, CSRF token, static files, the app shell, the API document).
- LISTS: returns only what the caller may reach; the test checks another school never appears.
- Target(...): names the objects in the path (and query), and a body that would succeed if the
  object were the caller's own, so the request really reaches the access check.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    path: dict[str, str] = field(default_factory=dict)   # path parameter → kind of foreign object
    query: dict[str, str] = field(default_factory=dict)  # query parameter → kind of foreign object
    json: dict[str, object] = field(default_factory=dict)  # method → JSON body (callable of ids allowed)
    form: dict[str, object] = field(default_factory=dict)  # method → form body
    list_methods: frozenset[str] = frozenset()  # methods of the same rule that list, checked as LISTS


PUBLIC = "public"
LISTS = "lists"

SCHOOL = {"school_id": "school"}


def _sync_body(ids):
    return {"school_id": ids["school"], "records": [{
        "type": "observation", "id": ids["observation"], "version": 9, "rubric_id": ids["rubric"],
        "location_id": ids["location"], "observed_at": "2026-11-02T15:00:00+00:00",
        "trait_levels": {"substantive": 2}, "plan_id": ids["plan"], "plan_day": "2026-11-03",
    }, {
        "type": "plan_check", "id": "3f1c2b5e-0000-4000-8000-0000000000c1", "version": 1, "plan_id": ids["plan"],
        "day": "2026-11-03", "outcome": "not_held", "checked_at": "2026-11-03T15:00:00+00:00",
    }]}


def _scenario_body(ids):
    return {"school_id": ids["school"], "rubric_id": ids["rubric"], "title": "Intruder", "setting": "formal",
            "lines": [{"speaker": "Coach", "text": f"Line {n}"} for n in range(4)],
            "reference": {key: {"level": 1, "why": "Because."} for key in (
                "substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action")}}


def _scenario_form():
    form = {"title": "Intruder", "setting": "formal"}
    form.update({f"speaker_{n}": "Coach" for n in range(4)})
    form.update({f"text_{n}": f"Line {n}" for n in range(4)})
    for key in ("substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action"):
        form.update({f"level_{key}": "1", f"why_{key}": "Because."})
    return form


def _answer_body(ids):
    return {"id": "3f1c2b5e-0000-4000-8000-000000000001", "scenario_id": ids["scenario"],
            "levels": {"substantive": 2}, "answered_at": "2026-11-02T15:00:00+00:00"}
PLAN = {"plan_id": "plan"}


def _plan_body(ids):
    return {"name": "Hijack PLC", "purpose": "Planning instruction", "kind": "plc", "recurrence": {
        "frequency": "weekly", "weekdays": [1], "starts_at": "15:00", "ends_at": "16:00",
        "first_day": "2026-10-20", "last_day": "2026-11-17"}}


def _plan_form(ids):
    return {"name": "Hijack PLC", "purpose": "Planning instruction", "kind": "plc", "frequency": "weekly",
            "weekdays": "1", "starts_at": "15:00", "ends_at": "16:00", "first_day": "2026-10-20", "last_day": "2026-11-17"}


ISOLATION: dict[str, object] = {
    # Public: no school's data behind them.
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "api-docs.openapi_json": PUBLIC,
    "auth_api.csrf_token": PUBLIC,
    "auth_api.login": PUBLIC,
    "auth_api.logout": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.change_password": PUBLIC,        # the caller's own account only
    "auth.sign_out_everywhere": PUBLIC,    # the caller's own sessions only
    "auth.accept_invitation": PUBLIC,      # guarded by a secret token; see tests/auth
    "auth.start": PUBLIC,                  # a redirect to the caller's own start page
    "pwa.index_": PUBLIC,
    "pwa.index_log": PUBLIC,
    "pwa.index_walk": PUBLIC,
    "pwa.index_follow-ups": PUBLIC,
    "pwa.asset": PUBLIC,
    "pwa.manifest": PUBLIC,
    "pwa.service_worker": PUBLIC,
    # Lists scoped to the caller.
    "auth_api.me": LISTS,
    "sync_api.bootstrap": LISTS,
    "schools.index": LISTS,
    # Aimed at another school's objects.
    "schools_api.Schools": Target(list_methods=frozenset({"GET"}), json={"POST": lambda ids: {"name": "Intruder School", "timezone": "UTC",
                                                               "district_id": ids["district"]}}),
    "schools.add_school": Target(form={"POST": lambda ids: {"name": "Intruder School", "timezone": "UTC",
                                                             "district_id": ids["district"]}}),
    "schools_api.SchoolDetail": Target(path=SCHOOL, json={"PATCH": {"name": "Hijacked"}}),
    "schools_api.Periods": Target(path=SCHOOL, json={"PUT": [{"name": "Hijack", "starts_at": "08:00", "ends_at": "09:00"}]}),
    "schools_api.reset_periods": Target(path=SCHOOL, json={"POST": {}}),
    "schools_api.Locations": Target(path=SCHOOL, json={"POST": {"name": "Hijack hall", "kind": "hallway"}}),
    "schools_api.LocationDetail": Target(path={"location_id": "location"}, json={"PATCH": {"name": "Hijacked"}}),
    "schools_api.members": Target(path=SCHOOL),
    "schools_api.MembershipDetail": Target(path={"membership_id": "membership"}, json={"PATCH": {"role": "viewer"}}),
    "schools_api.Invitations": Target(path=SCHOOL, json={"POST": {"email": "intruder@example.org", "role": "observer"}}),
    "schools_api.revoke_invitation": Target(path={"invitation_id": "invitation"}),
    "rubrics_api.rubrics": Target(query=SCHOOL),
    "sync_api.sync": Target(json={"POST": _sync_body}),
    "sync_api.own_observations": Target(query=SCHOOL),
    "sync_api.own_walks": Target(query=SCHOOL),
    "sync_api.own_plan_checks": Target(query=SCHOOL),
    "schools.overview": Target(path=SCHOOL),
    "schools.invite": Target(path=SCHOOL, form={"POST": {"email": "intruder@example.org", "role": "observer"}}),
    "schools.revoke_invitation": Target(path={**SCHOOL, "invitation_id": "invitation"}),
    "schools.add_place": Target(path=SCHOOL, form={"POST": {"name": "Hijack hall", "kind": "hallway"}}),
    "schools.edit_place": Target(path={**SCHOOL, "location_id": "location"}, form={"POST": {"name": "Hijacked", "kind": "hallway"}}),
    "schools.archive_place": Target(path={**SCHOOL, "location_id": "location"}),
    "schools.restore_place": Target(path={**SCHOOL, "location_id": "location"}),
    "schools.save_schedule": Target(path=SCHOOL, form={"POST": {"name": "Hijack", "starts_at": "08:00", "ends_at": "09:00"}}),
    "schools.reset_schedule": Target(path=SCHOOL),
    "schools.save_settings": Target(path=SCHOOL, form={"POST": {"name": "Hijacked"}}),
    "schools.change_role": Target(path={**SCHOOL, "membership_id": "membership"}, form={"POST": {"role": "viewer"}}),
    "schools.remove_member": Target(path={**SCHOOL, "membership_id": "membership"}),
    # Heatmaps and the dashboard (issue 8): every view names its school or district in the path.
    "heatmaps_api.school_frequency": Target(path=SCHOOL),
    "heatmaps_api.school_quality": Target(path=SCHOOL),
    "heatmaps_api.school_trends": Target(path=SCHOOL),
    "heatmaps_api.district_quality": Target(path={"district_id": "district"}),
    "heatmaps_api.district_frequency": Target(path={"district_id": "district"}),
    "heatmaps.dashboard": Target(path=SCHOOL),
    "heatmaps.frequency": Target(path=SCHOOL),
    "heatmaps.quality": Target(path=SCHOOL),
    "heatmaps.trends": Target(path=SCHOOL),
    "heatmaps.frequency_csv": Target(path=SCHOOL),
    "heatmaps.quality_csv": Target(path=SCHOOL),
    "heatmaps.trends_csv": Target(path=SCHOOL),
    "heatmaps.observations_csv": Target(path=SCHOOL),
    "heatmaps.district": Target(path={"district_id": "district"}),
    "heatmaps.district_quality_csv": Target(path={"district_id": "district"}),
    "heatmaps.district_frequency_csv": Target(path={"district_id": "district"}),
    # Follow-ups and Web Push (issue 5). Subscriptions belong to the signed-in user, not to a school.
    "followups_api.own_follow_ups": Target(query=SCHOOL),
    "followups_api.follow_up": Target(path={"follow_up_id": "follow_up"}),
    "followups_api.later_logs": Target(path={"follow_up_id": "follow_up"}),
    "followups_api.owners": Target(query=SCHOOL),
    "followups_api.summary": Target(path=SCHOOL),
    # Results (issue 18): what became of the follow-ups, per school.
    "results_api.school_results": Target(path=SCHOOL),
    "results.results": Target(path=SCHOOL),
    "results.results_csv": Target(path=SCHOOL),
    "coverage_api.school_coverage": Target(path=SCHOOL),
    "coverage.coverage": Target(path=SCHOOL),
    "coverage.coverage_csv": Target(path=SCHOOL),
    "coverage.district": Target(path={"district_id": "district"}),
    # The meeting brief (issue 18): page, PDF and figures, per school and per district.
    "brief_api.school": Target(path=SCHOOL),
    "brief_api.district": Target(path={"district_id": "district"}),
    "brief.school_brief": Target(path=SCHOOL),
    "brief.school_brief_pdf": Target(path=SCHOOL),
    "brief.district_brief": Target(path={"district_id": "district"}),
    "brief.district_brief_pdf": Target(path={"district_id": "district"}),
    "push_api.key": PUBLIC,                # the server's public VAPID key
    "push_api.devices": LISTS,
    "push_api.subscribe": PUBLIC,          # the caller's own devices only; see tests/push
    "push_api.unsubscribe": PUBLIC,        # the caller's own devices only; see tests/push
    "push_api.weekly_nudge": Target(path=SCHOOL),
    "push_api.set_weekly_nudge": Target(path=SCHOOL, json={"PUT": {"enabled": True, "weekday": 3, "hour": 14}}),
    # Audit, export and offboarding (issue 6). Erasing a foreign person names the home school: see tests/privacy.
    "audit_api.school_audit": Target(path=SCHOOL),
    "audit.school_audit": Target(path=SCHOOL),
    "exports_api.school_export": Target(path=SCHOOL),
    "privacy_api.erase_member": Target(path=SCHOOL),  # user_id: a missing one; foreign people: tests/privacy
    "privacy_api.delete_school": Target(path=SCHOOL, json={"POST": {"confirm_name": "QX7CANARY High"}}),
    "privacy.delete_school": Target(path=SCHOOL, form={"POST": {"confirm_name": "QX7CANARY High"}}),
    # Practice (issue 17): scenarios are the school's; answers name their scenario in the body.
    "practice_api.Scenarios": Target(query=SCHOOL, json={"POST": _scenario_body}),
    "practice_api.ScenarioDetail": Target(path={"scenario_id": "scenario"}, json={"PATCH": {"title": "Hijacked"}}),
    "practice_api.reference": Target(path={"scenario_id": "scenario"}),
    "practice_api.answer": Target(json={"POST": _answer_body}),
    "practice_api.history": Target(query=SCHOOL),
    "practice_api.offline_keys": Target(query=SCHOOL),
    # Co-listening (issue 17): a session's comparison is for its observers only; the list names its school.
    "colisten_api.my_comparisons": Target(query=SCHOOL),
    "colisten_api.comparison": Target(path={"session_id": "colisten"}),
    "pwa.index_practice": PUBLIC,
    "pwa.index_colisten": PUBLIC,
    "practice.index": Target(path=SCHOOL),
    "practice.new": Target(path=SCHOOL, form={"POST": lambda ids: _scenario_form()}),
    "practice.edit": Target(path={**SCHOOL, "scenario_id": "scenario"}, form={"POST": lambda ids: _scenario_form()}),
    "practice.withdraw": Target(path={**SCHOOL, "scenario_id": "scenario"}),
    # Calibration (issue 17): agreement over co-listened conversations, per school or district.
    "calibration_api.school_calibration": Target(path=SCHOOL),
    "calibration_api.district_calibration": Target(path={"district_id": "district"}),
    "calibration.school": Target(path=SCHOOL),
    "calibration.district": Target(path={"district_id": "district"}),
    # Planned conversations (issue 16). The occurrence window is a required query, so the days are named too.
    "plans_api.Plans": Target(path=SCHOOL, json={"POST": _plan_body}),
    "plans_api.PlanDetail": Target(path=PLAN, json={"PATCH": {"name": "Hijacked"}}),
    "plans_api.cancel_day": Target(path=PLAN, json={"POST": {"day": "2099-01-06"}}),
    "plans_api.occurrences": Target(path=PLAN, query={"from": "window_start", "to": "window_end"}),
    "plans_api.PlanFeed": Target(path=SCHOOL, json={"POST": {}}),
    "plans_api.import_calendar": Target(path=SCHOOL, json={"POST": {"confirm": True, "calendar": "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT", "UID:a@t", "DTSTAMP:20261204T000000Z",
        "DTSTART:20261020T200000Z", "DTEND:20261020T210000Z", "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:Hijack PLC",
        "END:VEVENT", "END:VCALENDAR"])}}),
    "plans.feed": PUBLIC,
    "plans.index": Target(path=SCHOOL),
    "plans.import_calendar": Target(path=SCHOOL, form={"POST": {"confirm": "yes", "calendar": "BEGIN:VCALENDAR"}}),
    "plans.new": Target(path=SCHOOL, form={"POST": _plan_form}),
    "plans.edit": Target(path={**SCHOOL, **PLAN}, form={"POST": _plan_form}),
    "plans.cancel": Target(path={**SCHOOL, **PLAN}, form={"POST": {"day": "2099-01-06"}}),
    "plans.delete": Target(path={**SCHOOL, **PLAN}),
    "plans.renew_feed": Target(path=SCHOOL),
    "plans.revoke_feed": Target(path=SCHOOL),                  # guarded by a secret token; see tests/plans/test_feed.py
}
