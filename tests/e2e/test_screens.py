"""The screens the browser walks read: the main pages of each role, each width, and how a page is
checked for sideways scrolling. The walk itself (every main page on a phone, 390 px, and a laptop,
1366 px, in Chinese and English, as each role: the page never scrolls sideways, and axe-core finds
nothing serious) is in tests/e2e/test_accessibility.py, which visits each page once per width for
both checks. Printing the list is checked here.

The walk's screenshots go to test-artifacts/screens/ (role-language-width-page.jpeg: of a page
that failed, or of every page with TRACKER_SCREENSHOTS=1), the printed list as list-print.pdf.
"""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from ..live import PASSWORD, scalar

SEED_KEY = "longnan-t6-01"
PLAN = "longnan-14th-regional-plan"  # the plan of Longnan, the officer's region
REGION = "360783"
WIDTHS = {"phone": 390, "laptop": 1366}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900},
             "a4": {"width": 794, "height": 1123}}  # A4 portrait at 96 px an inch: the printed page
ROLES = {"officer": "officer-1", "leader": "leader-e2e", "admin": "admin-e2e", "viewer": "viewer-e2e"}


def main_pages(project_id: int, role: str) -> dict[str, str]:
    pages = {"list": f"/projects?region={REGION}", "project": f"/projects/{project_id}",
             "dashboard": f"/dashboard?region={REGION}", "country": "/dashboard",
             "region": f"/regions/{REGION}", "plans": "/plans", "plan": f"/plans/{PLAN}",
             "plan-text": f"/plans/{PLAN}/text", "evaluation": f"/plans/{PLAN}/evaluation",
             "tokens": "/account/tokens"}
    if role in ("officer", "admin"):  # a leader and a viewer read; the forms are the editors'
        pages |= {"funding": f"/projects/{project_id}/funding",
                  "budget": f"/projects/{project_id}/budget"}
    if role == "officer":
        pages |= {"milestones": f"/projects/{project_id}/milestones",
                  "report": f"/projects/{project_id}/reports/new", "import": "/import",
                  "todo": "/todo"}
    if role == "admin":
        pages |= {"users": "/admin/users", "audit": "/admin/audit", "new-plan": "/plans/new",
                  "candidates": f"/plans/{PLAN}/candidates"}
    return pages


@contextlib.contextmanager
def seen_by(database_url: str, role: str):
    """The tracker as ``role`` sees it: for the viewer, with money hidden from viewers (the
    admin's switch, ``hide_money_from_viewers``), the pages with the most left out; switched back
    afterwards, since the live tracker is shared by the session's browser tests."""
    if role != "viewer":
        yield
        return
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
    key = settings.c.key == "hide_money_from_viewers"
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        before = connection.execute(sa.select(settings.c.value).where(key)).scalar()
        connection.execute(sa.delete(settings).where(key))
        connection.execute(sa.insert(settings).values(key="hide_money_from_viewers",
                                                      value={"enabled": True}))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(sa.delete(settings).where(key))
            if before is not None:
                connection.execute(sa.insert(settings).values(key="hide_money_from_viewers",
                                                              value=before))
        engine.dispose()


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


def widths_in_em(page, selector: str) -> list[float]:
    """The width of each element ``selector`` finds, in the body's em (a Chinese character's width)."""
    return page.evaluate("""selector => {
        const em = parseFloat(getComputedStyle(document.body).fontSize);
        return Array.from(document.querySelectorAll(selector), el => el.getBoundingClientRect().width / em);
    }""", selector)


def screen(chromium, live_tracker, width: str, language: str):
    """The seeded project's id, and a browser context at ``width`` (phone or laptop) reading
    ``language``: what the browser walk (tests/e2e/test_accessibility.py) opens its pages in."""
    project_id = scalar(live_tracker.database_url, "SELECT id FROM projects WHERE seed_key = :key",
                        key=SEED_KEY)
    context = chromium.new_context(base_url=live_tracker.url,
                                   locale="zh-CN" if language == "zh" else "en-US",
                                   viewport=VIEWPORTS[width])
    context.set_default_timeout(20_000)
    return project_id, context


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


@contextlib.contextmanager
def signed_in(chromium, live_tracker, role: str, width: str):
    """A page signed in as ``role`` at ``width`` (phone or laptop); its context closed after."""
    context = chromium.new_context(base_url=live_tracker.url, viewport=VIEWPORTS[width])
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", ROLES[role])
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        yield page
    finally:
        context.close()


