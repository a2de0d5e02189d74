"""The 终期评估 of an ended plan beyond its page (issue 16): printed as an A4 PDF, and its indicator
actuals imported from a sheet with a preview and one confirmation."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import sqlalchemy as sa
from pypdf import PdfReader

from tracker.audit.services import CLI
from tracker.plans import services
from tracker.plans.models import Plan, PlanIndicator

from .browsers import browser
from .conftest import login_as
from .test_money_hidden import hide_money

LONGNAN_PLAN = "longnan-14th-regional-plan"


def plan_with_indicators(db) -> Plan:
    indicator = db.session.scalar(sa.select(PlanIndicator).where(PlanIndicator.comparator == "≥")
                                  .order_by(PlanIndicator.id))
    return indicator.plan


def pdf_text(response) -> tuple[PdfReader, str]:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return reader, "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def test_the_evaluation_prints_on_a4_with_its_chinese_as_text(app, db, make_user, seeded):
    plan = plan_with_indicators(db)
    indicator = plan.indicators[0]
    leader = app.test_client()
    login_as(leader, make_user("admin", username="admin-eval"))
    services.set_actual(CLI, indicator, 2025, "99.5", "2025年统计公报")
    db.session.commit()
    page = leader.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    assert f'href="/plans/{plan.key}/evaluation.pdf"' in page

    reader, text = pdf_text(leader.get(f"/plans/{plan.key}/evaluation.pdf"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    assert plan.title.replace("\n", "") in text and "终期评估" in text
    assert indicator.name in text and "99.5（2025）" in text and "2025年统计公报" in text
    for label in services.outcome_labels().values():
        assert label in text
    result = services.evaluation(plan)
    for project in result["projects"][:3]:
        assert project.name in text


def test_a_viewer_from_whom_money_is_hidden_prints_no_amount(app, db, make_user, seeded):
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == LONGNAN_PLAN))
    leader = browser(app, make_user("leader", username="leader-eval"))
    _reader, text = pdf_text(leader.get(f"/plans/{plan.key}/evaluation.pdf"))
    assert re.search(r"计划总投资：[\d,.]+ 万元", text)

    hide_money()
    viewer = browser(app, make_user("viewer", username="viewer-eval"))
    _reader, text = pdf_text(viewer.get(f"/plans/{plan.key}/evaluation.pdf"))
    assert "终期评估" in text and "万元" not in text and "计划总投资" not in text


def filled_template(client, plan: Plan, rows: dict[int, tuple]) -> bytes:
    """The plan's template as downloaded, with ``rows`` (sheet row → year, value, source) filled."""
    from openpyxl import load_workbook

    response = client.get(f"/plans/{plan.key}/evaluation/actuals-template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for number, (year, value, source) in rows.items():
        sheet.cell(row=number, column=headers.index("年份") + 1, value=year)
        sheet.cell(row=number, column=headers.index("实际值") + 1, value=value)
        sheet.cell(row=number, column=headers.index("来源") + 1, value=source)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, plan: Plan, data: bytes):
    return client.post(f"/plans/{plan.key}/evaluation/import",
                       data={"file": (io.BytesIO(data), "实际值.xlsx")}, content_type="multipart/form-data")


def actuals(db, plan: Plan) -> list[tuple]:
    from tracker.plans.models import PlanIndicatorActual
    return db.session.execute(
        sa.select(PlanIndicator.key, PlanIndicatorActual.year, PlanIndicatorActual.value, PlanIndicatorActual.source)
        .join(PlanIndicator).where(PlanIndicator.plan_id == plan.id).order_by(PlanIndicator.position)).all()


