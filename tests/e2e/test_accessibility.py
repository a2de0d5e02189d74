"""Every main page on a phone (390 px) and a laptop (1366 px), in Chinese and English, as each role
(an officer, a leader, the admin, and a viewer from whom money is hidden), loaded once and checked
at both widths (issue 18):
- the page itself never scrolls sideways (a wide table may scroll inside its own box);
- no visible text is set below 14 px;
- axe-core (bundled in the axe-playwright-python package, no CDN) finds no violation of serious or
  critical impact, the login page included.

axe runs every rule at the laptop width, color-contrast (over half of axe's time) in Chinese
only. A contrast is the text's colour against the colours behind it, and no colour depends on the
width or the language: ``test_no_colour_depends_on_the_screen_width`` fails when a
width-dependent rule of the stylesheet sets one, or hides an element, and
``test_no_colour_depends_on_the_language`` when a selector or a template looks at the language
(then run it at both widths, or in both languages, again). At the phone width axe runs the rules
that judge the layout (``LAYOUT_RULES``: below 900 px a table becomes a box of its own that
scrolls, which scrollable-region-focusable judges); the other rules judge the markup, the same
at both widths. The officer in Chinese (``GUARD``) runs every rule at both widths and fails when
any other rule judges any page differently at the two: that rule then joins LAYOUT_RULES.

Each page is loaded once, checked in the window it loaded in, then the window is resized to the
other width and the page checked again (the next page loads at the width this one ended at): the server
renders each page once per role and language, not once per width. A page resized is laid out as
one loaded at that width, since CSS follows the window by itself and nothing else reads the width
(``test_no_script_reads_the_screen_width`` fails when a script or the markup does).

A failure names each rule, its help text and the first offending elements; the full results go
to test-artifacts/axe/ (role-language-width-page.json), a screenshot of each page that failed to
test-artifacts/screens/ (role-language-width-page.jpeg; of every page with TRACKER_SCREENSHOTS=1).
"""

from __future__ import annotations

import json
import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tracker.config import PROJECT_ROOT

from ..live import PASSWORD
from .test_screens import ROLES, VIEWPORTS, WIDTHS, main_pages, overflow, screen, seen_by

SERIOUS = {"serious", "critical"}
# WCAG 2.1 A and AA, and the best practices a skip link and landmarks come under.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RULES = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
# The rules whose verdict cannot change with the width or the language run at one width, in one
# language (module docstring).
ONE_WIDTH_RULES = ["color-contrast"]
ONE_WIDTH, ONE_LANGUAGE = "laptop", "zh"
ONCE = {**RULES, "rules": {rule: {"enabled": False} for rule in ONE_WIDTH_RULES}}
# The rules that judge the layout, which the width changes (below 900 px a table becomes a box of
# its own that scrolls): the only ones run again at the phone width. Every other rule judges the
# markup and the colours, the same at both widths; the guard role and language below runs every
# rule at both widths and fails if any other rule's verdict on any page differs between them.
LAYOUT_RULES = ["scrollable-region-focusable"]
LAYOUT = {"runOnly": {"type": "rule", "values": LAYOUT_RULES}, "resultTypes": ["violations"]}
GUARD = ("officer", "zh")  # the role with the most pages
EVERY_RESULT = {"runOnly": RULES["runOnly"]}  # every node of every result type, to compare


def rules_at(width: str, language: str, guard: bool = False) -> dict:
    if guard:
        contrast = (width, language) == (ONE_WIDTH, ONE_LANGUAGE)
        return EVERY_RESULT if contrast else {**EVERY_RESULT, "rules": ONCE["rules"]}
    if width != ONE_WIDTH:
        return LAYOUT
    return RULES if language == ONE_LANGUAGE else ONCE


# Every run asks axe for its nodes as elements, not CSS selectors (axe makes a unique selector for
# each node it reports, which was a fifth of the walk's axe time), and names the nodes of the
# violations alone by axe's own selector afterwards (none on a page that passes). The guard's run
# keeps every rule's nodes, passed or not, named by their place in the document to compare the two
# widths (one load: the same elements at both); any other run returns its violations alone.
AXE_RUN = """async ({options, everything}) => {
    const results = await axe.run(document, {...options, selectors: false, elementRef: true});
    const order = everything && new Map(Array.from(document.querySelectorAll("*"), (element, index) => [element, index]));
    if (results.violations.length) axe.setup(document);  // the tree axe's selectors are made from
    try {
        for (const kind of everything ? ["violations", "passes", "incomplete", "inapplicable"] : ["violations"]) {
            results[kind] = results[kind].map(rule => ({
                ...(kind === "violations" ? rule : {id: rule.id}),
                nodes: rule.nodes.map(({element, ...node}) => kind === "violations"
                    ? {...node, target: [axe.utils.getSelector(element)]}
                    : {target: [`#${order.get(element)}`]})}));
        }
    } finally {
        if (results.violations.length) axe.teardown();
    }
    return everything ? results : {violations: results.violations};
}"""


