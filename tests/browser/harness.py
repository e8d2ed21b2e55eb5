"""Headless Chromium driven by Selenium, and axe-core run on every page it shows.

`Browser` is one person at the keyboard: it opens pages, follows links, fills fields by
their labels and presses buttons by their words, and after every page it lands on checks
that page with axe-core (WCAG 2.1 A and AA) at a laptop's width and a phone's, and that at
the phone's width nothing is wider than the screen. A page that fails leaves a screenshot
in FAILURES, and the failure lists each rule broken: id, impact, the elements and the help.

Chromium and chromedriver are Debian's (`make browser-test-deps` installs them), axe-core
is the npm registry's (tests/browser/package-lock.json).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

HERE = Path(__file__).resolve().parent
FAILURES = HERE / "failures"
AXE_SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Without the background-networking flags Chromium waits on the network at start-up.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
LAPTOP = 1366
PHONE = 390
WIDTHS = (LAPTOP, PHONE)
# A tablet's width, where a navigation bar laid out in one row once ran past the screen: checked
# for width only.
TABLET = 800
HEIGHT = 900
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WAIT_SECONDS = 30

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(results => done(results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 8).map(n => n.target.join(' ')), count: v.nodes.length,
  }))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error),
    targets: [], count: 0}]));
"""
WIDER_THAN_SCREEN = """
const wide = [];
for (const element of document.body.querySelectorAll('*')) {
  const box = element.getBoundingClientRect();
  // What scrolls inside a table's box is fine, unless it is positioned out of the box.
  const inside = element.parentElement && element.parentElement.closest('.table-responsive')
    && !['absolute', 'fixed'].includes(getComputedStyle(element).position);
  if (box.right > window.innerWidth + 1 && !inside) {
    wide.push(element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
      + (element.className && typeof element.className === 'string'
         ? '.' + element.className.trim().split(/\\s+/).join('.') : ''));
  }
}
return [document.documentElement.scrollWidth, window.innerWidth, wide.slice(0, 8)];
"""


