"""Every model, imported once so Alembic and the factory see the whole schema."""
from server.audit.models import AuditEvent
from server.auth.models import AuthSession, Invitation, Membership, User
from server.calibration.models import CalibrationConversation, CalibrationMonth
from server.changes import ChangeCounter
from server.colisten.models import ColistenSession
from server.followups.models import FollowUp
from server.heatmaps.models import HeatmapPlaceDay, HeatmapSchoolDay, HeatmapState, HeatmapTraitDay, HeatmapTraitWeek
from server.observations.models import Observation, ObservationTraitLevel
from server.plans.checks import PlanCheck
from server.plans.models import PlanFeed, PlanSchedule, PlannedConversation
from server.practice.models import PracticeAnswer, PracticeAnswerLevel, PracticeReference, PracticeScenario
from server.push.models import PushSubscription
from server.rubrics.models import Rubric, Trait
from server.schools.models import District, Location, Period, School
from server.walks.models import Walk

__all__ = [
    "AuditEvent", "AuthSession", "CalibrationConversation", "CalibrationMonth", "ChangeCounter", "ColistenSession", "District", "FollowUp", "HeatmapPlaceDay", "HeatmapSchoolDay", "HeatmapState",
    "HeatmapTraitDay", "HeatmapTraitWeek", "Invitation", "Location", "Membership",
    "Observation", "ObservationTraitLevel", "Period", "PlanCheck", "PlanFeed", "PlanSchedule", "PlannedConversation",
    "PracticeAnswer", "PracticeAnswerLevel", "PracticeReference", "PracticeScenario", "PushSubscription", "Rubric", "School",
    "Trait", "User", "Walk",
]