def cut_on_paper(page) -> list[str]:
    """What of the charts and tables prints beyond the page's right edge, or hides in a scroll box
    (paper cannot scroll): each as its tag, class and how far it reaches."""
    return page.evaluate("""() => {
        const width = window.innerWidth, cut = [];
        const name = el => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className
                           ? '.' + el.className.split(' ').join('.') : '');
        for (const el of document.querySelectorAll('main svg.chart, main svg.chart text, main table, main table th, main table td, .chart-scroll')) {
            const box = el.getBoundingClientRect();
            if (box.width > 0 && box.right > width + 1) cut.push(name(el) + ' right ' + Math.round(box.right));
            else if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
                cut.push(name(el) + ' scrolls ' + el.scrollWidth + ' in ' + el.clientWidth);
        }
        return cut.slice(0, 10);
    }""")


def test_the_dashboard_and_the_list_print_whole_on_a4(chromium, live_tracker):
    """A QA walk's complaint: printed on A4 the dashboard's charts were cut at their boxes (the
    status legend lost 未填报 12 个, the year chart its December) and the list lost its 最近月报 and
    滞后 columns: on paper nothing scrolls, so every chart and table fits the page's width."""
    with signed_in(chromium, live_tracker, "leader", "a4") as page:
        page.goto("/language/zh")
        page.emulate_media(media="print")
        for url in (f"/dashboard?region={REGION}", "/dashboard?scope=all", f"/projects?region={REGION}"):
            page.goto(url)
            assert page.locator("main svg.chart, table.portfolio").count(), url
            assert cut_on_paper(page) == [], url


def test_the_list_keeps_names_readable_on_an_office_screen(chromium, live_tracker):
    """At 1366 px the list's automatic layout squeezed each project's name and its plan to two or
    four characters a line (Chinese breaks after any character) beside figure columns held wide
    by their unwrapped headers and totals: the names keep eight characters' width or more, and a
    region's name, a status and a month stay on one line, in both languages."""
    with signed_in(chromium, live_tracker, "leader", "laptop") as page:
        for language in ("zh", "en"):
            page.goto(f"/language/{language}")
            page.goto("/projects?kind=all")
            cells = page.evaluate("""() => {
                const em = parseFloat(getComputedStyle(document.querySelector('table.portfolio td')).fontSize);
                const lines = el => {  // the lines its text is laid out on
                    const range = document.createRange();
                    range.selectNodeContents(el);
                    return new Set(Array.from(range.getClientRects(), rect => Math.round(rect.top))).size;
                };
                // The columns by their headers (the name and the region are always the first two).
                const heads = Array.from(document.querySelectorAll('table.portfolio thead th'));
                const at = sort => heads.findIndex(th => th.querySelector(`a[href*="sort=${sort}"]`));
                const column = index => Array.from(document.querySelectorAll(
                    `table.portfolio tbody tr > td:nth-child(${index + 1})`));
                const [plan, status, month] = [at('plan'), at('status'), at('last_report')];
                if ([plan, status, month].includes(-1)) return {missing: [plan, status, month]};
                return {
                    narrowest: Math.min(...[...column(0), ...column(plan)]
                                        .map(td => td.getBoundingClientRect().width / em)),
                    wrapped: [...column(1), ...column(status), ...column(month)]
                             .filter(td => lines(td) > 1).map(td => td.textContent.trim()).slice(0, 5),
                };
            }""")
            assert cells["narrowest"] >= 8, (language, cells)
            assert cells["wrapped"] == [], (language, cells)


def test_a_change_in_the_trail_reads_on_one_line(chromium, live_tracker):
    """"字段：旧 → 新" in the audit trail: the field's name took the forms' ``.field`` style (a
    block of its own), so the name stood on one line and "：旧 → 新" on the next."""
    with signed_in(chromium, live_tracker, "admin", "laptop") as page:
        page.goto("/admin/audit")
        split = page.evaluate("""() => Array.from(document.querySelectorAll('ul.changes li')).slice(0, 20)
            .filter(li => li.firstElementChild && li.querySelector('ins')
                    && li.firstElementChild.getBoundingClientRect().top !== li.querySelector('del').getBoundingClientRect().top)
            .map(li => li.textContent.trim())""")
        assert page.locator("ul.changes li").count() > 0
        assert split == []


