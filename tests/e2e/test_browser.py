"""In a real browser (headless Chromium): an officer's month, and what his leader then sees.

The tracker runs on its own seeded database behind a real HTTP server (tests/e2e/conftest.py);
Chromium fills and submits the real forms, CSRF tokens and file uploads included. Screenshots of
the dashboard and a project page are kept in test-artifacts/.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from tracker.core import clock
from ..live import PASSWORD, scalar

REGION = "360783"  # Longnan: the eight projects of table 6 with their budgets
SEED_KEY = "longnan-t6-01"
THIS_MONTH = clock.today().strftime("%Y-%m")
INVESTED_TOTAL = "1234.5"  # 万元 since the start of works: the figure the leader must then see


def site_photo() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (640, 480), (180, 190, 200))
    for x in range(200, 440):
        for y in range(120, 360, 40):
            image.putpixel((x, y), (90, 60, 30))
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture()
def new_context(chromium, live_tracker):
    contexts = []

    def make(locale: str = "zh-CN"):
        context = chromium.new_context(base_url=live_tracker.url, locale=locale, accept_downloads=True,
                                       viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(context, username: str):
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")
    return page


def headline(page, label: str) -> str:
    card = page.locator(".figure-card", has=page.locator(".label", has_text=label)).first
    return " ".join(card.inner_text().split())


def test_an_officers_report_reaches_the_leaders_dashboard_and_spreadsheet(new_context, live_tracker,
                                                                         artifacts, tmp_path):
    project_id = scalar(live_tracker.database_url, "SELECT id FROM projects WHERE seed_key = :key",
                        key=SEED_KEY)
    leader = sign_in(new_context(), "leader-e2e")
    assert "/dashboard" in leader.url  # a leader lands on the dashboard
    leader.goto(f"/dashboard?region={REGION}")
    before = headline(leader, "累计完成投资")
    assert "1,234.5" not in before

    officer = sign_in(new_context(), "officer-1")
    officer.goto(f"/projects/{project_id}")
    officer.click("text=月度填报 >> nth=0")
    officer.wait_for_url(f"**/projects/{project_id}/reports/new**")
    officer.fill("#month", THIS_MONTH)
    officer.fill("#progress_text", "主体结构施工至5层")
    officer.fill("#physical_percent", "35")
    officer.fill("#invested_month", "120.5")
    officer.fill("#invested_total", INVESTED_TOTAL)
    officer.set_input_files("#photos", files=[{"name": "工地.png", "mimeType": "image/png",
                                               "buffer": site_photo()}])
    officer.click("main form button[type=submit]")
    officer.wait_for_load_state()
    assert officer.url.endswith(f"/projects/{project_id}#reports"), officer.inner_text("main")[:2000]
    assert f"{THIS_MONTH} 月报已提交" in officer.inner_text(".flash.success")
    reports = officer.locator("#reports")
    assert "主体结构施工至5层" in reports.inner_text() and "1,234.5" in reports.inner_text()
    thumbnail = reports.locator("img").first
    thumbnail.scroll_into_view_if_needed()
    officer.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())

    officer.click("text=更新节点")
    officer.fill("#custom_name", "设备安装")
    officer.fill("form:has(#custom_name) input[name=planned_date]", "2026-06-30")
    officer.click("form:has(#custom_name) button[type=submit]")
    assert "已新增节点" in officer.inner_text(".flash.success")
    row = officer.locator("table.milestone-grid tr", has=officer.locator("th", has_text="设备安装"))
    row.locator("input[name$='-actual_date']").fill("2026-07-02")
    row.locator("input[name$='-delay_reason']").fill("设备到货延迟")
    officer.click("text=保存全部节点")
    officer.wait_for_load_state()
    assert "已保存 1 个节点" in officer.inner_text(".flash.success")
    assert scalar(live_tracker.database_url,
                  "SELECT delay_reason FROM milestones WHERE project_id = :id AND custom_name = '设备安装'",
                  id=project_id) == "设备到货延迟"
    officer.goto(f"/projects/{project_id}")
    officer.screenshot(path=str(artifacts / "project.png"), full_page=True)

    leader.reload()
    after = headline(leader, "累计完成投资")
    assert after != before and "1,234.5" in after, after
    leader.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    leader.goto(f"/projects?region={REGION}")
    link = leader.locator("a[href*='/projects/export.xlsx']")
    with leader.expect_download() as download_info:
        if link.count():
            link.first.click()
        else:  # the list page does not link the export yet: the browser follows the URL itself
            leader.evaluate("""url => { const a = document.createElement('a'); a.href = url;
                               a.download = ''; document.body.appendChild(a); a.click(); }""",
                            f"/projects/export.xlsx?region={REGION}")
    download = download_info.value
    assert download.failure() is None
    workbook_path = tmp_path / "list.xlsx"
    download.save_as(workbook_path)
    book = openpyxl.load_workbook(workbook_path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()  # a read-only workbook keeps its file open until closed
    header = list(rows[0])
    name = scalar(live_tracker.database_url, "SELECT name FROM projects WHERE id = :id", id=project_id)
    mine = [row for row in rows[1:] if row[header.index("项目名称")] == name]
    assert len(mine) == 1
    assert str(mine[0][header.index("累计完成投资（万元）")]) == INVESTED_TOTAL
    assert mine[0][header.index("最近填报月份")] is not None


def test_the_language_switch_turns_the_pages_english_and_back(new_context):
    page = sign_in(new_context(), "viewer-e2e")
    page.goto("/projects")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "项目清单" in page.inner_text("header")
    page.click(".language a[lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # waits for the new page
    assert "Projects" in page.inner_text("header") and "项目清单" not in page.inner_text("header")
    assert "/projects" in page.url  # the switch keeps the reader on his page
    page.goto("/dashboard")
    assert "Investment completed to date" in page.inner_text("main")  # it stays for the session
    page.click(".language a[lang=zh]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "累计完成投资" in page.inner_text("main")


def test_a_browser_without_a_session_is_sent_to_login_and_back(new_context, live_tracker):
    page = new_context().new_page()
    page.goto("/dashboard?region=360783")
    assert "/login" in page.url
    page.fill("#username", "leader-e2e")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard?region=360783")
    assert "龙南市" in page.inner_text("h1")


def test_an_officer_sets_up_a_seeded_projects_lifecycle_in_one_save(new_context, live_tracker):
    """Issue 12: the standard milestones for a seeded project, three rows filled, one 保存 keeps
    all three; a re-plan then shows the first planned date beside the new one."""
    url = live_tracker.database_url
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = 'longnan-t6-05'")
    officer = sign_in(new_context(), "officer-1")
    officer.goto(f"/projects/{project_id}/milestones")
    officer.click("text=添加标准建设节点")
    officer.wait_for_load_state()
    assert "已添加 10 个标准建设节点" in officer.inner_text(".flash.success")

    def row(name):
        return officer.locator("table.milestone-grid tr", has=officer.locator("th", has_text=name))

    row("开工").locator("input[name$='-planned_date']").fill("2024-03-01")
    row("开工").locator("input[name$='-actual_date']").fill("2024-04-10")
    row("主体封顶").locator("input[name$='-planned_date']").fill("2025-06-30")
    row("竣工验收").locator("input[name$='-planned_date']").fill("2025-12-31")
    officer.click("text=保存全部节点")
    officer.wait_for_load_state()
    assert "已保存 3 个节点" in officer.inner_text(".flash.success")
    assert scalar(url, "SELECT count(*) FROM milestones WHERE project_id = :id AND planned_date IS NOT NULL",
                  id=project_id) == 3

    row("竣工验收").locator("input[name$='-planned_date']").fill("2026-10-31")
    officer.click("text=保存全部节点")
    officer.wait_for_load_state()
    assert "原计划 2025-12-31，已调整 1 次" in row("竣工验收").inner_text()
    officer.goto(f"/projects/{project_id}")
    assert "2024-03-01" in officer.inner_text("main")  # 计划开工 is the 开工 milestone's date


def test_leaving_the_milestone_page_with_unsaved_rows_asks_first(new_context, live_tracker):
    """Rows typed in the grid, then 新增 pressed on the custom-milestone form: the browser asks
    before the typed rows are dropped; dismissing keeps them on the page."""
    url = live_tracker.database_url
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = 'longnan-t6-06'")
    officer = sign_in(new_context(), "officer-1")
    officer.goto(f"/projects/{project_id}/milestones")
    officer.click("text=添加标准建设节点")
    officer.wait_for_load_state()
    row = officer.locator("table.milestone-grid tr", has=officer.locator("th", has_text="主体封顶"))
    row.locator("input[name$='-planned_date']").fill("2025-06-30")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    officer.on("dialog", dismiss)
    officer.fill("#custom_name", "设备安装")
    officer.click("form:has(#custom_name) button[type=submit]")
    officer.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert row.locator("input[name$='-planned_date']").input_value() == "2025-06-30"


def test_the_api_docs_render_the_document_in_a_browser(new_context):
    """A newcomer's complaint: /api/v1/docs showed only "Unable to render this definition": the
    document is OpenAPI 3.1 and the Swagger UI served was 4.x. In Chromium the page lists the
    API's operations."""
    page = new_context().new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/projects" in path for path in paths), paths
    assert "Unable to render" not in page.inner_text("body") and not problems, problems


