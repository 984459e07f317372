"""Run the app under gunicorn from Python, for `hallpulse serve`."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from server import gunicorn_conf


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        shared = {key: value for key, value in vars(gunicorn_conf).items() if key in self.cfg.settings}
        for key, value in {**shared, **self.options}.items():
            self.cfg.set(key, value)

    def load(self):
        from server import create_app

        return create_app()


def run_gunicorn(host: str, port: int, workers: int) -> None:
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "graceful_timeout": 10,
        "accesslog": None,  # server/request_log.py writes the one access line, without raw paths
        "preload_app": False,
    }).run()
