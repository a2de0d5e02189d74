"""Every main page on a phone (390 px) and a laptop (1366 px), in Chinese and English, as an officer
and a leader: the page itself never scrolls sideways (a wide table may scroll inside its own box).

Screenshots go to test-artifacts/screens/ (role-language-width-page.png).
"""

from __future__ import annotations

import pytest

from ..live import PASSWORD, scalar

SEED_KEY = "longnan-t6-01"
REGION = "360783"
WIDTHS = {"phone": 390, "laptop": 1366}
ROLES = {"officer": "officer-1", "leader": "leader-e2e"}


def main_pages(project_id: int, role: str) -> dict[str, str]:
    pages = {"list": f"/projects?region={REGION}", "project": f"/projects/{project_id}",
             "dashboard": f"/dashboard?region={REGION}", "country": "/dashboard"}
    if role == "officer":  # a leader reads; the forms are the officer's
        pages |= {"milestones": f"/projects/{project_id}/milestones",
                  "report": f"/projects/{project_id}/reports/new", "import": "/import",
                  "todo": "/todo"}
    return pages


def overflow(page) -> dict:
    """How far the page is wider than the window, and the widest elements that stick out."""
    return page.evaluate("""() => {
        const width = window.innerWidth;
        const wide = [];
        for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.right > width + 1 && box.width > 0) {
                // Only the outermost offender: its parents are inside the window.
                if (!el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
                    wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
                              ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(box.right));
            }
        }
        return {scroll: document.documentElement.scrollWidth, width: width, wide: wide.slice(0, 8)};
    }""")


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(ROLES))
def test_every_main_page_fits_the_screen(chromium, live_tracker, artifacts, role, width, language):
    project_id = scalar(live_tracker.database_url, "SELECT id FROM projects WHERE seed_key = :key",
                        key=SEED_KEY)
    context = chromium.new_context(base_url=live_tracker.url,
                                   locale="zh-CN" if language == "zh" else "en-US",
                                   viewport={"width": WIDTHS[width], "height": 844 if width == "phone" else 900})
    context.set_default_timeout(20_000)
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", ROLES[role])
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"/language/{language}")
        problems = {}
        for name, url in main_pages(project_id, role).items():
            response = page.goto(url)
            assert response.status == 200, (url, response.status)
            found = overflow(page)
            page.screenshot(path=str(shots / f"{role}-{language}-{WIDTHS[width]}-{name}.png"),
                            full_page=True)
            if found["scroll"] > found["width"]:
                problems[name] = found
        assert problems == {}
    finally:
        context.close()


def test_the_list_prints_on_a4_landscape_with_every_column(chromium, live_tracker, artifacts):
    from pypdf import PdfReader
    import io

    context = chromium.new_context(base_url=live_tracker.url, locale="zh-CN",
                                   viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", ROLES["leader"])
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"/projects?region={REGION}")
        # On the phone the list scrolls inside its box (its columns are the reader's choice) …
        assert page.locator("table.portfolio thead th", has_text="状态").is_visible()
        page.emulate_media(media="print")
        # … on paper every chosen column is there, and the filters are not.
        assert page.locator("table.portfolio thead th", has_text="建设性质").is_visible()
        assert not page.locator("form.filters").is_visible()
        pdf = page.pdf(prefer_css_page_size=True, print_background=False)
        (artifacts / "screens").mkdir(exist_ok=True)
        (artifacts / "screens" / "list-print.pdf").write_bytes(pdf)
        first = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        assert (round(float(first.width)), round(float(first.height))) == (842, 595)  # A4 landscape
    finally:
        context.close()