def test_a_date_the_browser_cannot_read_is_refused_on_its_field_not_dropped(new_context, live_tracker):
    """A keyboard user typed 04/31/2026 into a planned date: the browser sent nothing for it, the
    row was saved without the date and the page said 已保存."""
    url = live_tracker.database_url
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = 'longnan-t6-05'")
    officer = sign_in(new_context(), "officer-1")
    officer.goto(f"/projects/{project_id}/milestones")
    if not officer.locator("table.milestone-grid").count():
        officer.click("text=添加标准建设节点")
        officer.wait_for_load_state()
    row = officer.locator("table.milestone-grid tr", has=officer.locator("th", has_text="投入使用"))
    box = row.locator("input[name$='-planned_date']")
    before = box.input_value()
    box.click()
    officer.keyboard.type("04312026")  # mm/dd/yyyy in Chromium's en-US date box: 31 April
    assert officer.evaluate("(box) => box.validity.badInput", box.element_handle())
    officer.click("text=保存全部节点")
    officer.wait_for_timeout(300)
    message = row.locator(".unreadable-input")
    assert "不是有效的日期" in message.inner_text()
    assert officer.evaluate("() => document.activeElement.name") == box.get_attribute("name")
    assert "已保存" not in officer.inner_text("main")
    assert scalar(url, "SELECT planned_date FROM milestones WHERE project_id = :id AND stage = 'in_use'",
                  id=project_id) in (None, before or None)


