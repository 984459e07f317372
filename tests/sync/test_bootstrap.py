"""GET /api/v1/bootstrap: what the capture app caches for working offline."""
from server.rubrics.models import Rubric, Trait
from tests import factories


def test_bootstrap_lists_the_school_with_its_places_periods_and_rubrics(db, observer, school):
    client, user = observer
    body = client.get("/api/v1/bootstrap").get_json()
    assert body["user"] == {"id": user.id, "name": user.name, "email": user.email}
    [entry] = body["schools"]
    assert (entry["id"], entry["timezone"], entry["role"], entry["can_log"]) == (school.id, "America/Chicago", "observer", True)
    assert [place["name"] for place in entry["locations"]] == ["Main hallway", "Room 204 (PLC)", "Staff lounge"]
    assert entry["periods"][1] == {"id": entry["periods"][1]["id"], "name": "Period 1", "starts_at": "08:00", "ends_at": "09:00"}
    assert [rubric["key"] for rubric in entry["rubrics"]] == ["seven-traits", "four-essentials"]
    assert [trait["key"] for trait in entry["rubrics"][0]["traits"]][:2] == ["substantive", "evidence"]


def test_viewer_gets_the_school_but_may_not_log(db, login_as, school):
    client, _ = login_as("viewer")
    [entry] = client.get("/api/v1/bootstrap").get_json()["schools"]
    assert (entry["role"], entry["can_log"]) == ("viewer", False)


def test_archived_places_are_left_out(db, observer, school):
    school.locations[0].archived = True
    db.session.commit()
    client, _ = observer
    [entry] = client.get("/api/v1/bootstrap").get_json()["schools"]
    assert len(entry["locations"]) == 2


def test_another_districts_rubric_and_school_stay_hidden(db, observer, school, other_school):
    db.session.add(Rubric(district_id=other_school.district_id, key="theirs", name="Theirs",
                          traits=[Trait(key="k", label="K", description="", position=1)]))
    db.session.commit()
    client, _ = observer
    body = client.get("/api/v1/bootstrap").get_json()
    assert [entry["id"] for entry in body["schools"]] == [school.id]
    assert "theirs" not in [rubric["key"] for rubric in body["schools"][0]["rubrics"]]


def test_district_rubric_is_offered_to_its_schools(db, observer, school):
    db.session.add(Rubric(district_id=school.district_id, key="ours", name="Ours",
                          traits=[Trait(key="k", label="K", description="", position=1)]))
    db.session.commit()
    client, _ = observer
    [entry] = client.get("/api/v1/bootstrap").get_json()["schools"]
    assert "ours" in [rubric["key"] for rubric in entry["rubrics"]]


def test_vocabulary_pairs_each_kind_with_its_setting(db, observer):
    client, _ = observer
    vocabulary = client.get("/api/v1/bootstrap").get_json()["vocabulary"]
    kinds = {kind["value"]: kind for kind in vocabulary["conversation_kinds"]}
    assert kinds["plc"] == {"value": "plc", "label": "PLC", "setting": "formal"}
    assert kinds["parking_lot"]["setting"] == "informal"
    assert vocabulary["settings"] == ["informal", "formal"]
    assert "teacher" in vocabulary["participant_roles"] and "hallway" in vocabulary["location_kinds"]


def test_bootstrap_needs_sign_in(db, client):
    assert client.get("/api/v1/bootstrap").status_code == 401


def test_user_without_schools_gets_an_empty_list(db, app):
    user = factories.create_user(role="observer", school=None)
    from tests.conftest import ApiClient

    app.test_client_class = ApiClient
    client = app.test_client()
    client.post("/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD})
    assert client.get("/api/v1/bootstrap").get_json()["schools"] == []
