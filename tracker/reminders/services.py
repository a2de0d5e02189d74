"""本月未报: which projects owe this month's report, for whom, and the mail.

The term is ``Project.owes_report`` (projects/terms.py), the same the dashboard lists and the
prefilled monthly template offers: a building project (the construction portfolio's kinds), 在建
or 停缓建, whose latest report (``projects.last_report_month``, kept by the report service) is
older than the month, or that has none. 前期 projects are left out: the monthly report is about
works on site (形象进度, 完成投资), which begin at 开工. A halted project still reports, to say why
and what comes next.

An officer's projects are those of his regions, a city including its counties: the same
``PortfolioFilter`` region clause the list uses.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import smtplib
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from ..core import clock
from ..accounts.models import User
from ..core.values import clean_text
from ..extensions import db
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project
from ..regions.models import Region
from ..vocabulary import Role


def current_month() -> dt.date:
    """The first day of this month in the portfolio's time zone."""
    return clock.this_month()


def parse_month(text: str) -> dt.date:
    """``2024-05`` → 2024-05-01; ValueError for anything else."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except (AttributeError, ValueError):
        raise ValueError(_("月份应为“年-月”格式，例如 2024-05：%(value)s", value=text)) from None


def month_label(month: dt.date) -> str:
    return _("%(year)s年%(month)s月", year=month.year, month=month.month)


def owing_reports(month: dt.date, region_keys=None):
    """本月未报 for ``month``, in the given regions (their counties included) or everywhere."""
    if not region_keys:
        return Project.owes_report(month)
    return sa.and_(Project.owes_report(month), sa.or_(*(
        sa.and_(*PortfolioFilter(region=key, kind="all").conditions()) for key in region_keys)))


@dataclass
class OfficerReminder:
    officer: User
    projects: list[Project]


@dataclass
class RegionReminder:
    region: Region
    projects: list[Project]


@dataclass
class Reminders:
    month: dt.date
    projects: list[Project]
    by_officer: list[OfficerReminder]
    by_region: list[RegionReminder]
    unassigned: list[Project]  # no active officer covers them


def reminders(month: dt.date) -> Reminders:
    projects = list(db.session.scalars(
        sa.select(Project).join(Region, Project.region_id == Region.id)
        .where(owing_reports(month))
        .order_by(Region.path, Project.name, Project.id)
        .options(selectinload(Project.region))))
    by_id = {project.id: project for project in projects}
    position = {project.id: index for index, project in enumerate(projects)}

    officers = db.session.scalars(
        sa.select(User).where(User.role == Role.OFFICER, User.active.is_(True))
        .order_by(User.username).options(selectinload(User.regions))).all()
    by_officer: list[OfficerReminder] = []
    covered: set[int] = set()
    for officer in officers:
        if not officer.regions:
            continue
        ids = db.session.scalars(sa.select(Project.id).where(
            owing_reports(month, [region.key for region in officer.regions]))).all()
        mine = [by_id[i] for i in sorted(ids, key=lambda i: position.get(i, -1)) if i in by_id]
        covered.update(ids)
        by_officer.append(OfficerReminder(officer, mine))

    by_region: dict[int, RegionReminder] = {}
    for project in projects:
        by_region.setdefault(project.region_id, RegionReminder(project.region, [])).projects.append(project)
    return Reminders(month, projects, by_officer,
                     sorted(by_region.values(), key=lambda item: item.region.path),
                     [project for project in projects if project.id not in covered])


# --- mail ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    sender: str = "tracker@localhost"
    starttls: bool = False

    @classmethod
    def from_environment(cls) -> SmtpSettings | None:
        """TRACKER_SMTP_HOST (required), _PORT, _USER, _PASSWORD, _FROM, _STARTTLS, from the app
        config or the environment; None when no host is set."""
        def value(name: str) -> str | None:
            found = current_app.config.get(name) or os.environ.get(name)
            return str(found).strip() if found not in (None, "") else None

        host = value("TRACKER_SMTP_HOST")
        if not host:
            return None
        starttls = (value("TRACKER_SMTP_STARTTLS") or "").lower() in ("1", "true", "yes", "on")
        port = value("TRACKER_SMTP_PORT")
        return cls(host=host, port=int(port) if port else (587 if starttls else 25),
                   user=value("TRACKER_SMTP_USER"), password=value("TRACKER_SMTP_PASSWORD"),
                   sender=value("TRACKER_SMTP_FROM") or "tracker@localhost", starttls=starttls)


def officer_name(officer: User) -> str:
    """The name a reminder shows, on one line: a line break in a stored display name (an old
    import, a paste from Word) must not start a new mail header or a new line of the report."""
    return clean_text(officer.display_name) or officer.username


class BadAddress(ValueError):
    pass


def recipient(officer: User) -> Address:
    """The officer's ``To`` address; BadAddress when his stored e-mail cannot be one."""
    address = (officer.email or "").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() or ord(ch) < 32 for ch in address):
        raise BadAddress(_("电子邮箱地址无效：%(address)s", address=ascii(address)[1:-1]))
    try:
        return Address(display_name=officer_name(officer), username=local, domain=domain)
    except (ValueError, IndexError):
        raise BadAddress(_("电子邮箱地址无效：%(address)s", address=ascii(address)[1:-1])) from None