def test_a_milestones_name_stays_readable_on_a_phone(chromium, live_tracker):
    """The milestones' grid on a phone squeezed each name to two characters a line beside the
    date inputs ("主体 / 封顶 / 滞后 / 1801 / 天"): the name keeps six characters' width and its
    lateness one line."""
    import datetime as dt

    project_id = scalar(live_tracker.database_url,  # a project with a milestone overdue
                        "SELECT min(project_id) FROM milestones WHERE actual_date IS NULL AND planned_date < :day",
                        day=dt.date(2026, 1, 1))
    with signed_in(chromium, live_tracker, "admin", "phone") as page:
        page.goto("/language/zh")
        page.goto(f"/projects/{project_id}/milestones")
        names = page.evaluate("""() => {
            const em = parseFloat(getComputedStyle(document.body).fontSize);
            return Array.from(document.querySelectorAll('table.milestone-grid tbody th'), th => {
                const late = th.querySelector('.late');
                return {width: th.getBoundingClientRect().width / em,
                        lateLines: late ? late.getClientRects().length : 0};
            });
        }""")
        assert names, "the seeded project has milestones"
        assert min(name["width"] for name in names) >= 6, names
        assert max(name["lateLines"] for name in names) <= 1, names


def test_the_dashboards_breakdowns_keep_their_names_readable_on_a_phone(chromium, live_tracker):
    """On a phone each breakdown's names (a plan's title, a category) were squeezed to two or
    three characters a line, beside figure cells held wide by their unwrapped coverage notes."""
    with signed_in(chromium, live_tracker, "leader", "phone") as page:
        page.goto("/language/zh")
        page.goto("/dashboard")
        widths = widths_in_em(page, "section.breakdown tbody td:first-child")
        assert widths and min(widths) >= 7, widths


def test_the_dashboards_breakdowns_fit_their_boxes_in_english_on_an_office_screen(chromium, live_tracker):
    """A QA walk's complaint: in English at 1366 px each breakdown (692-764 px of table in a
    643 px box) hid its last column, 累计完成投资, unless scrolled inside the box; its headings
    did not wrap."""
    with signed_in(chromium, live_tracker, "leader", "laptop") as page:
        page.goto("/language/en")
        page.goto("/dashboard?region=360783")
        boxes = page.evaluate("""() => [...document.querySelectorAll('section.breakdown')].map(
            s => [s.querySelector('h3').textContent, s.scrollWidth, s.clientWidth])""")
        page.goto("/language/zh")
        assert boxes and all(scroll <= width for _title, scroll, width in boxes), boxes


def test_a_plans_long_line_starts_beside_its_number_on_a_phone(chromium, live_tracker):
    """A QA walk's complaint: on a phone every line of the plan's text longer than the screen
    showed its number on an empty row, its text below it, unnumbered: "line 201" read blank."""
    with signed_in(chromium, live_tracker, "leader", "phone") as page:
        page.goto("/plans/longnan-14th-regional-plan/text#L194")
        rows = page.evaluate("""() => [...document.querySelectorAll('ol.document li')].map(li => {
            const number = li.querySelector('.line-number').getBoundingClientRect();
            const text = li.querySelector('.line-text').getBoundingClientRect();
            return [li.id, Math.round(text.top - number.top), Math.round(text.height)]; })""")
        long_lines = [row for row in rows if row[2] > 40]
        assert long_lines, rows[:5]
        assert all(abs(offset) <= 4 for _id, offset, _height in rows), [r for r in rows if abs(r[1]) > 4][:5]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_dashboards_drawings_are_readable_on_a_phone(chromium, live_tracker):
    """A QA walk's complaint: on a phone the 项目状态 and 分地区 drawings shrank to 364 px, their
    text 6-7 px high. They keep their size and scroll in their boxes, as the other charts do."""
    with signed_in(chromium, live_tracker, "leader", "phone") as page:
        page.goto("/language/zh")
        page.goto("/dashboard?scope=all")
        heights = page.evaluate("""() => Array.from(document.querySelectorAll('svg.status-mix text, svg.bars text'),
                                   text => text.getBoundingClientRect().height)""")
        assert heights and min(heights) >= 10, heights
        wide = overflow(page)
        assert wide["scroll"] <= wide["width"], wide