@pytest.mark.parametrize("form", ["reports/new", "edit"])
def test_leaving_a_half_typed_report_or_project_form_asks_first(new_context, live_tracker, form):
    """Only the milestone grid asked: a half-typed monthly report (the longest form) or project
    edit was dropped without a word when the officer clicked 我的待办."""
    project_id = scalar(live_tracker.database_url, "SELECT id FROM projects WHERE seed_key = 'longnan-t6-06'")
    officer = sign_in(new_context(), "officer-1")
    officer.goto(f"/projects/{project_id}/{form}")
    officer.locator("main form textarea, main form input[type=text]").first.fill("已填写的内容")
    asked: list[str] = []
    officer.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    officer.click("header.site >> text=项目清单")
    officer.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    # Its own save does not ask.
    assert f"/projects/{project_id}/{form}" in officer.url


@pytest.mark.parametrize("ended", ["cookie", "server"])
def test_a_report_sent_after_the_session_ended_is_offered_back_after_signing_in(new_context, live_tracker, ended):
    """An officer typed a long report while his session ended (the cookie's lifetime, or idle on
    the server): the send said "请求有误" (or only "请先登录") and after signing in the form was
    empty. Now he is told nothing was saved, and the form offers back what he typed."""
    url = live_tracker.database_url
    key = {"cookie": "longnan-t6-04", "server": "longnan-t6-03"}[ended]  # a month each, unfiled
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = :key", key=key)
    context = new_context()
    officer = sign_in(context, "officer-1")
    officer.goto(f"/projects/{project_id}/reports/new")
    officer.fill("#progress_text", "主体结构施工至五层")
    officer.fill("#invested_month", "320")
    officer.fill("#problems", "雨季影响工期，材料价格上涨")
    if ended == "cookie":
        context.clear_cookies()
    else:
        engine = sa.create_engine(url)
        with engine.begin() as connection:  # ended on the server: idle, or signed out elsewhere
            connection.execute(sa.text("DELETE FROM user_sessions WHERE user_id = "
                                       "(SELECT id FROM users WHERE username = 'officer-1')"))
        engine.dispose()
    officer.click("main form button[type=submit]")
    officer.wait_for_url("**/login**")
    assert "登录已过期，刚才提交的内容没有保存" in officer.inner_text("main")
    officer.fill("#username", "officer-1")
    officer.fill("#password", PASSWORD)
    officer.click("main button[type=submit]")
    officer.wait_for_url(f"**/projects/{project_id}/reports/new**")
    assert officer.input_value("#problems") == ""
    offer = officer.locator(".draft-offer")
    assert "填写而没有保存的内容" in offer.inner_text()
    offer.locator("button", has_text="恢复").click()
    assert (officer.input_value("#progress_text"), officer.input_value("#invested_month"),
            officer.input_value("#problems")) == ("主体结构施工至五层", "320", "雨季影响工期，材料价格上涨")
    officer.click("main form button[type=submit]")
    officer.wait_for_url(f"**/projects/{project_id}**")
    assert "月报已提交" in officer.inner_text(".flash.success")
    officer.goto(f"/projects/{project_id}/reports/new")
    assert not officer.locator(".draft-offer").count()  # saved: nothing more to offer


def test_typing_left_on_purpose_is_not_offered_back_as_unsaved(new_context, live_tracker):
    """An officer left a half-typed report, answering the browser's question, and came back: the
    page offered his typing as "not saved because the sign-in expired or the line dropped"."""
    project_id = scalar(live_tracker.database_url, "SELECT id FROM projects WHERE seed_key = 'longnan-t6-02'")
    officer = sign_in(new_context(), "officer-1")
    officer.goto(f"/projects/{project_id}/reports/new")
    officer.fill("#progress_text", "写了一半")
    officer.once("dialog", lambda dialog: dialog.accept())
    officer.click("header.site >> text=项目清单")
    officer.wait_for_url("**/projects")
    officer.goto(f"/projects/{project_id}/reports/new")
    assert not officer.locator(".draft-offer").count()
