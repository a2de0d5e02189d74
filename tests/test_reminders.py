"""本月未报: the projects under construction without this month's report, and the mail."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket

import pytest

from tracker.accounts import services as accounts
from tracker.reminders import services
from tracker.reminders.cli import reminders as reminders_command
from tracker.vocabulary import Kind, Status

from . import factories

MAY = dt.date(2024, 5, 1)
SMTP_VARIABLES = ("TRACKER_SMTP_HOST", "TRACKER_SMTP_PORT", "TRACKER_SMTP_USER",
                  "TRACKER_SMTP_PASSWORD", "TRACKER_SMTP_FROM", "TRACKER_SMTP_STARTTLS")


def reported(project, month: dt.date):
    # last_report_month is kept by the report service; here only its value matters.
    project.last_report_month = month
    return project


@pytest.fixture()
def portfolio(db):
    """Ganzhou city with Longnan county, Yichun, and Yangjiang where no officer works."""
    province, city, county = factories.county_in_city()
    yichun = factories.region("360900", "宜春市", province, level="city")
    yangjiang = factories.region("441700", "阳江市", level="city")
    build = factories.project
    projects = {
        "county_silent": build(county, name="龙南县医院", status=Status.CONSTRUCTION),
        "county_last_month": reported(build(county, name="龙南疾控实验楼", status=Status.CONSTRUCTION),
                                      dt.date(2024, 4, 1)),
        "city_done": reported(build(city, name="赣州市医院", status=Status.CONSTRUCTION), MAY),
        "preparation": build(county, name="龙南妇幼前期", status=Status.PREPARATION),
        "programme": build(county, name="龙南健康行动", status=Status.CONSTRUCTION, kind=Kind.PROGRAMME),
        "finished": build(county, name="龙南中医院", status=Status.COMPLETED),
        "yichun": build(yichun, name="宜春市疾控中心易地新建", status=Status.CONSTRUCTION),
        "yangjiang": build(yangjiang, name="阳江市第三人民医院迁建", status=Status.CONSTRUCTION),
    }
    actor = factories.TEST_ACTOR
    accounts.create_user(actor, "ganzhou", "officer", "Test-password-1", regions=[city],
                         display_name="赣州专员", email="ganzhou@example.cn")
    accounts.create_user(actor, "longnan", "officer", "Test-password-1", regions=[county])
    accounts.create_user(actor, "yichun", "officer", "Test-password-1", regions=[yichun],
                         display_name="宜春专员", email="yichun@example.cn")
    gone = accounts.create_user(actor, "retired", "officer", "Test-password-1", regions=[city],
                                email="retired@example.cn")
    accounts.set_active(actor, gone, False)
    db.session.commit()
    return projects


def names(projects) -> list[str]:
    return [project.name for project in projects]


def test_only_building_projects_under_construction_without_a_report_count(portfolio, db):
    result = services.reminders(MAY)
    assert sorted(names(result.projects)) == sorted(
        ["龙南县医院", "龙南疾控实验楼", "宜春市疾控中心易地新建", "阳江市第三人民医院迁建"])
    # The month before: the laboratory's April report counts, the others still have none.
    assert "龙南疾控实验楼" not in names(services.reminders(dt.date(2024, 4, 1)).projects)


def test_a_city_officer_sees_his_counties_and_disabled_officers_none(portfolio, db):
    result = services.reminders(MAY)
    by_officer = {item.officer.username: set(names(item.projects)) for item in result.by_officer}
    assert by_officer == {"ganzhou": {"龙南疾控实验楼", "龙南县医院"},
                          "longnan": {"龙南疾控实验楼", "龙南县医院"},
                          "yichun": {"宜春市疾控中心易地新建"}}
    assert names(result.unassigned) == ["阳江市第三人民医院迁建"]
    by_region = {item.region.key: len(item.projects) for item in result.by_region}
    assert by_region == {"360783": 2, "360900": 1, "441700": 1}


def test_the_command_prints_per_officer_and_per_region(app, portfolio):
    result = app.test_cli_runner().invoke(reminders_command, ["--month", "2024-05"])
    assert result.exit_code == 0, result.output
    assert "2024年5月，4 个在建或停缓建项目尚未填报月度进度" in result.output
    ganzhou = next(line for line in result.output.splitlines() if "ganzhou" in line)
    assert ganzhou.startswith("  ganzhou（赣州专员）\t2 个\t")
    assert "龙南县医院" in ganzhou and "龙南疾控实验楼" in ganzhou
    assert "江西省赣州市龙南市（360783）\t2 个" in result.output
    assert "无专员负责：1 个\t阳江市第三人民医院迁建" in result.output
    assert "retired" not in result.output


def test_a_malformed_month_is_refused(app, db):
    result = app.test_cli_runner().invoke(reminders_command, ["--month", "2024-13"])
    assert result.exit_code != 0 and "2024-05" in result.output


def test_send_without_smtp_says_so_and_fails(app, portfolio, monkeypatch):
    for name in SMTP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    result = app.test_cli_runner().invoke(reminders_command, ["--month", "2024-05", "--send"])
    assert result.exit_code == 1
    assert "未配置 SMTP 服务器" in result.output and "TRACKER_SMTP_HOST" in result.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def smtp_inbox():
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def test_send_mails_each_officer_with_an_address_in_chinese(app, portfolio, smtp_inbox, monkeypatch):
    inbox, port = smtp_inbox
    for name in SMTP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
    monkeypatch.setenv("TRACKER_SMTP_FROM", "台账系统 <tracker@example.cn>")

    result = app.test_cli_runner().invoke(reminders_command, ["--month", "2024-05", "--send"])
    assert result.exit_code == 0, result.output
    assert "未发送（没有电子邮箱）：longnan" in result.output
    assert "共发送 2 封提醒邮件" in result.output

    received = {tuple(envelope.rcpt_tos): envelope for envelope in inbox.envelopes}
    assert set(received) == {("ganzhou@example.cn",), ("yichun@example.cn",)}
    message = email.message_from_bytes(received[("ganzhou@example.cn",)].content,
                                       policy=email.policy.default)
    assert message["Subject"] == "【卫生健康建设项目台账】2024年5月尚有 2 个项目未填报月度进度"
    assert message["To"] == "赣州专员 <ganzhou@example.cn>"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "赣州专员，您好" in body
    assert ". 龙南县医院（龙南市）" in body and ". 龙南疾控实验楼（龙南市）" in body
    assert "宜春" not in body


def test_an_unreachable_smtp_server_is_an_error(app, portfolio, monkeypatch):
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(free_port()))  # nobody listens there
    result = app.test_cli_runner().invoke(reminders_command, ["--month", "2024-05", "--send"])
    assert result.exit_code == 1 and "无法通过 SMTP 服务器" in result.output


def test_a_display_name_with_a_newline_or_a_bad_address_never_stops_the_others(
        app, portfolio, smtp_inbox, monkeypatch, db):
    """Issue 14.13: a newline in one officer's name aborted the whole run and nobody got mail."""
    from tracker.accounts.models import User

    inbox, port = smtp_inbox
    for name in SMTP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
    users = {user.username: user for user in db.session.scalars(db.select(User))}
    users["ganzhou"].display_name = "赣州\n专员\r\nBcc: victim@example.org"
    users["longnan"].email = "longnan@exa\nmple.cn"  # a malformed address from an old import
    db.session.commit()

    result = app.test_cli_runner().invoke(reminders_command, ["--month", "2024-05", "--send"])
    assert "已发送：ganzhou" in result.output and "已发送：yichun" in result.output
    assert "发送失败：longnan" in result.output
    assert "共发送 2 封提醒邮件" in result.output and "1 封邮件发送失败" in result.output
    assert result.exit_code == 1  # a failure is reported to cron, after the others were sent
    received = {tuple(envelope.rcpt_tos): envelope for envelope in inbox.envelopes}
    assert set(received) == {("ganzhou@example.cn",), ("yichun@example.cn",)}
    message = email.message_from_bytes(received[("ganzhou@example.cn",)].content,
                                       policy=email.policy.default)
    assert message["To"] == '"赣州 专员 Bcc: victim@example.org" <ganzhou@example.cn>'
    assert message["To"].addresses[0].addr_spec == "ganzhou@example.cn"
    assert message["Bcc"] is None
    assert "赣州 专员 Bcc: victim@example.org，您好" in message.get_content()