def verdicts(results: dict) -> dict[str, dict[str, list[str]]]:
    """Each rule's nodes per result type, but the rules the width may change (the guard's test)."""
    return {kind: {rule["id"]: sorted(" ".join(node["target"]) for node in rule["nodes"])
                   for rule in results[kind] if rule["id"] not in LAYOUT_RULES + ONE_WIDTH_RULES}
            for kind in ("violations", "passes", "incomplete", "inapplicable")}


# A screenshot of each page that failed a check; of every page with TRACKER_SCREENSHOTS=1 (they
# assert nothing, and cost a sixth of the walk).
EVERY_SCREENSHOT = os.environ.get("TRACKER_SCREENSHOTS") == "1"
# What a width-dependent rule of the stylesheet may not set, for ONE_WIDTH_RULES to stay true.
# (display: none too: text shown at one width only would have its contrast checked at neither.)
COLOUR_PROPERTIES = re.compile(r"(?<![\w-])(color|background[\w-]*|opacity|filter|mix-blend-mode|"
                               r"visibility|border-color|outline-color|text-shadow|fill|stroke)\s*:"
                               r"|(?<![\w-])display\s*:\s*none")
# Where the templates and the code read the reader's language, and how often: each place has been
# looked at (the language's name, the switch, reading a sheet's headings in either language), and
# none chooses a class or a colour by it. A new one fails test_no_colour_depends_on_the_language.
LANGUAGE_READ = re.compile(r"\bg\.locale\b|\bget_locale\b|\bforce_locale\b|\bLANGUAGES\b")
LANGUAGE_READERS = {"templates/base.html": 3, "templates/api/docs.html": 1, "tracker/application.py": 5, "tracker/config.py": 1,
                    "tracker/core/translation.py": 1,  # its docstring: force_locale is honoured
                    "tracker/core/fonts.py": 2,  # a PDF's lines break by its language: no colour
                    "tracker/forms.py": 2,  # WTForms' own messages in the reader's language
                    "tracker/imports/cells.py": 4, "tracker/imports/importer.py": 1,  # a sheet read in either language
                    "tracker/imports/views.py": 3,  # a preview read again in the language switched to
                    "tracker/plans/actuals.py": 3}  # its sheet found by its name in either language
# What a script or the markup may not use for one load to serve both widths (``at_both_widths``).
WIDTH_READERS = re.compile(r"\b(innerWidth|outerWidth|innerHeight|outerHeight|clientWidth|clientHeight|offsetWidth|"
                           r"offsetHeight|scrollWidth|getBoundingClientRect|getClientRects|matchMedia|"
                           r"ResizeObserver|visualViewport|devicePixelRatio|screen\.(?:width|height|avail\w+)|"
                           r"onresize|srcset)\b|<picture\b|[\"']resize[\"']")


def every_page(project_id: int, role: str) -> dict[str, str]:
    """The screens' main pages, and the pages of a user's home (tracker/home/)."""
    return main_pages(project_id, role) | {"home": "/account/home", "views": "/views"}


def small_text(page) -> list[str]:
    """Visible text set below 14 px (outside the drawings, whose text scales with them)."""
    return page.evaluate("""() => {
        const found = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode, el = node.parentElement;
            if (!node.textContent.trim() || !el || el.closest('svg')) continue;
            const box = el.getBoundingClientRect(), style = getComputedStyle(el);
            if (!box.width || !box.height || style.visibility === 'hidden') continue;
            const size = parseFloat(style.fontSize);
            if (size < 14) found.push(`${el.tagName.toLowerCase()}.${el.className} ${size}px: ${node.textContent.trim().slice(0, 20)}`);
        }
        return found.slice(0, 5);
    }""")


def serious_violations(page, width: str, language: str, guard: bool = False) -> tuple[list[str], dict]:
    """axe-core's verdict on the page (put in every page of the context by ``with_axe``)."""
    results = page.evaluate(AXE_RUN, {"options": rules_at(width, language, guard), "everything": guard})
    found = []
    for violation in results["violations"]:
        if violation["impact"] in SERIOUS:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} → {targets}")
    return found, results