def test_actuals_imported_from_the_plans_template_after_one_confirmation(app, db, make_user, seeded):
    from openpyxl import load_workbook

    from tracker.audit.models import AuditEntry

    plan = plan_with_indicators(db)
    first, second = plan.indicators[0], plan.indicators[1]
    admin = browser(app, make_user("admin", username="admin-actuals"))
    template = load_workbook(io.BytesIO(admin.get(f"/plans/{plan.key}/evaluation/actuals-template.xlsx").data))
    listed = [row for row in template.worksheets[0].iter_rows(min_row=2, values_only=True) if row[0]]
    assert [(row[0], row[1], row[5]) for row in listed] == [
        (indicator.key, indicator.name, plan.period_end) for indicator in plan.indicators]
    assert "下载本规划的实际值模板" in admin.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)

    data = filled_template(admin, plan, {2: (2025, 96.5, "2025年统计年鉴"), 3: (2024, "12.3%", "2024年卫生统计公报")})
    response = upload(admin, plan, data)
    assert response.status_code == 302
    preview = admin.get(response.location).get_data(as_text=True)
    assert first.name in preview and "96.5" in preview and "2025年统计年鉴" in preview
    assert "确认导入 2 行" in preview
    assert actuals(db, plan) == []  # the preview writes nothing
    # The generic import pages do not take this upload.
    token = response.location.rsplit("/", 1)[1]
    assert admin.get(f"/import/{token}").status_code == 404

    done = admin.post(f"{response.location}/confirm")
    assert done.status_code == 302 and done.location.endswith(f"/plans/{plan.key}/evaluation")
    assert actuals(db, plan) == [(first.key, 2025, "96.5", "2025年统计年鉴"),
                                 (second.key, 2024, "12.3%", "2024年卫生统计公报")]
    assert admin.post(f"{response.location}/confirm").status_code == 409  # a double click: once
    assert len(actuals(db, plan)) == 2
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("plan:indicator-actual%"))).all()
    assert sorted(entry.action for entry in entries) == [
        "plan:indicator-actual", "plan:indicator-actual", "plan:indicator-actuals-import"]
    assert {entry.via for entry in entries} == {"import"}
    page = admin.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    assert "96.5（2025）" in page and "2025年统计年鉴" in page


def test_a_sheet_with_one_bad_row_writes_nothing(app, db, make_user, seeded):
    plan = plan_with_indicators(db)
    admin = browser(app, make_user("admin", username="admin-actuals"))
    data = filled_template(admin, plan, {2: (2025, 96.5, "2025年统计年鉴"), 3: (2025, 80, None),
                                         4: ("明年", 1, "来源")})
    response = upload(admin, plan, data)
    preview = admin.get(response.location).get_data(as_text=True)
    assert "请注明数据来源" in preview and "年份：应为数字" in preview and "确认导入" not in preview
    assert "改正之前，不会写入任何内容" in preview
    assert admin.post(f"{response.location}/confirm").status_code == 409
    assert actuals(db, plan) == []
    # A sheet that is not the template says which columns it lacks.
    from openpyxl import Workbook
    book, buffer = Workbook(), io.BytesIO()
    book.active.append(["项目名称", "总投资（万元）"])
    book.active.append(["某医院", 100])
    book.save(buffer)
    other = admin.get(upload(admin, plan, buffer.getvalue()).location).get_data(as_text=True)
    assert "缺少必需的列" in other and "「年份」" in other


def test_only_who_manages_the_plan_imports_its_actuals(app, db, make_user, seeded):
    plan = plan_with_indicators(db)
    admin = browser(app, make_user("admin", username="admin-actuals"))
    data = filled_template(admin, plan, {2: (2025, 96.5, "2025年统计年鉴")})
    token_url = upload(admin, plan, data).location
    for role in ("viewer", "leader"):
        other = browser(app, make_user(role, username=f"{role}-actuals"))
        assert other.get(f"/plans/{plan.key}/evaluation/actuals-template.xlsx").status_code == 403
        assert upload(other, plan, data).status_code == 403
        assert other.post(f"{token_url}/confirm").status_code == 403
    assert actuals(db, plan) == []


def test_a_project_whose_status_nobody_stated_is_not_counted_as_not_started(db, seeded):
    """龙南's evaluation counted its 15 projects of unstated status as 未开工: the plan says
    nothing of them, and 未填报 is never counted as something."""
    from tracker.vocabulary import Status

    plan = db.session.scalar(sa.select(Plan).where(Plan.key == LONGNAN_PLAN))
    result = services.evaluation(plan)
    unknown = [project for project in result["projects"] if project.status is None]
    assert unknown and result["by_outcome"]["unknown"] == unknown
    assert all(project.status is not None for project in result["by_outcome"]["not_started"])
    unknown[0].status = Status.PREPARATION
    db.session.flush()
    assert unknown[0] in services.evaluation(plan)["by_outcome"]["not_started"]
    assert services.outcome_labels()["unknown"] == "状态未填报"


