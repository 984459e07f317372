"""Practice API: scenarios to rate, answers that reveal the reference, one's own history, and authoring.

Every signed-in role of a school practises (viewers too); principals and district admins write.
"""
from flask.views import MethodView
from flask_login import current_user
from werkzeug.exceptions import Conflict, UnprocessableEntity

from schemas.practice import (
    PracticeAnswerCreateSchema,
    PracticeHistorySchema,
    ScenarioAuthoringSchema,
    ScenarioCreateSchema,
    ScenarioKeySchema,
    ScenarioPatchSchema,
    PracticeQueryArgsSchema,
    ScenarioSchema,
)
from server.access import Action, permits
from server.blueprint import ApiBlueprint
from server.db import db
from server.errors import http_error_response
from server.practice import queries, service
from server.practice.models import PracticeScenario
from server.practice.service import AlreadyAnswered, RefusedPractice

blp = ApiBlueprint("practice_api", __name__, url_prefix="/api/v1",
                   description="Practice on written scenarios, for everyone in the school")


@blp.errorhandler(RefusedPractice)
def refused(error: RefusedPractice):
    db.session.rollback()
    problem = UnprocessableEntity(str(error))
    problem.data = {"errors": {"json": {error.field: [str(error)]}}}
    return http_error_response(problem)


@blp.errorhandler(AlreadyAnswered)
def already_answered(_error: AlreadyAnswered):
    db.session.rollback()
    return http_error_response(Conflict("You have answered this scenario already; your first answer stands."))


@blp.route("/practice/scenarios")
class Scenarios(MethodView):
    @blp.arguments(PracticeQueryArgsSchema, location="query")
    @blp.response(200, ScenarioSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args):
        """The school's scenarios, newest first; each one's reference shows only once you have answered it."""
        return service.scenarios_for(current_user, args["school_id"])

    @blp.access(permits(Action.MANAGE_SCHOOL))
    @blp.arguments(ScenarioCreateSchema)
    @blp.response(201, ScenarioAuthoringSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, fields):
        """Write a scenario (principals, district admins): 4–10 lines and a level and why for every trait."""
        scenario = service.create_scenario(current_user, fields)
        db.session.commit()
        return service.authoring_scenario(current_user, scenario.id)


@blp.route("/practice/scenarios/<int:scenario_id>")
class ScenarioDetail(MethodView):
    @blp.response(200, ScenarioSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, scenario_id):
        """One scenario to practise on; the reference and colleagues' spread once you have answered it."""
        return service.scenario_for(current_user, scenario_id)

    @blp.access(permits(Action.MANAGE_SCHOOL, PracticeScenario, "scenario_id"))
    @blp.arguments(ScenarioPatchSchema)
    @blp.response(200, ScenarioAuthoringSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, changes, scenario_id):
        """Edit a scenario's title, setting, lines or whole reference (principals, district admins)."""
        service.update_scenario(current_user, scenario_id, changes)
        db.session.commit()
        return service.authoring_scenario(current_user, scenario_id)

    @blp.access(permits(Action.MANAGE_SCHOOL, PracticeScenario, "scenario_id"))
    @blp.response(204, description="Withdrawn from practice; answers already given stay in people's history")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, scenario_id):
        """Withdraw a scenario (principals, district admins)."""
        service.withdraw_scenario(current_user, scenario_id)
        db.session.commit()


@blp.route("/practice/scenarios/<int:scenario_id>/reference")
@blp.response(200, ScenarioAuthoringSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def reference(scenario_id):
    """A scenario with its reference, for its authors to edit (principals, district admins)."""
    return service.authoring_scenario(current_user, scenario_id)


@blp.route("/practice/offline-keys")
@blp.arguments(PracticeQueryArgsSchema, location="query")
@blp.response(200, ScenarioKeySchema(many=True))
@blp.alt_response(404, response="NOT_FOUND")
def offline_keys(args):
    """The school's scenario references for the phone to keep, shown only once an answer is saved there (offline)."""
    return service.offline_keys(current_user, args["school_id"])


@blp.route("/practice/answers", methods=["POST"])
@blp.access(permits(Action.PRACTISE))
@blp.arguments(PracticeAnswerCreateSchema)
@blp.response(200, ScenarioSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def answer(fields):
    """Rate a scenario: stored once by its id (a re-send answers the same), then the reference is revealed."""
    view, _created = service.submit_answer(current_user, fields)
    db.session.commit()
    return view


@blp.route("/practice/history")
@blp.arguments(PracticeQueryArgsSchema, location="query")
@blp.response(200, PracticeHistorySchema)
@blp.alt_response(404, response="NOT_FOUND")
def history(args):
    """Your own agreement with the reference per trait, by month; nobody else's."""
    return queries.history(current_user, args["school_id"])
