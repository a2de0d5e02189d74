"""A viewer from whom the admin hides money reads every page and sees no amount in 万元; a leader
reading the same pages sees them all (issue 4: "viewer (reads; money figures hidden when the admin
so sets)").

The walk covers the pages a viewer can open: the portfolio list, every Longnan table-6 project page
(with a budget revision, a funding line, two monthly reports, a correction and an annual plan on
one of them, so its budget history, funding, reports and audit timeline all hold amounts), the
region pages of Longnan, Ganzhou and Jiangxi, the plan page and the plan text, the dashboard and
the printed briefing.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tracker.accounts import services as accounts
from tracker.audit.services import Actor
from tracker.progress import services as progress
from tracker.projects.models import Project

from .browsers import browser

ADMIN = Actor(None, "cli")
LONGNAN_PLAN = "longnan-14th-regional-plan"
# 表6 of the Longnan plan (002_6be73d2b01aff470.txt, lines 188-251): each project's 总投资, 万元.
TABLE_6 = {
    "赣州市龙南市疾病预防控制中心实验楼建设项目": "1,320",
    "赣州市龙南市医疗物资储备库建设项目": "2,500",
    "赣州市龙南市第七人民医院门诊综合楼建设项目": "9,000",
    "赣州市龙南市第一人民医院感染大楼建设项目": "7,515",
    "赣州市龙南市第六人民医院门诊综合楼建设项目": "5,400",
    "龙南第五人民医院（公立中医院）建设项目": "50,000",
    "龙南公共卫生服务能力提升建设项目": "40,000",
    "龙南医养综合服务中心": "30,000",
}
INFECTION_BUILDING = "赣州市龙南市第一人民医院感染大楼建设项目"
# The amounts this test files on the infection building, as pages print them.
FILED = ["8,123.45", "3,456.78", "654.32", "1,987.65", "2,345.67", "1,234.56", "4,567.89",
         "700.5", "2,033.83", "1,354.82"]
# Figures no page may show a viewer. 50,000 is left out: the 第五人民医院's and others' floor
# areas print as 50,000 m² too (an area, not money); "万元" after a digit catches it instead.
NEVER = (["145,735", "145735"] + [figure for figure in TABLE_6.values() if figure != "50,000"]
         + [figure.replace(",", "") for figure in FILED + ["7,515", "1,320"]] + FILED)
AMOUNT_IN_WAN_YUAN = re.compile(r"\d\s*(?:</[a-z]+>\s*)*万元")


def shown(text: str) -> list[str]:
    """The figures of NEVER that stand in ``text`` as numbers of their own: not inside a longer
    number, nor inside a random token or a timestamp (a CSRF token may well contain "7515")."""
    return [figure for figure in NEVER
            if re.search(rf"(?<![0-9A-Za-z.,]){re.escape(figure)}(?![0-9A-Za-z]|[.,][0-9])", text)]


def hide_money(enabled: bool = True) -> None:
    from tracker.extensions import db
    accounts.set_setting(ADMIN, accounts.HIDE_MONEY_FROM_VIEWERS, {"enabled": enabled})
    db.session.commit()


def project_named(db, name: str) -> Project:
    return db.session.scalar(sa.select(Project).where(Project.name == name))


@pytest.fixture()
def longnan(app, seeded, db):
    """The seed, with a year of an officer's work on the infection building (7,515 万元)."""
    building = project_named(db, INFECTION_BUILDING)
    progress.revise_budget(ADMIN, building, new_amount="8123.45", reason="增加负压病房",
                           approval_number="龙发改字〔2024〕12号", approval_date=dt.date(2024, 11, 5))
    progress.add_funding_line(ADMIN, building, source="special_bonds", amount="3456.78")
    progress.set_annual_plan(ADMIN, building, 2025, "4567.89")
    progress.submit_report(ADMIN, building, dt.date(2025, 1, 1), progress_text="主体施工",
                           physical_percent="20", invested_month="654.32", invested_total="1987.65",
                           funds_received="2345.67", paid="1234.56")
    progress.submit_report(ADMIN, building, dt.date(2025, 2, 1), progress_text="主体封顶",
                           physical_percent="35", invested_month="700.5")
    # A correction of January: February's cumulative figures are recomputed (report:recompute).
    january = progress.report_for(building, dt.date(2025, 1, 1))
    progress.submit_report(ADMIN, building, dt.date(2025, 1, 1), progress_text="主体施工",
                           physical_percent="20", invested_month="654.32", invested_total="1333.33",
                           funds_received="2345.67", paid="1234.56", correction_reason="笔误",
                           expected_version=january.version)
    db.session.commit()
    return {name: project_named(db, name).id for name in TABLE_6}


def pages(longnan: dict[str, int]) -> list[str]:
    return ["/", "/projects", "/projects?region=360783", "/projects?region=360783&kind=all",
            "/projects?region=360783&sort=investment&order=desc",
            *(f"/projects/{project_id}" for project_id in longnan.values()),
            "/regions/360783", "/regions/360700", "/regions/360000",
            f"/plans/{LONGNAN_PLAN}", f"/plans/{LONGNAN_PLAN}/text",
            "/dashboard", "/dashboard?region=360783", "/dashboard?region=360783&year=2025"]


