"""Settings from the environment, with defaults for the embedded SQLite set-up."""
from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"

ENVIRONMENTS = ("development", "production", "testing")
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete for the chosen environment."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def instance_path() -> Path:
    return Path(os.environ.get("HALLPULSE_INSTANCE", DEFAULT_INSTANCE)).resolve()


def secret_key_file(instance: Path) -> Path:
    return instance / "secret_key"


def load_or_create_secret(instance: Path) -> str:
    """The instance's secret, generated once and kept (mode 600) in instance/.

    Written to a private temporary file and linked into place, so processes starting at the
    same moment (gunicorn workers) all end up with the one secret, never a half-written one.
    """
    path = secret_key_file(instance)
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
        try:
            with os.fdopen(handle, "w") as secret_file:
                secret_file.write(secrets.token_urlsafe(48))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{path} holds no usable secret: delete it and a new one is made")
    return key


def database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'hallpulse.db'}"
    if url.startswith("postgres://"):  # Heroku-style URL
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def from_environment() -> dict:
    """Build the Flask config mapping; production refuses unsafe settings."""
    env = os.environ.get("HALLPULSE_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"HALLPULSE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    instance = instance_path()
    production = env == "production"
    secure_cookies = _bool("HALLPULSE_SECURE_COOKIES", production)
    secret = os.environ.get("SECRET_KEY")
    if production and not secret:
        raise ConfigError("production needs SECRET_KEY set in the environment")
    if production and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"SECRET_KEY is too short: use at least {MIN_SECRET_LENGTH} random characters")
    if production and _bool("FLASK_DEBUG", False):
        raise ConfigError("production never runs in debug mode (unset FLASK_DEBUG)")
    if production and not secure_cookies:
        raise ConfigError("production needs HTTPS cookies (unset HALLPULSE_SECURE_COOKIES=0)")
    limiter_storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if production and limiter_storage.startswith("memory://"):
        raise ConfigError("production runs several processes: set RATELIMIT_STORAGE_URI to redis://…")
    session_days = _int("HALLPULSE_SESSION_DAYS", 30)
    cookie_prefix = "__Host-" if secure_cookies else ""
    return {
        "HALLPULSE_ENV": env,
        "TESTING": env == "testing",
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": secret or load_or_create_secret(instance),
        "SQLALCHEMY_DATABASE_URI": database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": _int("HALLPULSE_MAX_BODY_BYTES", 1024 * 1024),
        "SESSION_COOKIE_NAME": f"{cookie_prefix}hallpulse_session",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(days=session_days),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "REMEMBER_COOKIE_NAME": f"{cookie_prefix}hallpulse_remember",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=session_days),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        "RATELIMIT_STORAGE_URI": limiter_storage,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": _bool("HALLPULSE_RATELIMIT", True),
        "LOGIN_RATE_LIMIT": os.environ.get("HALLPULSE_LOGIN_RATE_LIMIT", "5 per minute"),
        "LOGIN_IP_RATE_LIMIT": os.environ.get("HALLPULSE_LOGIN_IP_RATE_LIMIT", "30 per minute"),
        "INVITATION_DAYS": _int("HALLPULSE_INVITATION_DAYS", 7),
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY"),
        "VAPID_PUBLIC_KEY": os.environ.get("VAPID_PUBLIC_KEY"),
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", "mailto:admin@hallway-pulse.invalid"),
        # Push endpoints: suffixes of push-service hosts ("*": any public https host); see server/push/endpoint_guard.py.
        "PUSH_HOST_ALLOWLIST": os.environ.get("PUSH_HOST_ALLOWLIST"),
        "PUSH_ALLOW_LOOPBACK": _bool("HALLPULSE_PUSH_ALLOW_LOOPBACK", False),  # honoured only when testing
        # Text responses gzipped (Flask-Compress); shell files stream, so their ETag check runs after it.
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["gzip"],
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                               "application/problem+json", "application/manifest+json", "image/svg+xml", "text/csv"],
        "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL": ["static", "pwa.asset", "pwa.manifest", "pwa.index_", "pwa.index_log",
                                                    "pwa.index_walk", "pwa.index_follow-ups"],
        "API_TITLE": "Hallway Pulse API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "HALLPULSE_BEHIND_PROXY": _bool("HALLPULSE_BEHIND_PROXY", False),
    }
