"""The one ordered list of feature blueprints the factory registers."""
from flask import Flask

from server.extensions import api


def register(app: Flask) -> None:
    from server import health, pwa
    from server.auth import api as auth_api
    from server.auth import views as auth_views
    from server.observations import api as observations_api
    from server.rubrics import api as rubrics_api
    from server.schools import api as schools_api
    from server.schools import views as schools_views

    for module in (auth_api, schools_api, rubrics_api, observations_api):
        api.register_blueprint(module.blp)
    for module in (health, auth_views, schools_views, pwa):
        app.register_blueprint(module.bp)