def read(client, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_a_viewer_sees_no_amount_on_any_page_when_money_is_hidden(app, db, make_user, longnan):
    hide_money()
    viewer = browser(app, make_user("viewer", username="reader"))
    for url in pages(longnan):
        html = read(viewer, url)
        assert not shown(html), (url, shown(html))
        assert not AMOUNT_IN_WAN_YUAN.search(html), (url, AMOUNT_IN_WAN_YUAN.search(html).group())
    # The pages still say something is there, and what is not money stays.
    building = read(viewer, f"/projects/{longnan[INFECTION_BUILDING]}")
    assert "已隐藏" in building and "龙发改字〔2024〕12号" in building and "主体封顶" in building
    region = read(viewer, "/regions/360783")
    assert "建设类项目 31 个" in region and "已隐藏" in region  # 妇幼保健 no longer twice (issue 16)
    assert "<span class=\"unknown\">已隐藏</span>" in read(viewer, f"/plans/{LONGNAN_PLAN}/text")


def test_a_leader_sees_the_same_amounts(app, db, make_user, longnan):
    hide_money()  # hidden from viewers only
    leader = browser(app, make_user("leader", username="director"))
    for url in ("/projects?region=360783", "/regions/360783", "/regions/360700", "/regions/360000",
                f"/plans/{LONGNAN_PLAN}", "/dashboard?region=360783"):
        assert "145,735" in read(leader, url), url
    for name, project_id in longnan.items():
        assert f"{TABLE_6[name]} 万元" in read(leader, f"/projects/{project_id}"), name
    building = read(leader, f"/projects/{longnan[INFECTION_BUILDING]}")
    for figure in ("8,123.45", "3,456.78", "654.32", "700.5"):  # revision, funding, reports
        assert figure in building, figure
    assert "概算调整：7515 → 8123.45 万元" in building  # the audit timeline's summary
    assert AMOUNT_IN_WAN_YUAN.search(building)  # the pattern the viewer's walk looks for
    assert "7,515" in read(leader, f"/plans/{LONGNAN_PLAN}/text")  # 表6 as printed


def test_a_viewer_sees_the_amounts_when_money_is_not_hidden(app, db, make_user, longnan):
    hide_money(False)
    viewer = browser(app, make_user("viewer", username="reader"))
    assert "145,735" in read(viewer, "/regions/360783")
    building = read(viewer, f"/projects/{longnan[INFECTION_BUILDING]}")
    assert "7,515 万元" in building and "8,123.45" in building and "已隐藏" not in building


def test_the_timeline_hides_a_plan_quote_that_states_an_amount(app, db, make_user, longnan):
    """The seed's project:source entry for 表6's 总投资 cell quotes "7,515": an amount."""
    hide_money()
    viewer = browser(app, make_user("viewer", username="reader"))
    html = read(viewer, f"/projects/{longnan[INFECTION_BUILDING]}")
    history = html[html.index('id="history"'):]
    assert "002_6be73d2b01aff470.txt:219" not in history  # the 总投资 quote: hidden
    assert "《龙南市“十四五”区域卫生规划》第213行：赣州市龙南市第一人民医院感染大楼建设项目" in history  # its name
    assert "第219行：" not in history  # the 总投资 quote: hidden
    assert "来源：《龙南市“十四五”区域卫生规划》第219行" in history  # the entry itself stays


def test_the_viewers_briefing_has_no_amount(app, db, make_user, longnan):
    hide_money()
    viewer = browser(app, make_user("viewer", username="reader"))
    response = viewer.get("/dashboard/briefing.pdf?region=360783")
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "龙南市" in text and "项目总数" in text
    assert not shown(text)


def test_the_rule_is_one_function(app, db, make_user):
    from tracker.accounts.services import money_hidden_from
    from tracker.dashboard.access import money_hidden_for

    assert money_hidden_for is money_hidden_from
    viewer, leader = make_user("viewer"), make_user("leader")
    assert not money_hidden_from(viewer)
    hide_money()
    assert money_hidden_from(viewer)
    assert not money_hidden_from(leader) and not money_hidden_from(None)


def test_a_malformed_setting_reads_as_its_default(app, db, make_user):
    from tracker.accounts.models import Setting
    from tracker.accounts.services import get_setting, money_hidden_from

    db.session.merge(Setting(key=accounts.HIDE_MONEY_FROM_VIEWERS, value=["not", "a", "dict"]))
    db.session.flush()
    assert get_setting(accounts.HIDE_MONEY_FROM_VIEWERS) == {"enabled": False}
    assert not money_hidden_from(make_user("viewer"))


def test_a_viewer_cannot_rank_or_page_by_the_amounts_he_may_not_see(app, db, make_user, longnan,
                                                                   monkeypatch):
    """Sorted by 总投资, the next-page link carried the last row's amount (and a made-up seek
    value answered "is this project's amount above V?"). For him the list sorts by region."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    hide_money()
    viewer = browser(app, make_user("viewer", username="ranker"))
    leader = browser(app, make_user("leader", username="ranker-boss"))
    url = "/projects?region=360783&sort=investment&order=desc"
    as_viewer, as_leader = read(viewer, url), read(leader, url)
    assert "sort=investment" not in as_viewer  # no sort link and no paging link by amount
    assert not re.search(r"value=\d+\.\d{4}", as_viewer)
    assert read(viewer, "/projects?region=360783").split("<tbody>")[1] == \
        as_viewer.split("<tbody>")[1]  # the region order, the same rows
    assert "sort=investment" in as_leader and re.search(r"value=\d+\.\d{4}", as_leader)
    probe = viewer.get(url + f"&after={longnan[INFECTION_BUILDING]}&value=7000.0000&anchor=1")
    assert probe.status_code == 400  # a made-up amount is no longer a seek value: no oracle
    by_amount = viewer.get("/projects/export.csv?region=360783&sort=investment&order=desc")
    assert by_amount.status_code == 200
    by_amount = by_amount.get_data(as_text=True)
    plain = viewer.get("/projects/export.csv?region=360783").get_data(as_text=True)
    assert by_amount.splitlines()[1:] == plain.splitlines()[1:]  # the export ranks nothing either