def with_axe(project_id: int, context):
    """The context, with axe-core in each of its pages from the start: sent to the browser once,
    not with every page (its 570 KB took a tenth of the walk's time)."""
    context.add_init_script(script=Axe().axe_script)
    return project_id, context


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_main_page_fits_both_screens_with_no_serious_accessibility_violation(
        chromium, live_tracker, artifacts, role, language):
    axes, shots = artifacts / "axe", artifacts / "screens"
    axes.mkdir(exist_ok=True)
    shots.mkdir(exist_ok=True)
    project_id, context = with_axe(*screen(chromium, live_tracker, "laptop", language))
    problems: dict[str, list] = {}
    guard = (role, language) == GUARD
    try:
        with seen_by(live_tracker.database_url, role):
            page = context.new_page()
            page.goto("/login")
            seen = {}
            for width in at_both_widths(page):
                found, results = serious_violations(page, width, language, guard)
                seen[width] = verdicts(results) if guard else None
                if found:
                    problems[f"{width} login"] = found
            if seen["laptop"] != seen["phone"]:
                problems["login: a markup rule judged the widths differently"] = [str(seen)]
            page.fill("#username", ROLES[role])
            page.fill("#password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"/language/{language}")
            for name, url in every_page(project_id, role).items():
                response = page.goto(url)
                assert response.status == 200, (url, response.status)
                if role == "viewer" and name == "project":  # the pages walked are money-less
                    assert page.get_by_text("已隐藏" if language == "zh" else "Hidden", exact=True).count()
                seen = {}
                for width in at_both_widths(page):
                    found = []
                    if name in main_pages(project_id, role):  # the screens' pages
                        wide = overflow(page)
                        if wide["scroll"] > wide["width"]:
                            found.append(f"scrolls sideways: {wide}")
                    axe_found, results = serious_violations(page, width, language, guard)
                    seen[width] = verdicts(results) if guard else None
                    (axes / f"{role}-{language}-{WIDTHS[width]}-{name}.json").write_text(
                        json.dumps(results["violations"], ensure_ascii=False, indent=1))
                    found += axe_found + [f"text below 14 px: {text}" for text in small_text(page)]
                    if found:
                        problems[f"{width} {name}"] = found
                    if found or EVERY_SCREENSHOT:
                        # JPEG: half the CPU of a PNG of a whole page, and as good to look at.
                        page.screenshot(path=str(shots / f"{role}-{language}-{WIDTHS[width]}-{name}.jpeg"),
                                        full_page=True, quality=80)
                if seen["laptop"] != seen["phone"]:
                    problems[f"{name}: a markup rule judged the widths differently (LAYOUT_RULES)"] = [
                        f"{kind} {rule}" for kind in seen["laptop"]
                        for rule in set(seen["laptop"][kind]) | set(seen["phone"][kind])
                        if seen["laptop"][kind].get(rule) != seen["phone"][kind].get(rule)]
            assert not problems, "\n".join(f"{name}: {line}" for name, lines in problems.items()
                                            for line in lines)
    finally:
        context.close()


def test_a_violation_is_named_by_its_element_and_the_guard_compares_every_node(chromium):
    """What the walk's axe runs send back (``AXE_RUN``): each violation with its nodes named by
    axe's selector, after a run that made none; the guard's passes and the rest by each node's
    place in the document, so that the same page compares equal to itself and a page whose
    elements changed does not."""
    page = chromium.new_page()
    try:
        page.set_content('<html lang="en"><title>t</title><body><main><h1>t</h1><img src="x.png">'
                         '<p id="faint" style="color:#ccc;background:#fff">faint</p></main></body></html>')
        page.add_script_tag(content=Axe().axe_script)
        found, results = serious_violations(page, "laptop", "zh")
        assert [line.split(" ")[0] for line in found] == ["color-contrast", "image-alt"], found
        assert found[0].endswith("→ #faint") and found[1].endswith("→ img"), found
        assert set(results) == {"violations"}
        _, first = serious_violations(page, "laptop", "zh", guard=True)
        _, again = serious_violations(page, "laptop", "zh", guard=True)
        assert verdicts(first) == verdicts(again) and verdicts(first)["passes"]
        assert all(node["target"][0].startswith("#") for rule in first["passes"] for node in rule["nodes"])
        page.evaluate("document.querySelector('img').alt = 'a picture'")
        _, mended = serious_violations(page, "laptop", "zh", guard=True)
        assert verdicts(first)["violations"]["image-alt"] == ["img"]
        assert "image-alt" not in verdicts(mended)["violations"]
        assert verdicts(mended)["passes"]["image-alt"] == [f"#{page.evaluate(IMG_PLACE)}"]
    finally:
        page.close()


IMG_PLACE = "Array.from(document.querySelectorAll('*')).indexOf(document.querySelector('img'))"


def at_both_widths(page):
    """The loaded page at both widths: first at the width its window has, then resized to the
    other (one load, two layouts: ``test_no_script_reads_the_screen_width``). Yields the width
    shown; the next page loads at the width this one ended at."""
    first = "laptop" if page.viewport_size["width"] == WIDTHS["laptop"] else "phone"
    yield first
    other = "phone" if first == "laptop" else "laptop"
    page.set_viewport_size(VIEWPORTS[other])
    yield other


def test_no_colour_depends_on_the_screen_width():
    """What lets color-contrast run at one width (module docstring): no rule under a width
    condition (``@media … max-width …``) sets a colour, a background, opacity or visibility, or
    hides an element."""
    sheets = {path.name: path.read_text() for path in (PROJECT_ROOT / "tracker" / "static").glob("*.css")}
    sheets |= {path.name: "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", path.read_text(), re.S))
               for path in (PROJECT_ROOT / "templates").rglob("*.html")}
    offending = []
    for name, css in sheets.items():
        for condition, body in media_blocks(css):
            if "width" in condition:
                offending += [f"{name} {condition}: {found.group(0)}" for found in COLOUR_PROPERTIES.finditer(body)]
    assert sheets and not offending, offending


