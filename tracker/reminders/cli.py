"""``tracker reminders [--month YYYY-MM] [--send]``: 本月未报, printed, and mailed on request."""

from __future__ import annotations

import smtplib

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from . import services


def _names(projects) -> str:
    return "；".join(project.name for project in projects)


@click.command("reminders")
@click.option("--month", help="The month, YYYY-MM (default: this month, Asia/Shanghai).")
@click.option("--send", is_flag=True, help="Mail each officer his list (needs TRACKER_SMTP_HOST).")
@with_appcontext
def reminders(month: str | None, send: bool) -> None:
    """List the projects under construction or suspended without this month's report (本月未报),
    per officer and region."""
    try:
        first_day = services.parse_month(month) if month else services.current_month()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--month") from None
    settings = None
    if send:
        settings = services.SmtpSettings.from_environment()
        if settings is None:
            raise click.ClickException(_(
                "未配置 SMTP 服务器，无法发送邮件：请设置环境变量 TRACKER_SMTP_HOST"
                "（可选 TRACKER_SMTP_PORT、TRACKER_SMTP_USER、TRACKER_SMTP_PASSWORD、"
                "TRACKER_SMTP_FROM、TRACKER_SMTP_STARTTLS）"))

    result = services.reminders(first_day)
    click.echo(ngettext("本月未报：%(month)s，%(n)s 个在建或停缓建项目尚未填报月度进度",
                        "本月未报：%(month)s，%(n)s 个在建或停缓建项目尚未填报月度进度", len(result.projects),
                        month=services.month_label(first_day), n=len(result.projects)))
    click.echo("\n" + _("按专员："))
    due = [item for item in result.by_officer if item.projects]
    for item in due:
        name = f"（{services.officer_name(item.officer)}）" if item.officer.display_name else ""
        click.echo(f"  {item.officer.username}{name}\t" + ngettext("%(n)s 个", "%(n)s 个", len(item.projects), n=len(item.projects))
                   + f"\t{_names(item.projects)}")
    if len(due) < len(result.by_officer):
        click.echo("  " + ngettext("另有 %(n)s 位专员负责的项目均已填报", "另有 %(n)s 位专员负责的项目均已填报",
                                    len(result.by_officer) - len(due), n=len(result.by_officer) - len(due)))
    if not result.by_officer:
        click.echo("  " + _("（没有分配了地区的在岗专员）"))
    click.echo("\n" + _("按地区："))
    if not result.by_region:
        click.echo("  " + _("（无）"))
    for area in result.by_region:
        click.echo(f"  {area.region.full_name}（{area.region.key}）\t"
                   + ngettext("%(n)s 个", "%(n)s 个", len(area.projects), n=len(area.projects)) + f"\t{_names(area.projects)}")
    if result.unassigned:
        click.echo("\n" + ngettext("无专员负责：%(n)s 个", "无专员负责：%(n)s 个", len(result.unassigned),
                                   n=len(result.unassigned)) + f"\t{_names(result.unassigned)}")

    if settings is None:
        return
    click.echo("")
    try:
        sent = services.send_reminders(result, settings)
    except (OSError, smtplib.SMTPException) as error:
        raise click.ClickException(_("无法通过 SMTP 服务器 %(host)s:%(port)s 发送：%(error)s",
                                     host=settings.host, port=settings.port, error=error)) from error
    for username in sent.sent:
        click.echo(_("已发送：%(name)s", name=username))
    for username in sent.without_email:
        click.echo(_("未发送（没有电子邮箱）：%(name)s", name=username))
    for username, failure in sent.failed:
        click.echo(_("发送失败：%(name)s：%(error)s", name=username, error=failure))
    click.echo(_("共发送 %(n)s 封提醒邮件", n=len(sent.sent)))
    if sent.failed:
        raise click.ClickException(_("%(n)s 封邮件发送失败", n=len(sent.failed)))