def test_an_officers_to_do_rows_read_whole_on_a_phone(chromium, live_tracker):
    """The to-do lists on a phone: four columns squeezed a milestone's name to two characters a
    line ("竣工 / 验收 / 计划 / 2025- / 12-31") and left each row's button out of sight, in a box
    that scrolled sideways. Each row is read whole: every cell as wide as the list, every
    button on the screen, nothing to scroll."""
    with signed_in(chromium, live_tracker, "officer", "phone") as page:
        for language in ("zh", "en"):
            page.goto(f"/language/{language}")
            page.goto("/todo")
            rows = page.evaluate("""() => {
                const em = parseFloat(getComputedStyle(document.body).fontSize);
                return Array.from(document.querySelectorAll('.todo tbody tr'), tr => ({
                    narrowest: Math.min(...Array.from(tr.cells, td => td.getBoundingClientRect().width / em)),
                    button: tr.querySelector('.button').getBoundingClientRect().right,
                    scrolls: tr.closest('section').scrollWidth > tr.closest('section').clientWidth,
                }));
            }""")
            assert rows, "the seeded officer has something to do"
            assert min(row["narrowest"] for row in rows) >= 15, (language, rows)
            assert max(row["button"] for row in rows) <= 390, (language, rows)
            assert not any(row["scrolls"] for row in rows), (language, rows)
    # On an office screen the table stays a table, and a milestone's planned date one line
    # ("Planned 2025-12-" above "31" before).
    with signed_in(chromium, live_tracker, "officer", "laptop") as page:
        page.goto("/language/en")
        page.goto("/todo")
        lines = page.evaluate("""() => {
            const found = [];
            const walker = document.createTreeWalker(document.querySelector('.todo'), NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode, at = node.textContent.search(/\\d{4}-\\d\\d-\\d\\d/);
                if (at < 0 || !node.parentElement.closest('tbody')) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + 10);  // the date alone
                found.push(new Set(Array.from(range.getClientRects(), rect => Math.round(rect.top))).size);
            }
            return found;
        }""")
        assert lines and max(lines) == 1, lines


def test_the_dashboards_late_list_keeps_names_and_dates_whole_on_a_phone(chromium, live_tracker):
    """The dashboard's 滞后项目 on a phone squeezed each project's name to two characters a line
    and broke its planned date at the hyphen ("2025-12-" above "31"): the names keep seven
    characters' width and a date one line (the table scrolls in its own box)."""
    with signed_in(chromium, live_tracker, "leader", "phone") as page:
        page.goto("/language/zh")
        page.goto("/dashboard")
        found = page.evaluate("""() => {
            const em = parseFloat(getComputedStyle(document.body).fontSize);
            const table = document.querySelector('table.late-projects');
            const dates = [];
            const walker = document.createTreeWalker(table.tBodies[0], NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {  // the planned dates (a replanned one's note may wrap)
                const node = walker.currentNode, at = node.textContent.search(/\\d{4}-\\d\\d-\\d\\d/);
                if (at < 0 || node.parentElement.closest('small')) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + 10);  // the date alone
                dates.push(new Set(Array.from(range.getClientRects(), rect => Math.round(rect.top))).size);
            }
            return {
                names: Array.from(table.querySelectorAll('tbody tr > td[rowspan]:first-child'),  // the projects
                                  td => td.getBoundingClientRect().width / em),
                dates: dates,
                page: document.documentElement.scrollWidth,
            };
        }""")
        assert found["names"] and min(found["names"]) >= 7, found
        assert found["dates"] and max(found["dates"]) == 1, found
        assert found["page"] <= 390, found


def test_a_plans_indicators_keep_their_names_readable_on_a_phone(chromium, live_tracker):
    """A plan's 主要指标 on a phone, on the plan's page and its region's: the names were squeezed
    to two characters a line ("每千 / 常住 / 人口 / …", 7 lines) beside a phrase target held on one
    line ("稳定在合理水平"). Each name keeps seven characters' width; the plans list keeps its
    titles and regions readable too."""
    with signed_in(chromium, live_tracker, "leader", "phone") as page:
        page.goto("/language/zh")
        for path, cells in ((f"/plans/{PLAN}", "table.indicators tbody td:nth-child(2)"),
                            (f"/regions/{REGION}", "table.indicators tbody td:nth-child(2)"),
                            ("/plans", "table.data tbody td:first-child")):
            page.goto(path)
            widths = widths_in_em(page, cells)
            assert widths and min(widths) >= 7, (path, widths)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_the_forms_and_the_trail_fit_a_phone(chromium, live_tracker):
    """编辑项目 and 新建项目 scrolled sideways on a phone (430 px in 390): a fieldset is as wide as
    its widest field unless told otherwise. The administrator's forms and the audit trail, whose
    summaries and project names were squeezed to two or three characters a line, too."""
    project_id = scalar(live_tracker.database_url, "SELECT id FROM projects WHERE seed_key = :key", key=SEED_KEY)
    for role, paths in (("officer", [f"/projects/{project_id}/edit", "/projects/new", "/plans/new"]),
                        ("admin", ["/admin/users/new", "/admin/audit", "/admin/users"])):
        with signed_in(chromium, live_tracker, role, "phone") as page:
            for language in ("zh", "en"):
                page.goto(f"/language/{language}")
                for path in paths:
                    assert page.goto(path).status == 200, path
                    if path.startswith("/projects/"):  # a region's full name as long as the longest
                        page.evaluate("""() => document.querySelector('select#region_id').add(
                            new Option('新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县（654022）'))""")
                    wide = overflow(page)
                    assert wide["scroll"] <= wide["width"], (language, path, wide)
            page.goto("/language/zh")
            if role == "admin":
                page.goto("/admin/audit")
                widths = widths_in_em(page, "table.audit tbody td:nth-child(4):has(a)")  # a project's
                assert widths and min(widths) >= 7, widths