def test_the_evaluation_and_the_plan_page_punctuate_in_english(app, db, make_user, seeded):
    """"（status not entered）" and "10k CNY（8 projects with total investment）；" on English pages."""
    client = browser(app, make_user("admin", username="admin-eval-en"))
    client.get("/language/en")
    plan_page = client.get(f"/plans/{LONGNAN_PLAN}").get_data(as_text=True)
    assert "(status not entered)" in plan_page and "（status" not in plan_page
    evaluation = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", client.get(f"/plans/{LONGNAN_PLAN}/evaluation")
                                                   .get_data(as_text=True)))
    assert "10k CNY (8 projects with a total investment); Invested by the end of 2025: " in evaluation, evaluation[-400:]


def test_an_actual_value_is_a_number_where_the_target_is_one_in_a_year_of_the_plan(app, db, make_user, seeded):
    """"abc", "约四点二" and -5 were taken as 床位数's actual value, and 2031 and 1999 as its year:
    a 2031 value became the latest of a plan that ends in 2030, hiding the real one."""
    plan = plan_with_indicators(db)
    indicator = next(i for i in plan.indicators if i.comparator == "≥")
    admin = browser(app, make_user("admin", username="admin-actual-rules"))

    def send(year, value):
        return admin.post(f"/plans/{plan.key}/evaluation/actuals", data={
            "indicator": str(indicator.id), "year": str(year), "value": value, "source": "统计公报"},
            follow_redirects=True).get_data(as_text=True)

    period = f"{plan.period_start - 1} 到 {plan.period_end}"
    assert f"年份应在 {period} 之间" in send(plan.period_end + 1, "80")
    assert f"年份应在 {period} 之间" in send(1999, "80")
    assert f"此指标的目标值是数字（{indicator.target}），实际值也请填数字" in send(plan.period_end, "abc")
    assert "实际值也请填数字" in send(plan.period_end, "约四点二")
    assert "实际值不能为负数" in send(plan.period_end, "-5")
    assert actuals(db, plan) == []
    assert "已保存" in send(plan.period_end, "96.5%") or actuals(db, plan)
    assert len(actuals(db, plan)) == 1


def test_the_evaluation_workbook_holds_numbers_as_numbers_and_runs_no_formula(app, db, make_user, seeded):
    """The evaluation opened in a spreadsheet: a figure the plan prints as a number is a number
    (95% a percentage, 7.5 a decimal) the reader can compare and chart; a name from an uploaded
    plan that begins as a formula is text, not run; the header row stays and filters; a viewer
    from whom money is hidden gets no amount column."""
    from openpyxl import load_workbook

    plan = plan_with_indicators(db)
    indicator = plan.indicators[0]
    indicator.name = '=HYPERLINK("http://example.com","点击")'
    indicator.target, indicator.comparator = "95%", "≥"
    services.set_actual(CLI, indicator, 2025, "96.2%", "=1+1 统计公报")
    db.session.commit()
    admin = browser(app, make_user("admin", username="admin-eval-sheet"))
    book = load_workbook(io.BytesIO(admin.get(f"/plans/{plan.key}/evaluation.xlsx").data))
    indicators = book.worksheets[0]
    headers = [cell.value for cell in indicators[1]]
    row = {headers[index]: cell for index, cell in enumerate(indicators[2])}
    # As typed, shown as text (the quote prefix keeps the cell text when it is edited).
    assert (row["指标"].data_type, row["指标"].value, row["指标"].quotePrefix) == ("s", indicator.name, True)
    assert (row["来源"].data_type, row["来源"].value, row["来源"].quotePrefix) == ("s", "=1+1 统计公报", True)
    assert (row["目标方向"].value, row["目标值"].value, row["目标值"].number_format) == ("≥", 0.95, "0%")
    assert (row["最新实际值"].value, row["最新实际值"].number_format) == (0.962, "0.0%")
    assert row["是否达标"].value == "达标"
    assert indicators.freeze_panes == "B2" and indicators.auto_filter.ref.startswith("A1:")
    plain = [(stored, dict(zip(headers, line))) for stored, line in zip(plan.indicators[1:], indicators.iter_rows(min_row=3))
             if stored.target and re.fullmatch(r"\d+(\.\d+)?", stored.target)]
    assert plain and all(cells["目标值"].data_type == "n" and Decimal(str(cells["目标值"].value)) == Decimal(stored.target)
                         for stored, cells in plain)

    projects = book.worksheets[1]
    headers = [cell.value for cell in projects[1]]
    assert "总投资（万元）" in headers and projects.freeze_panes == "B2"
    first = dict(zip(headers, projects[2]))
    assert first["总投资（万元）"].value is None or isinstance(first["总投资（万元）"].value, int | float)
    assert first["计划竣工"].value is None or first["计划竣工"].number_format == "yyyy-mm-dd"
    assert "终期评估" not in book.worksheets[2]["B1"].value and plan.title in book.worksheets[2]["B1"].value

    hide_money()
    viewer = browser(app, make_user("viewer", username="viewer-eval-sheet"))
    book = load_workbook(io.BytesIO(viewer.get(f"/plans/{plan.key}/evaluation.xlsx").data))
    headers = [cell.value for cell in book.worksheets[1][1]]
    assert "总投资（万元）" not in headers and "累计完成投资（万元）" not in headers
    assert not any("万元" in str(cell.value) for line in book.worksheets[2].iter_rows() for cell in line)


