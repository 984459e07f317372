"""By planned conversation: follow-ups grouped by the plan their conversation was heard at (hand-worked).

On the tests/results/conftest.py fixture, conversation A (follow-ups 1, 2, 6) is put at the plan
"Grade 7 PLC"; B (3, 4, 7) at no plan. Grade 7 PLC: opened 3, on time 1, late 1, open 1 (overdue),
changed 1 of 2 answered. Not at a plan: opened 3, on time 2, dropped 1, changed 1 of 1.
"""
from __future__ import annotations

from sqlalchemy import select

from server.enums import ConversationKind
from server.observations.models import Observation
from server.plans.models import PlannedConversation


def by_plan(client, school, **query):
    body = client.get(f"/api/v1/results/schools/{school.id}", query_string=query).get_json()
    return next(b for b in body["breakdowns"] if b["name"] == "plan")["groups"]


def put_conversation_a_at_a_plan(db, school, plan_school=None) -> PlannedConversation:
    plan = PlannedConversation(school_id=(plan_school or school).id, name="Grade 7 PLC", purpose="Planning instruction",
                               kind=ConversationKind.PLC)
    db.session.add(plan)
    db.session.flush()
    plc = db.session.scalar(select(Observation).where(Observation.school_id == school.id,
                                                      Observation.conversation_kind == ConversationKind.PLC))
    plc.plan_id = plan.id
    db.session.commit()
    return plan


def test_follow_ups_are_grouped_by_the_plan_their_conversation_was_heard_at(login_as, results_school, db):
    plan = put_conversation_a_at_a_plan(db, results_school)
    client, _ = login_as("viewer")

    groups = {g["key"]: g for g in by_plan(client, results_school)}

    assert list(groups) == [str(plan.id), ""]
    at_plan, elsewhere = groups[str(plan.id)], groups[""]
    assert at_plan["label"] == "Grade 7 PLC" and elsewhere["label"] == "Not at a planned conversation"
    assert (at_plan["opened"], at_plan["closed_on_time"], at_plan["closed_late"], at_plan["open"], at_plan["overdue"]) == (3, 1, 1, 1, 1)
    assert (at_plan["changed_practice"]["changed"], at_plan["changed_practice"]["n"]) == (1, 2)
    assert (elsewhere["opened"], elsewhere["closed_on_time"], elsewhere["dropped"]) == (3, 2, 1)
    assert (elsewhere["changed_practice"]["changed"], elsewhere["changed_practice"]["n"]) == (1, 1)


def test_without_any_planned_conversation_there_is_no_plan_breakdown(login_as, results_school):
    client, _ = login_as("principal")

    assert by_plan(client, results_school) == []
    assert "By planned conversation" not in client.get(f"/schools/{results_school.id}/dashboard/results").get_data(as_text=True)


def test_the_page_shows_the_plan_table(login_as, results_school, db):
    put_conversation_a_at_a_plan(db, results_school)
    client, _ = login_as("principal")

    html = client.get(f"/schools/{results_school.id}/dashboard/results").get_data(as_text=True)

    assert "By planned conversation" in html and "Grade 7 PLC" in html


def test_another_schools_plan_never_names_a_group(login_as, results_school, other_school, db):
    put_conversation_a_at_a_plan(db, results_school, plan_school=other_school)
    client, _ = login_as("principal")

    assert by_plan(client, results_school) == []
