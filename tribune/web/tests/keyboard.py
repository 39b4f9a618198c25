"""Driving a page by keyboard only, for the browser tests: Tab to a control, check it shows.

No mouse and no ``page.click``: the tests find their way with Tab (and
Shift+Tab), operate controls with Space, Enter and the arrow keys, and check
at every stop that the focused control is drawn with an outline that stands
out from the page (3:1, WCAG 1.4.11).
"""

import re

from conftest import PASSWORD

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(),
    text: (e.innerText || e.value || '').trim().slice(0, 80),
    name: e.getAttribute('name') || '',
    value: e.getAttribute('value') || '',
    id: e.id,
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    outlineColor: style.outlineColor,
    background: getComputedStyle(document.body).backgroundColor,
  };
}"""


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of a computed ``rgb(r, g, b)`` colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours: a focus indicator needs 3:1 (WCAG 1.4.11)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focused(page) -> dict | None:
    """What has the keyboard's focus (None: nothing, the page itself)."""
    return page.evaluate(FOCUSED)


def tab_to(page, matches, *, back: bool = False, limit: int = 120) -> dict:
    """Press Tab (or Shift+Tab) until ``matches(focused)`` holds; every stop must show focus."""
    key = "Shift+Tab" if back else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now is None:
            seen.append("(page)")
            continue
        assert now["outline"], f"no visible focus on {now}"
        ratio = contrast(now["outlineColor"], now["background"])
        assert ratio >= 3, f"the focus outline contrasts {ratio:.1f}:1 with the page on {now}"
        if matches(now):
            return now
        seen.append(f"{now['tag']}:{now['text'] or now['name']}")
    raise AssertionError(f"not reachable by {key}; the stops were: {seen}")


def text_is(label: str):
    return lambda f: f["text"] == label


def named(name: str, value: str = ""):
    return lambda f: f["name"] == name and (not value or f["value"] == value)


def log_in(page, base: str, short: str) -> None:
    """Log in as one of the test world's people by keyboard: Tab, type, Enter."""
    page.goto(f"{base}/accounts/login/")
    tab_to(page, lambda f: f["id"] == "id_login")
    page.keyboard.type(f"{short}@test.org")
    tab_to(page, lambda f: f["id"] == "id_password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url


def press_and_wait(page, key: str = "Enter") -> None:
    """Press a key that submits a form, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)