def test_no_colour_depends_on_the_language():
    """What lets color-contrast run in one language (module docstring): no stylesheet selects by
    language (``:lang()``, ``[lang]``), and the templates and the code look at the reader's
    language only to name it: ``<html lang>`` and the language switch, where the language shown
    is bold and the other a link in both languages alike. Anything else that does (a class or a
    style chosen by language) fails this until the walk runs color-contrast in both again."""
    sheets = {path.name: path.read_text() for path in (PROJECT_ROOT / "tracker" / "static").glob("*.css")}
    sheets |= {path.name: "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", path.read_text(), re.S))
               for path in (PROJECT_ROOT / "templates").rglob("*.html")}
    assert sheets
    by_language = [f"{name}: {found.group(0)}" for name, css in sheets.items()
                   for found in re.finditer(r":lang\(|\[\s*(?:xml:)?lang\b", css)]
    assert not by_language, by_language
    readers = {}
    for path in [*(PROJECT_ROOT / "templates").rglob("*.html"), *(PROJECT_ROOT / "tracker").rglob("*.py")]:
        count = len(LANGUAGE_READ.findall(path.read_text()))
        if count:
            readers[str(path.relative_to(PROJECT_ROOT))] = count
    assert readers == LANGUAGE_READERS, readers


def test_no_script_reads_the_screen_width():
    """What lets the walk load a page once and resize its window to the other width (module
    docstring): a page resized is laid out as one loaded at that width only if nothing ran at
    load time on the width. CSS (media queries, viewport units) follows a resize by itself; a
    script that reads the window's or an element's size, or listens for a resize, and markup that
    picks a file by width (``srcset``, ``<picture>``) would not: load each page at each width
    again then."""
    sources = {path.name: path.read_text() for path in (PROJECT_ROOT / "tracker" / "static").glob("*.js")}
    sources |= {path.name: path.read_text() for path in (PROJECT_ROOT / "templates").rglob("*.html")}
    assert any(name.endswith(".js") for name in sources) and any(name.endswith(".html") for name in sources)
    offending = [f"{name}: {found.group(0)}" for name, text in sources.items()
                 for found in WIDTH_READERS.finditer(text)]
    assert not offending, offending


def media_blocks(css: str) -> list[tuple[str, str]]:
    """Each ``@media`` rule's condition and its body (braces matched, comments dropped)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    blocks = []
    for start in re.finditer(r"@media([^{]*)\{", css):
        depth, index = 1, start.end()
        while depth and index < len(css):
            depth += {"{": 1, "}": -1}.get(css[index], 0)
            index += 1
        blocks.append((start.group(1).strip(), css[start.end():index - 1]))
    return blocks
