"""gunicorn settings shared by the Procfile (`-c python:server.gunicorn_conf`) and `hallpulse serve`.

Module-level names that are gunicorn settings are read as such; the command line adds the bind
address and the number of workers.
"""
from __future__ import annotations

import gc

worker_class = "gthread"  # threaded workers: most requests wait on the database
threads = 4
keepalive = 75  # above phones' pauses between syncs: a 2 s default resets reused connections
timeout = 30


YOUNG_OBJECTS = 10_000  # Python's default is 700


def freeze_startup_objects() -> None:
    """Move everything alive once the app is loaded (modules, the app, mappers, schemas: ~170k
    objects) out of the garbage collector's sight: a full collection then costs ~1.5 ms instead of
    ~75 ms, and falls every ten or so large syncs (docs/performance.md, "Garbage collection").

    Then collect the youngest generation only once YOUNG_OBJECTS containers are alive, not 700: a
    sync batch holds a few thousand at its peak (parsed records, rows, keys), all freed when it ends,
    so at 700 it paid ~16 young collections for nothing, 1.0–1.5 ms of a 40 ms batch."""
    gc.collect()
    gc.freeze()
    _generation0, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, older, oldest)


def post_worker_init(worker) -> None:
    freeze_startup_objects()