def test_a_target_without_its_direction_is_judged_from_its_base_year_value_a_range_or_its_words():
    """Plans print most targets bare: 健康素养 28 → 35, 医师数 2.9 → 3.5, "1-2个", "持续提升". Each
    was 无法判定 whatever was entered. The direction from the base year is the plan's own; with
    no base-year value (or the same one) nothing says which way is better."""
    from types import SimpleNamespace

    from tracker.plans.services import actual_problems, attained

    def indicator(target, baseline, unit=None, comparator=None):
        return SimpleNamespace(target=target, baseline=baseline, unit=unit, comparator=comparator, plan=None)

    rising = indicator("35", "28", "%")
    assert (attained(rising, "34.9"), attained(rising, "35"), attained(rising, "36.5%")) == (False, True, True)
    falling = indicator("12", "15", "/10万")
    assert (attained(falling, "11.8"), attained(falling, "13/10万")) == (True, False)
    assert attained(indicator("3.5", "2.9", "人"), "3.4") is False
    ranged = indicator("1-2", "0", "个")
    assert (attained(ranged, "0"), attained(ranged, "2")) == (False, True)
    words = indicator("持续提升", "88", "%")
    assert (attained(words, "90"), attained(words, "88")) == (True, False)
    assert attained(indicator("持续下降", "10"), "9") is True
    assert attained(indicator("35", None), "40") is None and attained(indicator("35", "35"), "40") is None
    # The unit written with the value is the indicator's own, as the actuals template allows.
    beds = indicator("7", "6.2", "张", "≥")
    assert attained(beds, "6.9张") is False and "value" not in actual_problems(2025, "6.9张", "统计公报", beds)


