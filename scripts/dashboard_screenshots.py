"""Screenshots of the dashboard on the demo data, for docs/screenshots/.

Usage: serve a demo database, then
    .venv/bin/python scripts/dashboard_screenshots.py http://127.0.0.1:8000 demo PASSWORD
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PAGES = (
    ("overview", "/"),
    ("video", "/video"),
    ("affiliate", "/affiliate"),
    ("promotions", "/promotions"),
)


def main(base: str, username: str, password: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        for width, height, suffix in ((1280, 900, ""), (390, 844, "-phone")):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/sign-in")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/")
            for name, path in PAGES:
                if suffix and name == "overview":
                    continue
                page.goto(f"{base}{path}")
                page.wait_for_function(
                    "[...document.querySelectorAll('.chart')].every(c => c.dataset.state)"
                )
                target = OUT / f"{name}{suffix}.png"
                page.screenshot(path=target, full_page=True)
                print(target, target.stat().st_size)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
