"""In a real browser: an admin finds one county among the country's 3,200 regions by typing."""

from __future__ import annotations

import pytest

from ..live import PASSWORD, LiveServer, make_app


@pytest.fixture(scope="module")
def country_tracker(databases, tmp_path_factory):
    """The seeded tracker with the national divisions loaded, as `make run` leaves it."""
    from tracker.audit.services import CLI
    from tracker.extensions import db
    from tracker.regions.national import load_national

    url = databases.seeded("regions")
    app = make_app(url, tmp_path_factory.mktemp("regions"))
    with app.app_context():
        load_national(CLI)
        db.session.commit()
        db.session.remove()
    server = LiveServer(app)
    yield server
    server.stop()


def test_typing_a_name_or_code_narrows_the_region_picker(chromium, country_tracker, artifacts):
    context = chromium.new_context(base_url=country_tracker.url, locale="zh-CN",
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", "admin-e2e")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto("/projects/new")
        picker = page.locator("select#region_id")
        assert picker.locator("option").count() > 3000
        box = page.locator("input.region-filter")
        assert box.get_attribute("placeholder") == "筛选地区：输入名称或代码"

        box.fill("龙南")
        visible = picker.locator("option:not([hidden])")
        assert visible.all_inner_texts() == ["　　龙南市（360783）"]
        assert picker.locator("optgroup:not([hidden])").count() == 1  # 江西省 only
        assert picker.evaluate("s => s.options[s.selectedIndex].text") == "　　龙南市（360783）"

        box.fill("510104")
        assert [t.strip() for t in visible.all_inner_texts()] == ["锦江区（510104）"]
        box.fill("")  # cleared: every region again, the found one still chosen
        assert visible.count() > 3000
        assert picker.evaluate("s => s.options[s.selectedIndex].text") == "　　锦江区（510104）"
        page.screenshot(path=str(artifacts / "region-picker.png"))
        page.fill("#name", "成都市锦江区社区卫生服务中心")
        page.select_option("#category", "emergency_120")
        page.select_option("#build_nature", "new")
        page.click("form.project-form button[type=submit]")
        page.wait_for_load_state()
        assert "四川省成都市锦江区" in page.inner_text("main")
    finally:
        context.close()