def test_the_evaluation_says_how_it_read_a_bare_target_and_writes_percent_figures_in_their_unit(app, db, make_user, seeded):
    from openpyxl import load_workbook

    plan = plan_with_indicators(db)
    indicator = plan.indicators[0]
    indicator.comparator, indicator.baseline, indicator.target, indicator.unit = None, "28", "35", "%"
    services.set_actual(CLI, indicator, 2025, "36.5%", "2025年统计公报")
    db.session.commit()
    admin = browser(app, make_user("admin", username="admin-eval-bare"))
    page = admin.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    row = page[page.index(indicator.name):]
    row = row[:row.index("</tr>")]
    assert "按 ≥35 判定（方向据基期值）" in row and "达标" in row and "无法判定" not in row
    sheet = load_workbook(io.BytesIO(admin.get(f"/plans/{plan.key}/evaluation.xlsx").data)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    cells = dict(zip(headers, (cell.value for cell in sheet[2])))
    assert (cells["基期值"], cells["目标值"], cells["最新实际值"]) == (28, 35, 36.5)
    assert cells["目标方向"] == "≥35（据基期值推定）" and cells["是否达标"] == "达标"
    # A range is read from its lower end, with or without a base-year value: said so, not "方向据基期值"
    # beside a 基期值 of "—" (a QA walk).
    indicator.baseline, indicator.target, indicator.unit = None, "1-2", "个"
    db.session.commit()
    page = admin.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    row = page[page.index(indicator.name):]
    row = row[:row.index("</tr>")]
    assert "按 ≥1 判定（区间取下限）" in row and "据基期值" not in row
    sheet = load_workbook(io.BytesIO(admin.get(f"/plans/{plan.key}/evaluation.xlsx").data)).worksheets[0]
    cells = dict(zip(headers, (cell.value for cell in sheet[2])))
    assert cells["目标方向"] == "≥1（区间取下限）"


def test_an_ended_plans_evaluation_counts_what_was_invested_by_its_end_and_a_suspended_project_apart(
        app, db, make_user, seeded):
    """A planner's complaint: 龙南's 2021—2025 evaluation said 9,000 万元 invested, 5,000 of it
    reported in 2026; and a project 停缓建 was listed as 未开工."""
    import datetime as dt

    from tracker.progress import services as progress
    from tracker.vocabulary import Status

    plan = db.session.scalar(sa.select(Plan).where(Plan.key == LONGNAN_PLAN))
    first, second, halted = services.evaluation(plan)["projects"][:3]
    first.status = second.status = Status.CONSTRUCTION
    halted.status = Status.SUSPENDED
    progress.submit_report(CLI, first, dt.date(2025, 12, 1), invested_total="4000")
    progress.submit_report(CLI, first, dt.date(2026, 11, 1), invested_month="2000")
    progress.submit_report(CLI, second, dt.date(2026, 11, 1), invested_total="3000")
    db.session.commit()
    assert first.invested_to_date == Decimal("6000")

    result = services.evaluation(plan)
    assert result["invested"] == Decimal("4000") and result["invested_count"] == 1
    assert result["invested_of"] == {first.id: Decimal("4000")}
    assert halted in result["by_outcome"]["suspended"]
    assert halted not in result["by_outcome"]["not_started"] + result["by_outcome"]["construction"]

    admin = browser(app, make_user("admin", username="admin-ended"))
    page = admin.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    assert "截至 2025 年底累计完成投资：4,000 万元" in page and "停缓建" in page
    _, text = pdf_text(admin.get(f"/plans/{plan.key}/evaluation.pdf"))
    assert "截至 2025 年底累计完成投资：4,000" in text
    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(admin.get(f"/plans/{plan.key}/evaluation.xlsx").data))
    rows = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    assert rows[0][-1] == "截至 2025 年底累计完成投资（万元）"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name[first.name][-1] == 4000 and by_name[second.name][-1] is None


def test_an_actual_typed_in_full_width_or_with_a_bidi_override_is_stored_as_it_reads(db, seeded):
    """A QA walk's complaint: "６.５" was shown in full-width digits though judged as 6.5, and a
    source holding a right-to-left override (U+202E) read reversed on the page and in the
    workbook: the evaluation's form kept what every other form cleans."""
    plan = plan_with_indicators(db)
    indicator = next(i for i in plan.indicators if services.judged_by(i))
    actual = services.set_actual(CLI, indicator, plan.period_end or 2025, "６.５", "＠SUM(1)\u202e公报\u200b")
    assert actual.value == "6.5" and actual.source == "＠SUM(1)公报"


