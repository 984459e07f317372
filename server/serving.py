"""Run the app under gunicorn from Python, for `hallpulse serve`."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from server.gunicorn_conf import post_worker_init


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from server import create_app

        return create_app()


def run_gunicorn(host: str, port: int, workers: int) -> None:
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 4,
        "worker_class": "gthread",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 75,  # above phones' pauses between syncs: a 2 s default resets reused connections
        "accesslog": None,  # server/request_log.py writes the one access line, without raw paths
        "preload_app": False,
        "post_worker_init": post_worker_init,
    }).run()
