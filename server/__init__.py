"""Hallway Pulse: the Flask app factory (wiring only)."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from server import blueprint, config as settings


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment, overridden by `config` (tests pass theirs here)."""
    options = settings.from_environment()
    options.update(config or {})
    app = Flask(__name__, instance_path=options["INSTANCE_DIR"], instance_relative_config=False)
    app.config.update(options)
    app.url_map.converters["int"] = blueprint.RecordId  # before any route is added
    app.request_class, app.json = blueprint.JsonRequest, blueprint.JsonProvider(app)  # one JSON parse path
    if app.config["HALLPULSE_BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from server import auth, compression, errors, models, request_log, security  # noqa: F401  (models: the whole schema)
    from server.db import close_spent_connections
    from server.extensions import api, csrf, db, limiter, login_manager, migrate
    from server.openapi import AtLeastOneField

    db.init_app(app)
    app.teardown_appcontext(close_spent_connections)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "server" / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    compression.init_app(app)
    api.init_app(app, spec_kwargs={"extra_plugins": [AtLeastOneField()], "components": {"securitySchemes": {
        "session": {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"]},
    }}})
    auth.init_app(app)
    security.init_app(app)
    request_log.init_app(app)
    errors.register_error_handlers(app)

    from server import cli, features

    features.register(app)
    cli.register(app)
    return app