def late_project(live_tracker) -> int:
    """A seeded project with a milestone past its planned date and not done."""
    import datetime as dt

    return scalar(live_tracker.database_url,
                  "SELECT min(project_id) FROM milestones WHERE actual_date IS NULL AND planned_date < :day",
                  day=dt.date(2026, 1, 1))


def test_a_late_milestones_reason_is_in_reach_on_a_phone(chromium, live_tracker):
    """The to-do list's "填写滞后原因" opens the milestones' grid at the late milestone; on a phone
    its five columns put 说明 and 滞后原因 out of sight to the right. Each milestone is a card there:
    every field on the screen, named above it, and the page does not scroll sideways."""
    project_id = late_project(live_tracker)
    with signed_in(chromium, live_tracker, "admin", "phone") as page:
        for language in ("zh", "en"):
            page.goto(f"/language/{language}")
            page.goto(f"/projects/{project_id}/milestones")
            fields = page.evaluate("""() => Array.from(document.querySelectorAll('table.milestone-grid td'), td => {
                const input = td.querySelector('input, textarea'), box = input.getBoundingClientRect();
                return {left: box.left, right: box.right, label: getComputedStyle(td, '::before').content};
            })""")
            assert fields, "the project has milestones"
            assert all(0 <= f["left"] and f["right"] <= 390 for f in fields), (language, fields)
            assert all(f["label"] not in ("none", '""', "normal") for f in fields), (language, fields)
            reason = "滞后原因" if language == "zh" else "Reason for delay"
            assert any(reason in f["label"] for f in fields), (language, fields)
            wide = overflow(page)
            assert wide["scroll"] <= wide["width"], (language, wide)


def test_a_projects_milestone_chart_is_readable_on_a_phone(chromium, live_tracker):
    """The chart was shrunk to the phone's width: 365 of its 760 px, its text ~6 px high. It keeps
    its own size on a phone and scrolls in its box (which the keyboard can reach), and the page
    itself does not scroll sideways."""
    project_id = late_project(live_tracker)
    with signed_in(chromium, live_tracker, "leader", "phone") as page:
        for language in ("zh", "en"):
            page.goto(f"/language/{language}")
            page.goto(f"/projects/{project_id}")
            text = page.evaluate("""() => Array.from(document.querySelectorAll('svg.timeline text'),
                                     text => text.getBoundingClientRect().height)""")
            assert text and min(text) >= 10, (language, text)
            box = page.evaluate("""() => { const box = document.querySelector('.chart-scroll:has(svg.timeline)');
                return {tabindex: box.tabIndex, label: box.getAttribute('aria-label'),
                        scrolls: box.scrollWidth > box.clientWidth}; }""")
            assert box["tabindex"] == 0 and box["label"] and box["scrolls"], box
            wide = overflow(page)
            assert wide["scroll"] <= wide["width"], (language, wide)


def test_the_evaluations_indicator_names_stay_in_view_as_its_table_scrolls_on_a_phone(chromium, live_tracker):
    """On a phone the evaluation's 最新实际值 and 是否达标 are at the right of a table that scrolls in
    its box: scrolled to them, the reader had lost which indicator each row was."""
    with signed_in(chromium, live_tracker, "leader", "phone") as page:
        assert page.goto(f"/plans/{PLAN}/evaluation").status == 200
        table = page.locator("table.evaluation")
        assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it does scroll on a phone
        table.evaluate("t => t.scrollLeft = t.scrollWidth")
        box = table.bounding_box()
        name = page.locator("table.evaluation tbody td.name").first.bounding_box()
        verdict = page.locator("table.evaluation tbody tr:first-child td:last-child").bounding_box()
        assert abs(name["x"] - box["x"]) < 2, (name, box)  # the name where the table begins
        assert verdict["x"] + verdict["width"] <= box["x"] + box["width"] + 2  # and the verdict in view
