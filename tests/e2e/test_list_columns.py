"""Issue 18 in a real browser at 390 px (a phone): a leader picks the list's progress columns,
the choice is kept for him, and the narrowed list fits the screen. Screenshot in test-artifacts/."""

from __future__ import annotations

import pytest

from ..live import PASSWORD


# The lines each element's text is set on: the distinct tops of its text's boxes.
LINES_OF = """selector => Array.from(document.querySelectorAll(selector), element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = new Set(Array.from(range.getClientRects(), box => Math.round(box.top)));
    return [element.textContent.trim(), tops.size];
})"""


@pytest.fixture()
def phone(chromium, live_tracker):
    context = chromium.new_context(base_url=live_tracker.url, locale="zh-CN",
                                   viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    yield context
    context.close()


def test_a_leader_on_a_phone_chooses_the_progress_columns_and_keeps_them(phone, artifacts):
    page = phone.new_page()
    page.goto("/login")
    page.fill("#username", "leader-e2e")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    try:
        page.goto("/projects?region=360783")
        page.click("details.column-choice summary")
        for box in page.query_selector_all("details.column-choice input[name=columns]"):
            if box.get_attribute("value") in ("progress", "rate", "late"):
                box.check()
            else:
                box.uncheck()
        page.click("details.column-choice button[type=submit]:not([name=reset])")
        page.wait_for_load_state()
        assert "region=360783" in page.url  # back on the list he was reading
        headers = [text.strip(" ▲▼") for text in page.locator("table.portfolio thead th").all_inner_texts()]
        assert headers == ["项目名称", "地区", "工程进度", "投资完成率", "滞后"], headers
        # Kept for him: a fresh visit shows the same columns.
        page.goto("/projects")
        assert page.locator("table.portfolio thead th").count() == 5
        # Five columns fit a phone's width: the table needs no sideways scrolling.
        width = page.evaluate("document.querySelector('table.portfolio').scrollWidth")
        assert width <= 390, width
        # A tag reads as a word: "滞后 341 天" on two lines at most, an unknown figure "未填报" on
        # one (squeezed, they stood a character a line, four lines high).
        lines = page.evaluate(LINES_OF, "table.portfolio .tag.late, table.portfolio td .unknown")
        assert lines and all(count <= (2 if text.startswith("滞后") else 1) for text, count in lines), lines
        assert any(text.startswith("滞后") for text, _count in lines), lines
        page.screenshot(path=str(artifacts / "list-progress-columns-390.png"), full_page=True)
    finally:
        page.goto("/projects")
        page.click("details.column-choice summary")
        page.click("details.column-choice button[name=reset]")
        page.wait_for_load_state()
