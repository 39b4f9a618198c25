"""Word-level differences, rendered: what a member reads when comparing versions."""

from tribune.lib.worddiff import changed, render_changes


def test_changed_words_are_marked_in_the_rendered_text():
    html = render_changes(
        "Every office is **recallable** by its electorate.",
        "Every office is **recallable** by the members.",
    )
    assert "<strong>recallable</strong>" in html
    assert "<del>its electorate</del>" in html
    assert "<ins>the members</ins>" in html
    assert "@@" not in html and "\ue000" not in html


def test_a_change_across_paragraphs_stays_well_formed():
    html = render_changes("First paragraph.\n\nSecond one.", "First.\n\nA new second one.")
    assert html.count("<p>") == html.count("</p>") == 2
    assert html.count("<ins>") == html.count("</ins>")
    assert html.count("<del>") == html.count("</del>")


def test_markup_and_script_in_either_version_are_neutralised():
    html = render_changes("<script>alert(1)</script> old", "<img src=x onerror=alert(1)> new")
    assert "<script" not in html and "<img" not in html  # shown as text, escaped
    assert "&lt;" in html


def test_unchanged_text_has_no_marks():
    assert not changed("Same words.", "Same words.")
    html = render_changes("Same words.", "Same words.")
    assert "<ins>" not in html and "<del>" not in html
