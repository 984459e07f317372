"""A served worker's garbage collector, as gunicorn's post_worker_init leaves it (in a child process, so
this test's own collector is untouched)."""
import json

from tests.subprocesses import app_env, run_python

WORKER = """
import gc, json
from server import create_app
from server.gunicorn_conf import YOUNG_OBJECTS, post_worker_init
app = create_app({"HALLPULSE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
before = gc.get_threshold()
post_worker_init(None)
collected = gc.get_stats()[0]["collections"]
batch = [{"id": n, "levels": {"evidence": n % 3}} for n in range(4_000)]  # a sync batch's peak of live containers
del batch
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                  "young_collections": gc.get_stats()[0]["collections"] - collected, "young": YOUNG_OBJECTS}))
"""


def test_a_served_worker_freezes_its_app_and_collects_young_objects_rarely(tmp_path):
    result = run_python(WORKER, env=app_env(tmp_path / "instance"))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["frozen"] > 10_000  # the app's modules, mappers and schemas
    assert found["after"] == [found["young"], *found["before"][1:]]
    assert found["young_collections"] == 0  # at Python's default of 700 this batch takes eleven
