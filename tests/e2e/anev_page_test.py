#!/usr/bin/python3
"""anev_page_test: the Anev page in a real browser (Debian's headless chromium).

Renders tests/testdata/anev_report.json (a report served by dumasd over the
demo data) with tools/anev-report, loads the page in headless chromium, and
checks that it loads with no error, that every chart has data (a bar, column
or line of non-zero size), that every CSV file was written, and that the
page makes no network request (self-contained).

Skips (exit 77) only when chromium is not installed, saying so.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(ROOT, "tests", "testdata", "anev_report.json")
CHARTS = 6  # category, trend, SP3D and result deadlines, backlog by age, ratings


def main():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("SKIP: chromium is not installed (tools/setup installs Debian's chromium)")
        return 77
    failures = []
    with tempfile.TemporaryDirectory(prefix="anev-page-") as tmp:
        out = os.path.join(tmp, "out")
        run = subprocess.run(
            [sys.executable, os.path.join(ROOT, "tools", "anev-report"), "--from-json", FIXTURE,
             "--out", out], capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            print(run.stderr)
            print("FAIL: tools/anev-report failed")
            return 1
        page = run.stdout.strip()
        for name in ("summary", "received_by_category", "sp3d_deadlines", "backlog_by_age",
                     "ratings", "trend"):
            if not os.path.exists(os.path.join(out, f"{name}.csv")):
                failures.append(f"no {name}.csv")
        with open(page, encoding="utf-8") as f:
            source = f.read()
        if re.search(r'(src|href)="(https?:)?//', source) or "@import" in source:
            failures.append("the page refers to something on the network")

        profile = os.path.join(tmp, "profile")
        browser = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=3000", "--dump-dom", "file://" + page],
            capture_output=True, text=True, timeout=120)
        if browser.returncode != 0:
            print(browser.stderr[-2000:])
            print("FAIL: chromium could not load the page")
            return 1
        dom = browser.stdout
        # Console messages and load failures of the page itself.
        for line in browser.stderr.splitlines():
            if ("CONSOLE" in line or "Uncaught" in line or "net::ERR" in line) and \
                    "file://" in line:
                failures.append(f"browser: {line.strip()[:200]}")
        if "</html>" not in dom:
            failures.append("the page did not load into a document")
        charts = re.findall(r'<svg class="chart"(.*?)</svg>', dom, re.S)
        if len(charts) != CHARTS:
            failures.append(f"{len(charts)} charts, expected {CHARTS}")
        for i, chart in enumerate(charts):
            points = re.search(r'data-chart-points="(\d+)"', chart)
            marks = re.findall(r'<rect class="bar"[^>]*?(?:width|height)="([0-9.]+)"', chart)
            sized = [m for m in marks if float(m) > 0]
            lines = re.findall(r'<polyline[^>]*points="([^"]+)"', chart)
            if not points or int(points.group(1)) == 0:
                failures.append(f"chart {i + 1} has no data points")
            if not sized and not any(len(p.split()) > 1 for p in lines):
                failures.append(f"chart {i + 1} draws nothing")
    for failure in failures:
        print("FAIL:", failure)
    if failures:
        return 1
    print(f"PASS: the page loads in {os.path.basename(chromium)} with {CHARTS} charts, all with data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
