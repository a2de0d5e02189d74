"""A home for each user, in the browser on a phone (issue 18): the default scope set on the
user's own page opens the dashboard; 全部 leads out; a view saved from the list opens from the
header's menu, is renamed and deleted. Screenshots go to test-artifacts/home/."""

from __future__ import annotations

from playwright.sync_api import expect

from ..live import PASSWORD

USER, REGION = "officer-yj", "441700"  # an officer of 阳江市, whom no other browser test homes


def test_an_officer_sets_his_home_and_saves_a_view_on_a_phone(chromium, live_tracker, artifacts):
    shots = artifacts / "home"
    shots.mkdir(exist_ok=True)
    context = chromium.new_context(base_url=live_tracker.url, locale="zh-CN",
                                   viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("#username", USER)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto("/language/zh")

        response = page.goto("/account/home")
        assert response.status == 200, (page.url, page.content()[:3000])
        page.select_option("#home-region", REGION)
        page.click("main button[type=submit]")
        expect(page.locator(".flash.success")).to_be_visible()

        page.goto("/dashboard")
        assert f"region={REGION}" in page.url
        expect(page.locator(".home-note", has_text="这是您的默认范围")).to_be_visible()
        page.screenshot(path=str(shots / "dashboard-home-390.png"), full_page=False)
        page.click(".home-note a:text-is('全部')")
        page.wait_for_url("**/dashboard?scope=all")

        page.goto(f"/projects?region={REGION}&over_estimate=1")
        page.fill("#save-view-name-list", "阳江超概算")
        page.click("form.save-view button[type=submit]")
        expect(page.locator(".flash.success", has_text="已保存视图“阳江超概算”")).to_be_visible()

        page.goto("/plans")
        page.click("details.menu summary")
        page.screenshot(path=str(shots / "menu-390.png"), full_page=False)
        page.click("details.menu a:text-is('阳江超概算')")
        page.wait_for_url(lambda url: f"region={REGION}" in url and "over_estimate=1" in url)

        page.goto("/views")
        page.fill("table.saved-views input[name=name]", "阳江：超概算项目")
        page.click("table.saved-views button[type=submit]")
        expect(page.locator("table.saved-views a", has_text="阳江：超概算项目")).to_be_visible()
        page.screenshot(path=str(shots / "views-390.png"), full_page=True)
        page.click("table.saved-views a:text-is('删除…')")
        expect(page.locator("main p", has_text="确定删除视图“阳江：超概算项目”吗")).to_be_visible()
        page.click("main button[type=submit]")
        expect(page.locator(".empty", has_text="还没有保存的视图")).to_be_visible()
    finally:
        # The shared live tracker goes back as it was: no home for this officer.
        page.goto("/account/home")
        page.select_option("#home-region", "")
        page.click("main button[type=submit]")
        context.close()