def start_chromium() -> tuple[webdriver.Chrome, Path]:
    """Headless Chromium with a fresh profile directory (returned, to be removed after)."""
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run `make browser-test-deps`.")
    profile = Path(tempfile.mkdtemp(prefix="incubator-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={LAPTOP},{HEIGHT}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # Bootstrap drops its transitions for people who ask for less motion; so does axe's view,
    # which would otherwise read a button's colours halfway through its hover fade.
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    driver.set_script_timeout(WAIT_SECONDS)
    driver.set_page_load_timeout(WAIT_SECONDS)
    return driver, profile


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    driver, profile = start_chromium()
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Problem:
    """What one page broke at one width."""

    path: str
    width: int
    lines: list[str]
    screenshot: Path

    def report(self) -> str:
        head = f"{self.path} at {self.width} px (screenshot {self.screenshot}):"
        return "\n".join([head, *(f"  - {line}" for line in self.lines)])


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80] or "home"


@dataclass
class Browser:
    """One person using the site in Chromium; every page they land on is checked."""

    driver: webdriver.Chrome
    base_url: str
    name: str
    # False: collect problems (problems) and go on, for a crawl; True: fail at the first page.
    strict: bool = True
    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    # Moving about.

    @property
    def path(self) -> str:
        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.check_page()

    def is_page_for_me(self, path: str) -> bool:
        """Whether the path answers this browser's person with an HTML page of its own (not a
        refusal, a redirect or a file), asked without opening it."""
        status, kind = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {redirect: 'manual', credentials: 'same-origin'})"
            ".then(r => done([r.status, r.headers.get('content-type') || '']))"
            ".catch(e => done([0, String(e)]));",
            self.base_url + path,
        )
        return status == 200 and kind.startswith("text/html")

    def sign_in(self, email: str, password: str) -> None:
        self.driver.delete_all_cookies()
        self.open("/auth/login")
        self.fill("Email", email)
        self.fill("Password", password)
        self.press("Sign in")
        assert "/auth/login" not in self.path, f"signing in as {email} failed: {self.alerts()}"

    def sign_out(self) -> None:
        self.driver.delete_all_cookies()

    def follow(self, text: str, within: WebElement | None = None) -> None:
        """Follow the link whose words are (or start with) `text`."""
        self._navigate(lambda: self._click(self.link(text, within)))

    def follow_first_link(self, within: WebElement) -> None:
        """Follow the first link in a row, card or section."""
        links = [a for a in within.find_elements(By.TAG_NAME, "a") if a.is_displayed()]
        assert links, f"no link in {within.text!r} on {self.path}"
        self._navigate(lambda: self._click(links[0]))

    def press(self, words: str, within: WebElement | None = None) -> None:
        """Press the button with these words and wait for the page it leads to."""
        self._navigate(lambda: self._click(self.button(words, within)))

    def reveal(self, words: str, within: WebElement | None = None) -> WebElement:
        """Open the <details> whose summary has these words; check what it shows."""
        scope = within or self.driver
        for summary in scope.find_elements(By.TAG_NAME, "summary"):
            if summary.is_displayed() and " ".join(summary.text.split()).startswith(words):
                details = summary.find_element(By.XPATH, "..")
                if details.get_attribute("open") is None:
                    self._click(summary)
                self.check_page()
                return details
        raise AssertionError(f"nothing to open called {words!r} on {self.path}")

    def _click(self, element: WebElement) -> None:
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except ElementClickInterceptedException:
            # Something drawn over it (a sticky bar); a keyboard user would press Enter.
            self.driver.execute_script("arguments[0].click();", element)

    def _navigate(self, action) -> None:
        page = self.driver.find_element(By.TAG_NAME, "html")
        action()
        try:
            WebDriverWait(self.driver, WAIT_SECONDS).until(expected_conditions.staleness_of(page))
        except TimeoutException:
            # Usually the browser's own validation holding a form back (a required field).
            invalid = self.driver.execute_script(
                "return [...document.querySelectorAll(':invalid')]"
                ".filter(e => e.name).map(e => e.name + ': ' + e.validationMessage)"
            )
            raise AssertionError(
                f"no new page after the click on {self.path}; fields the browser refuses: {invalid}"
            ) from None
        WebDriverWait(self.driver, WAIT_SECONDS).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        self.check_page()

    # Finding things as a person does: by their words.

    def link(self, text: str, within: WebElement | None = None) -> WebElement:
        scope = within or self.driver
        links = [a for a in scope.find_elements(By.TAG_NAME, "a") if a.is_displayed()]
        for exact in (True, False):
            for a in links:
                words = " ".join(a.text.split())
                label = a.get_attribute("aria-label") or ""
                if (words == text or label == text) if exact else words.startswith(text):
                    return a
        raise AssertionError(f"no link {text!r} on {self.path}: {[a.text for a in links]}")

    def button(self, words: str, within: WebElement | None = None) -> WebElement:
        scope = within or self.driver
        buttons = [
            b
            for b in scope.find_elements(
                By.CSS_SELECTOR, "button, input[type=submit], input[type=button]"
            )
            if b.is_displayed()
        ]
        for exact in (True, False):
            for b in buttons:
                text = " ".join((b.text or b.get_attribute("value") or "").split())
                if (text == words) if exact else text.startswith(words):
                    return b
        shown = [b.text or b.get_attribute("value") for b in buttons]
        raise AssertionError(f"no button {words!r} on {self.path}: {shown}")

    def field(self, label: str, within: WebElement | None = None) -> WebElement:
        """The input a <label> with these words (exactly, else at the start) names."""
        scope = within or self.driver
        labels = scope.find_elements(By.TAG_NAME, "label")
        for exact in (True, False):
            for element in labels:
                words = " ".join(element.text.split()).rstrip(" *")
                if (words == label) if exact else words.startswith(label):
                    target = element.get_attribute("for")
                    if target:
                        return self.driver.find_element(By.ID, target)
                    return element.find_element(By.CSS_SELECTOR, "input, select, textarea")
        for element in scope.find_elements(By.CSS_SELECTOR, "[aria-label]"):
            if element.get_attribute("aria-label") == label and element.is_displayed():
                return element
        shown = [element.text for element in labels]
        raise AssertionError(f"no field labelled {label!r} on {self.path}: {shown}")

    def fill(self, label: str, value: str, within: WebElement | None = None) -> None:
        element = self.field(label, within)
        kind = element.get_attribute("type")
        if kind in ("date", "time", "datetime-local"):
            # Typing into date inputs depends on the locale; set the value as a form would.
            self.driver.execute_script(
                "arguments[0].value = arguments[1];"
                "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                element,
                value,
            )
            return
        element.clear()
        element.send_keys(value)

    def choose(self, label: str, option: str, within: WebElement | None = None) -> None:
        """Pick the option whose words start with `option` in the select labelled `label`."""
        select = Select(self.field(label, within))
        for candidate in select.options:
            if " ".join(candidate.text.split()).startswith(option):
                select.select_by_visible_text(candidate.text)
                return
        raise AssertionError(
            f"{label!r} has no option {option!r}: {[o.text for o in select.options]}"
        )

    def tick(self, label: str, within: WebElement | None = None) -> None:
        element = self.field(label, within)
        if not element.is_selected():
            self.driver.execute_script("arguments[0].click();", element)

    def upload(self, label: str, path: Path) -> None:
        self.field(label).send_keys(str(path))

    def section(self, heading: str) -> WebElement:
        """The nearest section, card or form around the heading with these words."""
        for element in self.driver.find_elements(By.CSS_SELECTOR, "h1, h2, h3, h4, legend"):
            if " ".join(element.text.split()).startswith(heading):
                return element.find_element(
                    By.XPATH,
                    "ancestor::*[self::section or self::form or self::fieldset or "
                    "contains(concat(' ', @class, ' '), ' card ')][1]",
                )
        raise AssertionError(f"no heading {heading!r} on {self.path}")

    def region(self, label: str) -> WebElement:
        """The named region (a table's scrolling box) with this label."""
        for element in self.driver.find_elements(By.CSS_SELECTOR, "[role=region][aria-label]"):
            if element.get_attribute("aria-label") == label:
                return element
        raise AssertionError(f"no region {label!r} on {self.path}")

    def row(
        self, words: str, among: str = "tr, li, article, .card, .list-group-item"
    ) -> WebElement:
        """The smallest row, list item or card (or element matching `among`) that mentions
        these words."""
        found = [
            element
            for element in self.driver.find_elements(By.CSS_SELECTOR, among)
            if words in element.text
        ]
        if not found:
            raise AssertionError(f"no row mentions {words!r} on {self.path}")
        return min(found, key=lambda element: len(element.text))

    def text(self) -> str:
        """The main content's text as shown, spaces collapsed."""
        try:
            main = self.driver.find_element(By.TAG_NAME, "main")
        except NoSuchElementException:
            main = self.driver.find_element(By.TAG_NAME, "body")
        return " ".join(main.text.split())

    def alerts(self) -> list[str]:
        return [
            " ".join(element.text.split())
            for element in self.driver.find_elements(By.CSS_SELECTOR, "[role=alert]")
        ]

    def heading(self) -> str:
        return " ".join(self.driver.find_element(By.TAG_NAME, "h1").text.split())

    def links(self) -> list[str]:
        """Every same-site link's path on the page (navigation and main content)."""
        found = []
        for a in self.driver.find_elements(By.CSS_SELECTOR, "a[href]"):
            href = a.get_attribute("href") or ""
            if href.startswith(self.base_url):
                parts = urlsplit(href)
                found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return found

    # Checking.

    def check_page(self) -> None:
        """axe-core and the page's width at both widths, and the width alone on a tablet; then
        back to the laptop's."""
        path = self.path
        found: list[Problem] = []
        for width in (*WIDTHS, TABLET):
            self.driver.set_window_size(width, HEIGHT)
            lines = (self._axe() if width in WIDTHS else []) + self._too_wide(width)
            if lines:
                found.append(Problem(path, width, lines, self._screenshot(path, width)))
        self.driver.set_window_size(LAPTOP, HEIGHT)
        self.checked.append(path)
        self.problems += found
        if found and self.strict:
            raise AssertionError(
                "Accessibility problems (axe-core, WCAG 2.1 A/AA):\n"
                + "\n".join(problem.report() for problem in found)
            )

    def assert_no_problems(self) -> None:
        assert not self.problems, (
            f"{len(self.problems)} page widths with accessibility problems "
            f"(screenshots in {FAILURES}):\n"
            + "\n".join(problem.report() for problem in self.problems)
        )

    def _axe(self) -> list[str]:
        if not self.driver.execute_script("return !!window.axe"):
            self.driver.execute_script(AXE_SCRIPT.read_text())
        violations = self.driver.execute_async_script(RUN_AXE, AXE_TAGS)
        return [
            f"{v['id']} ({v['impact']}): {v['help']}; {v['count']} element(s): "
            + ", ".join(v["targets"])
            for v in violations
        ]

    def _too_wide(self, width: int) -> list[str]:
        scroll_width, inner_width, wide = self.driver.execute_script(WIDER_THAN_SCREEN)
        if scroll_width <= inner_width:
            return []
        return [
            f"page-width: the page is {scroll_width} px wide on a {inner_width} px screen; "
            f"wider elements: {', '.join(wide)}"
        ]

    def _screenshot(self, path: str, width: int) -> Path:
        FAILURES.mkdir(exist_ok=True)
        number = len(self.checked) + 1
        target = FAILURES / f"{slug(self.name)}-{number:02d}-{slug(path)}-{width}.png"
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(width, min(max(height, HEIGHT), 6000))
        self.driver.save_screenshot(str(target))
        self.driver.set_window_size(width, HEIGHT)
        return target
