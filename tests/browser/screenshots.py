"""Screenshots of each demo role's home for the README: `make screenshots`.

Seeds the demo program (`flask seed-demo`) into a throw-away SQLite database, serves it with
gunicorn, signs in as each role in headless Chromium and saves the whole home page at
1366 px wide as docs/screenshots/<role>-home.png; then, as the demo founder who reads the site
in Spanish (seed.SPANISH_FOUNDER), her home in Spanish as docs/screenshots/founder-home-es.png.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from flask import Flask

from incubator import create_app
from incubator.demo import seed
from tests.browser.harness import LAPTOP, Browser, chromium

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "docs" / "screenshots"
ROLES = ["manager", "founder", "mentor", "judge", "funder", "partner"]
# The one-per-role logins ("founder-es", the Spanish-reading founder's, is not one of them).
LOGIN = re.compile(r"^\s+(\w+)\s+(\S+@\S+)\s+password: (\S+)$", re.M)
TALLEST = 2400


def app_on(url: str) -> Flask:
    return create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})


def main() -> int:
    from tests.races import served_app

    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="incubator-screenshots-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        for served in served_app(url, Path(folder) / "gunicorn.log", app_on):
            with served.app.app_context():
                output = served.app.test_cli_runner().invoke(args=["seed-demo"]).output
            logins = {role: (email, password) for role, email, password in LOGIN.findall(output)}
            with chromium() as driver:
                browser = Browser(driver, served.base_url, "screenshots", strict=False)
                shots = [(f"{role}-home.png", logins[role]) for role in ROLES]
                spanish = (seed.SPANISH_FOUNDER.email, seed.SPANISH_FOUNDER.password)
                # Her saved language, not the browser's, makes the page Spanish.
                shots.append(("founder-home-es.png", spanish))
                for name, login in shots:
                    browser.sign_in(*login)
                    browser.open("/")
                    height = driver.execute_script("return document.documentElement.scrollHeight")
                    # The window is taller than the page it shows by the browser's own bars.
                    driver.set_window_size(LAPTOP, min(height + 160, TALLEST))
                    path = TARGET / name
                    driver.save_screenshot(str(path))
                    print(f"{name}: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