def test_an_actual_entered_meanwhile_is_not_replaced_unseen(app, db, make_user, seeded):
    """A QA walk's complaint: two officers on the evaluation page; A entered 3.1 (2025年卫生统计
    年鉴), B then 3.4 (统计公报): A's value and source were replaced, nobody told."""
    plan = plan_with_indicators(db)
    indicator = plan.indicators[0]
    a, b = (browser(app, make_user("admin", username=name)) for name in ("eval-a", "eval-b"))
    shown = re.search(r'name="shown" value="([^"]*)"', b.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True))
    b_shown = shown.group(1).replace("&#34;", '"').replace("&quot;", '"')
    url = f"/plans/{plan.key}/evaluation/actuals"
    form = {"indicator": str(indicator.id), "year": str(plan.period_end)}
    assert a.post(url, data={**form, "value": "3.1", "source": "2025年卫生统计年鉴"}).status_code == 302
    refused = b.post(url, data={**form, "value": "3.4", "source": "统计公报", "shown": b_shown})
    assert refused.status_code == 400
    assert "其他人刚刚填报了" in refused.get_data(as_text=True) and "“3.1”" in refused.get_data(as_text=True)
    # What he typed stays in the form (a redirect lost it).
    assert 'name="value" size="8" value="3.4"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert [(x.value, x.source) for x in db.session.get(PlanIndicator, indicator.id).actuals] == [("3.1", "2025年卫生统计年鉴")]
    # Seen now (the page shows 3.1), his entry replaces it.
    shown = re.search(r'name="shown" value="([^"]*)"', refused.get_data(as_text=True)).group(1)
    again = b.post(url, data={**form, "value": "3.4", "source": "统计公报",
                              "shown": shown.replace("&#34;", '"').replace("&quot;", '"')})
    assert again.status_code == 302
    db.session.expire_all()
    assert [(x.value, x.source) for x in db.session.get(PlanIndicator, indicator.id).actuals] == [("3.4", "统计公报")]


def test_a_target_to_grow_by_a_percentage_is_met_only_by_that_growth(app, db, make_user, seeded):
    """A QA walk's complaint: 每千人口公共卫生人员数, base 0.78, target "在2020年基础上增长30%":
    0.85 in 2025 was 达标 "按 >0.78 判定", the 30% read past. It asks for 0.78 × 1.3 = 1.014."""
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "yichun-14th-health-plan"))
    indicator = next(i for i in plan.indicators if i.name == "每千人口公共卫生人员数")
    admin = browser(app, make_user("admin", username="admin-eval-growth"))
    sent = admin.post(f"/plans/{plan.key}/evaluation/actuals", data={
        "indicator": str(indicator.id), "year": "2025", "value": "0.85", "source": "2025年统计公报"})
    assert sent.status_code == 302
    page = admin.get(f"/plans/{plan.key}/evaluation").get_data(as_text=True)
    row = page[page.index(f'<td class="name">{indicator.name}'):]
    row = row[:row.index("</tr>")]
    assert "按 ≥1.014 判定" in row and "未达标" in row and "&gt;0.78" not in row
    _, text = pdf_text(admin.get(f"/plans/{plan.key}/evaluation.pdf"))
    assert "≥1.014" in text and ">0.78" not in text
    assert services.attained(indicator, "1.02") is True


def test_a_target_in_words_with_a_figure_it_cannot_read_is_not_judged_by_a_looser_rule():
    """Growth or a fall by a stated share or points is held to it; a figure the words give that
    cannot be read (a yearly fall, an average yearly growth) leaves the verdict undetermined,
    never "better than the base year"."""
    from types import SimpleNamespace

    def indicator(target, baseline="0.78"):
        return SimpleNamespace(target=target, baseline=baseline, unit=None, comparator=None, plan=None)

    assert services.judged_by(indicator("增长30%")) == ("≥", Decimal("1.014"))
    assert services.judged_by(indicator("在2020年基础上增长50％", "2")) == ("≥", Decimal("3"))
    assert services.judged_by(indicator("下降10%", "20")) == ("≤", Decimal("18"))
    assert services.judged_by(indicator("提高5个百分点", "80")) == ("≥", Decimal("85"))
    assert services.judged_by(indicator("力争每年降低0.5个百分点以上", "10")) is None
    assert services.judged_by(indicator("年均增长5%", "10")) is None
    assert services.judged_by(indicator("持续提升", "88")) == (">", Decimal("88"))
    assert services.attained(indicator("增长30%"), "0.85") is False
