"""Accessibility, checked by axe-core in the browser (issue 18): every main page, in Chinese and
English, on a phone and a laptop, as an officer and a leader, has no violation of serious or
critical impact. axe-core comes bundled in the axe-playwright-python package (no CDN).

A failure names each rule, its help text and the first offending elements; the full results go
to test-artifacts/axe/ (role-language-width-page.json).
"""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from ..live import PASSWORD
from .test_screens import ROLES, WIDTHS, main_pages, screen, seen_by

SERIOUS = {"serious", "critical"}
# WCAG 2.1 A and AA, and the best practices a skip link and landmarks come under.
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                              "best-practice"]}, "resultTypes": ["violations"]}


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


def serious_violations(axe: Axe, page) -> tuple[list[str], dict]:
    results = axe.run(page, options=RULES).response
    found = []
    for violation in results["violations"]:
        if violation["impact"] in SERIOUS:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} → {targets}")
    return found, results


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(ROLES))
def test_no_serious_accessibility_violation_on_any_main_page(chromium, live_tracker, artifacts,
                                                             role, width, language):
    project_id, context = screen(chromium, live_tracker, width, language)
    out = artifacts / "axe"
    out.mkdir(exist_ok=True)
    axe = Axe()
    try:
        with seen_by(live_tracker.database_url, role):
            page = context.new_page()
            page.goto("/login")
            login_problems, _results = serious_violations(axe, page)
            page.fill("#username", ROLES[role])
            page.fill("#password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"/language/{language}")
            problems = {"login": login_problems} if login_problems else {}
            for name, url in every_page(project_id, role).items():
                response = page.goto(url)
                assert response.status == 200, (url, response.status)
                found, results = serious_violations(axe, page)
                (out / f"{role}-{language}-{WIDTHS[width]}-{name}.json").write_text(
                    json.dumps(results["violations"], ensure_ascii=False, indent=1))
                found += [f"text below 14 px: {text}" for text in small_text(page)]
                if found:
                    problems[name] = found
            assert not problems, "\n".join(f"{name}: {line}" for name, lines in problems.items()
                                            for line in lines)
    finally:
        context.close()
