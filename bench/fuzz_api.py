"""The long API fuzzing run: the CI test (tests/test_fuzz_api.py) with more examples per operation
and more stateful scenarios.

    python bench/fuzz_api.py              # 500 examples per operation and mode, 500 scenarios per role
    python bench/fuzz_api.py 2000 1000    # or as many as given

Prints the pytest summary and, per engine and role, how many scenario steps followed which link;
any failure lists each operation, the check that failed and a curl line.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "500"
    scenarios = sys.argv[2] if len(sys.argv) > 2 else "500"
    environment = {**os.environ, "HALLPULSE_FUZZ_EXAMPLES": examples, "HALLPULSE_FUZZ_SCENARIOS": scenarios}
    command = [sys.executable, "-m", "pytest", "tests/test_fuzz_api.py", "-q", "-p", "no:cacheprovider",
               "--durations=8", "-rP", "--show-capture=stdout"]
    return subprocess.run(command, cwd=ROOT, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
