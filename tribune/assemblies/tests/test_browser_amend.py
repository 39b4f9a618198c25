"""Amending by selection in a real browser: select a passage, type what replaces it.

Cam selects words of Ben's motion on the assembly page; a link offers to amend
exactly that passage; the amendment page has it filled in and says whether it
names one place in the motion; a passage found three times is refused by the
server on its field, asking for more; the tabled amendment reads as a
word-level change. Served by the ASGI server of test_browser (the assembly page
holds an event stream open).
"""

import pytest

from tribune.assemblies import services
from tribune.assemblies.models import Amendment
from tribune.assemblies.tests.sitting import convene
from tribune.assemblies.tests.test_browser import TIMEOUT, _log_in, asgi_server  # noqa: F401

pytestmark = pytest.mark.browser

HOUSING = "1. Rents are frozen.\n2. Repairs within 14 days.\n3. No evictions in winter."

# Select ``passage`` in the element as a person would with the mouse: one Range
# over its text, made the document's selection (selectionchange follows).
SELECT = """([selector, passage]) => {
  const node = document.querySelector(selector).firstChild;
  const at = node.textContent.indexOf(passage);
  const range = document.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + passage.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def _congress(world):
    assembly = convene(world, title="Founding congress")
    motion = services.table_motion(world.ben, assembly, title="Housing", text=HOUSING)
    return assembly, motion


def test_cam_selects_a_passage_and_types_its_replacement(asgi_server, live_world, browser):  # noqa: F811
    assembly, motion = _congress(live_world)
    contexts = []
    try:
        cam = _log_in(browser, contexts, asgi_server, "cam")
        cam.goto(f"{asgi_server}{assembly.get_absolute_url()}")
        text = f"#motion-{motion.pk} pre.current-text"
        link = f"#amend-selection-{motion.pk} a"
        assert cam.is_hidden(link)  # nothing selected, nothing offered
        cam.evaluate(SELECT, [text, "within 14 days"])
        cam.wait_for_selector(link, state="visible")
        cam.click(link)
        cam.wait_for_selector("#id_passage")
        assert cam.input_value("#id_passage") == "within 14 days"
        assert cam.input_value("#id_replacement") == "within 14 days"  # to edit in place
        cam.wait_for_selector("#passage-count:has-text('found once')")

        # A selection on the amendment page replaces the passage, and "replace with"
        # follows it until Cam types there herself.
        cam.evaluate(SELECT, ["#tabled-text", "in"])
        cam.wait_for_function("document.getElementById('id_passage').value === 'in'")
        assert cam.input_value("#id_replacement") == "in"
        assert "more than once" in cam.inner_text("#passage-count")
        cam.fill("#id_replacement", "inside")
        cam.click("button:has-text('Table the amendment')")
        cam.wait_for_selector("#id_passage_error")
        assert "occurs 3 times in the motion: select a longer passage" in cam.inner_text(
            "#id_passage_error"
        )
        assert not Amendment.objects.exists()

        cam.evaluate(SELECT, ["#tabled-text", "14 days.\n3. No evictions"])
        cam.wait_for_selector("#passage-count:has-text('found once')")
        # "replace with" was typed in, so the new selection leaves it alone.
        assert cam.input_value("#id_replacement") == "inside"
        cam.fill("#id_replacement", "7 days.\n3. No evictions at all")
        cam.click("button:has-text('Table the amendment')")
        cam.wait_for_selector("text=Amendment A1 is tabled.")
        amendment = Amendment.objects.get()
        assert (amendment.start, amendment.end) == (2, 3)
        assert amendment.new_text == "2. Repairs within 7 days.\n3. No evictions at all in winter."
        change = cam.inner_html(f"#amendment-{amendment.pk} pre.changes")
        assert "<del>14</del><ins>7</ins>" in change and "<ins>at all </ins>in winter" in change
    finally:
        for context in contexts:
            context.close()