def reminder_message(reminder: OfficerReminder, month: dt.date, sender: str) -> EmailMessage:
    officer = reminder.officer
    count = len(reminder.projects)
    # Each project's form one click away where the tracker's address is known (TRACKER_PUBLIC_URL;
    # never the request's Host: the mail is sent from the console).
    public = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    message = EmailMessage()
    message["Subject"] = ngettext("【卫生健康建设项目台账】%(month)s尚有 %(n)s 个项目未填报月度进度",
                                  "【卫生健康建设项目台账】%(month)s尚有 %(n)s 个项目未填报月度进度",
                                  count, month=month_label(month), n=count)
    message["From"] = sender
    message["To"] = recipient(officer)
    lines = [
        _("%(name)s，您好：", name=officer_name(officer)),
        "",
        ngettext("您负责地区的以下 %(n)s 个在建或停缓建项目尚未填报%(month)s的月度进度：",
                 "您负责地区的以下 %(n)s 个在建或停缓建项目尚未填报%(month)s的月度进度：",
                 count, n=count, month=month_label(month)),
        "",
        *(line for index, project in enumerate(reminder.projects, 1)
          for line in (f"  {index}. {project.name}（{project.region.name}）",
                       *([f"     {public}/projects/{project.id}/reports/new?month={month:%Y-%m}"] if public else []))),
        "",
        _("请登录卫生健康建设项目台账，在项目页面点击“月度填报”，填写形象进度和本月完成投资。"),
        *([_("我的待办：%(url)s", url=f"{public}/todo")] if public else []),
        "",
        _("此邮件由系统自动发送，请勿直接回复。"),
    ]
    message.set_content("\n".join(str(line) for line in lines), charset="utf-8")
    return message


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)  # usernames
    without_email: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (username, error)


def send_reminders(result: Reminders, settings: SmtpSettings) -> SendReport:
    """Mail every officer who has projects to report and an address, over one SMTP connection.

    One officer's bad address or a recipient the server refuses is reported and the others are
    still sent; only a server that cannot be reached at all raises (OSError, SMTPException).
    """
    report = SendReport()
    due = [item for item in result.by_officer if item.projects]
    for item in due:
        if not item.officer.email:
            report.without_email.append(item.officer.username)
    to_mail = []
    for item in (item for item in due if item.officer.email):
        try:
            to_mail.append((item, reminder_message(item, result.month, settings.sender)))
        except (BadAddress, ValueError) as error:
            report.failed.append((item.officer.username, str(error)))
    if not to_mail:
        return report
    connection = _connect(settings)
    try:
        for item, message in to_mail:
            try:
                connection.send_message(message)
            except smtplib.SMTPServerDisconnected as error:
                report.failed.append((item.officer.username, str(error)))
                connection = _connect(settings)  # the next ones get a fresh connection
            except (smtplib.SMTPException, ValueError, UnicodeError) as error:
                report.failed.append((item.officer.username, _smtp_error(error)))
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    connection.rset()
            else:
                report.sent.append(item.officer.username)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.quit()
    return report


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    connection = smtplib.SMTP(settings.host, settings.port, timeout=30)
    try:
        if settings.starttls:
            connection.starttls()
        if settings.user:
            connection.login(settings.user, settings.password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _smtp_error(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {message.decode(errors='replace')}"
                         for address, (code, message) in error.recipients.items())
    return str(error)
