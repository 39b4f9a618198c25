"""Every page a demo role can reach from its home: it answers, fits a phone, and is accessible.

As a visitor, a member (Ben), the branch secretary (Ana) and a faction organiser (Cam),
the crawl follows the links of each page from the home, breadth first and bounded
(``PER_SHAPE`` pages of one shape — ``/o/x/elections/N/`` — and ``MAX_PAGES`` in all), and
asserts for every page, read with Django's test client:

* no server error, and no link to a page that answers 403 or 404 to that role;
* the page sits in the site's frame (its header, menu and footer);
* no code word from the registries on screen (a power's key, an audit action's name).

Then, in Chromium, one page of each kind (each route the role reached, once over all
roles) is checked at 390 px — nothing reaches past the right edge — and axe-core (bundled
by axe-playwright-python: nothing is fetched) finds no serious or critical violation at
390 px and at 1280 px. It prints pages × roles checked.
"""

import re
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve

from tribune.web.tests.test_plain_words import code_words, found_in, visible_text

pytestmark = pytest.mark.browser

ROLES = (None, "ben@example.org", "ana@example.org", "cam@example.org")
MAX_PAGES = 60
PER_SHAPE = 2
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
# Followed for their status only: files, feeds and the API's own pages.
NOT_HTML = re.compile(r"\.(ics|json|blt|csv|md|pdf)$|/(feed|calendar)[^/]*$|^/api/")
# Not followed at all: leaving the session, and the endless live-event stream.
NEVER = {"assembly_events", "account_logout"}
SERIOUS = {"serious", "critical"}
# Checked by axe at 1280 px too: the pages whose wide layout differs (menu groups in sight,
# tables unfolded). Every page is checked at 390 px.
WIDE_TOO = {
    "web:home",
    "web:organisation",
    "web:election",
    "web:assembly",
    "web:constitution",
    "web:debate",
    "web:faction",
    "web:office",
    "web:directory",
    "web:audit",
    "web:bodies",
}
# A screen of its own, by design: the projector shows the live vote to the hall, full screen.
FRAMELESS = {"web:projector"}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def internal_links(page: str) -> list[str]:
    parser = Links()
    parser.feed(page)
    found = []
    for href in parser.hrefs:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/"):
            continue
        found.append(href)
    return found


def shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(path).path)


def route(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client: Client, words: set[str]) -> tuple[list[str], list[str]]:
    """Pages reached (HTML, in order) and the problems found on the way."""
    seen, shapes, problems, pages = {"/"}, {}, [], []
    queue = deque(["/"])
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        status = response.status_code
        if status in (301, 302):
            continue
        if status != 200:
            problems.append(f"{path} answers {status}")
            continue
        if NOT_HTML.search(urlsplit(path).path) or "html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        pages.append(path)
        framed = '<header class="site">' in page and '<footer class="site">' in page
        if not framed and route(path) not in FRAMELESS:
            problems.append(f"{path} is outside the site's frame")
        shown = found_in(visible_text(page), words)
        if shown:
            problems.append(f"{path} shows code words {shown}")
        for link in internal_links(page):
            if link in seen or link.startswith("/static/"):
                continue
            seen.add(link)
            name = route(link)
            if name is None:
                problems.append(f"{path} links to {link}, which is no page")
                continue
            if name.split(":")[-1] in NEVER:
                continue
            key = shape(link)
            if shapes.get(key, 0) >= PER_SHAPE:
                continue
            shapes[key] = shapes.get(key, 0) + 1
            queue.append(link)
    return pages, problems


def read_as(email: str | None, words: set[str]):
    client = Client()
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    return (client, *crawl(client, words))


def overflow(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def serious(axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} — {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def demo(transactional_db):
    from tribune.organisations.demo import create_demo

    return create_demo(members=80)


def test_every_page_reachable_from_home(live_server, demo, browser):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    words = code_words()
    problems: list[str] = []
    checked_routes: set[str] = set()
    counted = {"pages": 0, "browser": 0}
    spent = {"read": 0.0, "browser": 0.0}
    for email in ROLES:
        who = email or "a visitor"
        started = time.monotonic()
        # The test client runs in a thread of its own: Playwright's loop holds this one.
        with ThreadPoolExecutor(1) as thread:
            client, pages, found = thread.submit(read_as, email, words).result()
        spent["read"] += time.monotonic() - started
        problems += [f"as {who}: {p}" for p in found]
        counted["pages"] += len(pages)
        # One page of each kind in the browser, as this role (its own session cookie).
        sample = [p for p in pages if route(p) not in checked_routes or p == "/"]
        sample = list(dict.fromkeys(sample))
        checked_routes.update(route(p) for p in sample)
        started = time.monotonic()
        context = browser.new_context(viewport=PHONE)
        if email:
            session = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        tab = context.new_page()
        for path in sample:
            tab.set_viewport_size(PHONE)
            tab.goto(live_server.url + path)
            wide = overflow(tab)
            if wide > 0:
                problems.append(f"as {who}: {path} overflows 390 px by {wide} px")
            problems += [f"as {who}: {path} at 390 px: {v}" for v in serious(axe, tab)]
            if route(path) in WIDE_TOO:
                tab.set_viewport_size(DESK)
                problems += [f"as {who}: {path} at 1280 px: {v}" for v in serious(axe, tab)]
            counted["browser"] += 1
        context.close()
        spent["browser"] += time.monotonic() - started
    print(
        f"crawl: {counted['pages']} pages × roles read ({spent['read']:.0f} s), "
        f"{counted['browser']} checked in the browser ({spent['browser']:.0f} s), "
        f"{len(ROLES)} roles"
    )
    assert problems == [], "\n".join(problems)
