"""Lighthouse scores (mobile) for the capture screen and the dashboard, against a local demo server.

Usage: python bench/lighthouse.py [--runs 3]
Needs: `npm install --prefix bench/js` (Lighthouse, bench-time only) and Debian's /usr/bin/chromium.
Starts `hallpulse demo` + `hallpulse serve` in a throwaway instance on a free 127.0.0.1 port, signs in
as the demo principal, and runs Lighthouse with that session cookie. Targets: performance ≥ 0.95,
accessibility 1.0, best practices ≥ 0.95. Prints the median of each score over the runs.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIGHTHOUSE = REPO / "bench" / "js" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run --disable-quic")
CATEGORIES = ("performance", "accessibility", "best-practices")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_demo_server(instance: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HALLPULSE_", "DATABASE_URL"))}
    env.update(HALLPULSE_INSTANCE=str(instance), HALLPULSE_LOGIN_RATE_LIMIT="100 per minute")
    hallpulse = Path(sys.executable).parent / "hallpulse"
    subprocess.run([str(hallpulse), "demo"], env=env, check=True, capture_output=True, timeout=300)
    server = subprocess.Popen([str(hallpulse), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the demo server did not start within 60 s")


def session_cookie(base: str) -> tuple[str, int]:
    """Sign in as the demo principal; returns the Cookie header and the principal's first school id."""
    from server.demo import DEMO_PASSWORD

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = json.load(opener.open(f"{base}/api/v1/auth/csrf"))["csrf_token"]
    body = json.dumps({"email": "principal@lincoln.demo", "password": DEMO_PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/login", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-CSRFToken": token})
    me = json.load(opener.open(request))
    return "; ".join(f"{c.name}={c.value}" for c in jar), me["schools"][0]["school_id"]


def lighthouse(url: str, cookie: str, out: Path) -> dict[str, float]:
    subprocess.run([
        str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}", "--form-factor=mobile",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ], check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, timeout=180, capture_output=True)
    report = json.loads(out.read_text())
    if os.environ.get("LIGHTHOUSE_DETAILS"):
        for audit in report["audits"].values():
            if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") != "informative":
                print(f"   {url}: {audit['id']} {audit['score']} {audit.get('displayValue', '')}")
                items = (audit.get("details") or {}).get("items")
                for item in items[:5] if isinstance(items, list) else []:
                    node = item.get("node") or {} if isinstance(item, dict) else {}
                    if node:
                        print(f"      {node.get('snippet', '')[:120]}  {node.get('explanation', '')[:160]}")
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: npm install --prefix bench/js")
    with tempfile.TemporaryDirectory() as workdir:
        port = free_port()
        server = start_demo_server(Path(workdir) / "instance", port)
        try:
            base = f"http://127.0.0.1:{port}"
            cookie, school_id = session_cookie(base)
            pages = {"capture screen": f"{base}/", "dashboard": f"{base}/schools/{school_id}/dashboard"}
            for name, url in pages.items():
                runs = [lighthouse(url, cookie, Path(workdir) / f"report-{i}.json") for i in range(args.runs)]
                medians = {c: statistics.median(run[c] for run in runs) for c in CATEGORIES}
                print(f"{name:<15} " + "  ".join(f"{c} {medians[c]:.2f}" for c in CATEGORIES) + f"  ({args.runs} runs, median)")
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
