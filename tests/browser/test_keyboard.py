"""With the keyboard alone: the first Tab shows "Skip to main content", which leads to main,
and whatever has the focus wears a ring that stands out (3:1 or more) from what is around it,
on the dark navigation bar as on the page."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.harness import Browser

pytestmark = pytest.mark.browser

FOCUS = """
const element = document.activeElement;
const style = getComputedStyle(element);
const box = element.getBoundingClientRect();
// The ring is drawn just outside the element: read the background of what lies there.
const gap = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) / 2;
let around = document.elementsFromPoint(box.left - gap, box.top + box.height / 2)
  .find(other => other !== element && !element.contains(other));
while (around && getComputedStyle(around).backgroundColor === 'rgba(0, 0, 0, 0)') {
  around = around.parentElement;
}
return {
  text: (element.type === 'submit' ? element.value : element.textContent).trim(),
  outline: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor,
  background: around ? getComputedStyle(around).backgroundColor : 'rgb(255, 255, 255)',
  shown: box.width > 1 && box.height > 1 && box.top >= 0,
};
"""


def luminance(colour: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", colour)[:3])

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def tab(browser: Browser, times: int = 1) -> dict:
    for _ in range(times):
        browser.driver.switch_to.active_element.send_keys(Keys.TAB)
    return browser.driver.execute_script(FOCUS)


def assert_visible_ring(focused: dict) -> None:
    assert focused["outline"] == "solid" and focused["width"] >= 2, focused
    assert contrast(focused["colour"], focused["background"]) >= 3, focused


def test_the_first_tab_shows_the_skip_link_which_leads_to_main(browser: Browser):
    browser.open("/auth/login")

    focused = tab(browser)

    assert focused["text"] == "Skip to main content" and focused["shown"], focused
    assert_visible_ring(focused)
    browser.driver.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.driver.current_url.endswith("#main")


def test_the_focus_ring_stands_out_on_the_dark_bar_and_on_the_page(browser: Browser):
    browser.open("/auth/login")

    brand = tab(browser, 2)
    assert brand["text"].startswith("Accelerate: LA"), brand
    assert_visible_ring(brand)
    sign_in_link = tab(
        browser,
        2 if browser.driver.find_element(By.CSS_SELECTOR, ".navbar-toggler").is_displayed() else 1,
    )
    assert_visible_ring(sign_in_link)

    browser.field("Email").click()
    field = browser.driver.execute_script(FOCUS)
    assert_visible_ring(field)
    button = tab(browser, 3)
    assert button["text"] == "Sign in", button
    assert_visible_ring(button)