def test_a_recipient_the_server_refuses_is_reported_and_the_rest_are_sent(
        app, portfolio, monkeypatch, db):
    from aiosmtpd.controller import Controller

    class Picky:
        def __init__(self):
            self.envelopes = []

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("ganzhou@"):
                return "550 5.1.1 mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 OK"

    picky = Picky()
    controller = Controller(picky, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        for name in SMTP_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("TRACKER_SMTP_PORT", str(controller.port))
        result = app.test_cli_runner().invoke(reminders_command, ["--month", "2024-05", "--send"])
    finally:
        controller.stop()
    assert "发送失败：ganzhou" in result.output and "已发送：yichun" in result.output
    assert [tuple(envelope.rcpt_tos) for envelope in picky.envelopes] == [("yichun@example.cn",)]
    assert result.exit_code == 1


def test_a_reminder_links_each_project_s_form_where_the_tracker_s_address_is_known(app, portfolio, smtp_inbox,
                                                                                   monkeypatch):
    """The mail named the projects but no way to them, though TRACKER_PUBLIC_URL says where the
    tracker is published."""
    inbox, port = smtp_inbox
    for name in SMTP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://tracker.wjw.example.gov.cn/")
    result = app.test_cli_runner().invoke(reminders_command, ["--month", "2024-05", "--send"])
    assert result.exit_code == 0, result.output
    received = {tuple(envelope.rcpt_tos): envelope for envelope in inbox.envelopes}
    body = email.message_from_bytes(received[("ganzhou@example.cn",)].content,
                                    policy=email.policy.default).get_content()
    assert "https://tracker.wjw.example.gov.cn/projects/" in body and "/reports/new?month=2024-05" in body
    assert "我的待办：https://tracker.wjw.example.gov.cn/todo" in body
