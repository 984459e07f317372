"""Extensions created unbound; the factory binds them with init_app()."""
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from server.db import db
from server.errors import HallpulseApi
from server.ratelimit import client_address

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)
api = HallpulseApi()
compress = Compress()

__all__ = ["db", "migrate", "login_manager", "csrf", "limiter", "api", "compress"]
