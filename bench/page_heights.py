"""Commissioner pages' height in a real browser, and their HTML size.

Run as ``python bench/page_heights.py --url http://127.0.0.1:8000 --password ...`` against a
running portal (``make run``: the C&W data, the illustrative series and published snapshots).
It signs in as ``commissioner`` with Chromium (Playwright, ``/usr/bin/chromium``) and, for each
page, prints the document's scroll height in CSS pixels on a phone (375 x 812) and on a desktop
(1280 x 800), with the bytes of HTML the server sent. Folded sections (``<details>``) stay
folded, as a visitor first sees them. ``--results`` appends the table to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "overview": "/",
    "Place (Rugby)": "/places/rugby/",
    "boards list": "/boards/",
    "finance": "/finance/",
    "commitments": "/boards/commitments/",
}
VIEWPORTS = {"phone": (375, 812), "desktop": (1280, 800)}
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def measure(url: str, username: str, password: str) -> dict[str, dict]:
    """Height per viewport and HTML bytes, per page."""
    out: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        for name, path in PAGES.items():
            row: dict = {}
            for view, (width, height) in VIEWPORTS.items():
                page.set_viewport_size({"width": width, "height": height})
                response = page.goto(f"{url}{path}")
                row["bytes"] = len(response.body())
                row[view] = page.evaluate("document.documentElement.scrollHeight")
            out[name] = row
        browser.close()
    return out


def table(rows: dict[str, dict]) -> str:
    lines = [
        "| page | HTML bytes | phone 375x812 (px) | desktop 1280x800 (px) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['bytes']:,} | {r['phone']:,} | {r['desktop']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="commissioner")
    parser.add_argument("--password", required=True)
    parser.add_argument("--label", default="", help="a heading for the appended section")
    parser.add_argument("--results", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    text = table(measure(args.url, args.username, args.password))
    print(text)
    if args.results:
        heading = f"## Page heights {dt.date.today().isoformat()} {args.label}".rstrip()
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write(f"\n{heading}\n\n{text}\n")


if __name__ == "__main__":
    main()
