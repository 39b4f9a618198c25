"""The Content-Security-Policy: pages run no inline script and load nothing from other sites.

Three layers: every response carries the policy; no template holds what the
policy would block (inline ``<script>``/``<style>``, ``on*=`` handlers,
``style=`` attributes, ``javascript:`` links), so nothing silently stops
working; and Chromium loads key pages, the API docs among them, and fails on
any policy violation or any request to another origin.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from conftest import PASSWORD

TRIBUNE = Path(__file__).resolve().parents[2]

BLOCKED_IN_TEMPLATES = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"),
    "inline style element": re.compile(r"<style\b"),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_every_page_carries_the_policy(db):
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src" not in directives and "style-src" not in directives  # 'self' only


def test_the_api_docs_are_served_from_this_server(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert finders.find("ninja/swagger-ui-bundle.js")  # shipped by django-ninja


def test_no_template_holds_what_the_policy_blocks():
    offenders = []
    for path in sorted(TRIBUNE.rglob("templates/**/*.html")):
        text = path.read_text()
        for what, pattern in BLOCKED_IN_TEMPLATES.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(TRIBUNE)}:{line}: {what}")
    assert offenders == []


# --- in Chromium -------------------------------------------------------------------------------

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


class Watch:
    """Every CSP violation, console error and request to another origin, on one page."""

    def __init__(self, page, base: str):
        self.page, self.origin = page, urlsplit(base)[:2]
        self.foreign: list[str] = []
        self.console: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("request", self._request)
        page.on("console", self._console)

    def _request(self, request) -> None:
        url = urlsplit(request.url)
        if url.scheme in {"data", "blob", "about"}:
            return
        if url[:2] != self.origin:
            self.foreign.append(request.url)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str, ready: str = "main, body") -> None:
        self.page.goto(url)
        self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        violations = self.page.evaluate("window.__violations")
        assert (violations, self.console, self.foreign) == ([], [], []), url


@pytest.mark.browser
def test_key_pages_run_under_the_policy_and_load_nothing_from_elsewhere(
    live_server, live_world, browser
):
    base, slug = live_server.url, live_world.org.slug
    context = browser.new_context()
    watch = Watch(context.new_page(), base)

    watch.visit(f"{base}/")
    watch.visit(f"{base}/o/{slug}/")
    watch.visit(f"{base}/o/{slug}/join/")
    watch.visit(f"{base}/accounts/login/")
    # The API docs: Swagger UI from local files, rendered (it was blank from a CDN).
    watch.visit(f"{base}/api/v1/docs", ready=".swagger-ui .info .title")
    assert "Tribune API" in watch.page.inner_text(".swagger-ui .info .title")
    watch.page.wait_for_selector(".opblock-tag")  # the operations, read from openapi.json

    # Logged in, the pages that use htmx and the little scripts.
    watch.page.goto(f"{base}/accounts/login/")
    watch.page.fill("#id_login", "ana@test.org")
    watch.page.fill("#id_password", PASSWORD)
    watch.page.click("button[type=submit]")
    watch.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for path in ("me/", "members/", "applications/", "constitution/", "elections/", "audit/"):
        watch.visit(f"{base}/o/{slug}/{path}")
    watch.visit(f"{base}/accounts/2fa/")
    watch.visit(f"{base}/accounts/2fa/totp/activate/")  # the QR code is a data: image
    context.close()
