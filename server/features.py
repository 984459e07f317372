"""The one ordered list of feature blueprints the factory registers."""
from flask import Flask

from server.extensions import api


def register(app: Flask) -> None:
    from server import health, pwa
    from server.audit import api as audit_api
    from server.audit import views as audit_views
    from server.auth import api as auth_api
    from server.brief import api as brief_api
    from server.brief import views as brief_views
    from server.auth import views as auth_views
    from server.calibration import api as calibration_api
    from server.calibration import brief as calibration_brief  # noqa: F401  (adds its section to the meeting brief)
    from server.calibration import views as calibration_views
    from server.colisten import api as colisten_api
    from server.coverage import api as coverage_api
    from server.coverage import brief as coverage_brief  # noqa: F401  (adds its section to the meeting brief)
    from server.coverage import views as coverage_views
    from server.exports import api as exports_api
    from server.followups import api as followups_api
    from server.heatmaps import api as heatmaps_api
    from server.heatmaps import views as heatmaps_views
    from server.observations import api as observations_api
    from server.plans import api as plans_api
    from server.plans import views as plans_views
    from server.practice import api as practice_api
    from server.practice import views as practice_views
    from server.privacy import api as privacy_api
    from server.privacy import views as privacy_views
    from server.push import api as push_api
    from server.results import api as results_api
    from server.results import views as results_views
    from server.rubrics import api as rubrics_api
    from server.schools import api as schools_api
    from server.schools import views as schools_views

    for module in (auth_api, schools_api, rubrics_api, observations_api, heatmaps_api, followups_api, push_api,
                   audit_api, exports_api, privacy_api, results_api, plans_api, practice_api, coverage_api,
                   colisten_api, calibration_api, brief_api):
        api.register_blueprint(module.blp)
    for module in (health, auth_views, schools_views, heatmaps_views, results_views, brief_views, plans_views,
                   coverage_views, audit_views, privacy_views, calibration_views, practice_views, pwa):
        app.register_blueprint(module.bp)
