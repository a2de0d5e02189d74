"""``tracker users …``: the same account services the admin page uses."""

from __future__ import annotations

import secrets
import sys
from typing import Callable, TypeVar

import click
from flask.cli import AppGroup

from ..audit.services import CLI
from ..core.values import clean_text
from ..errors import ValidationFailed
from ..extensions import db
from ..unit_of_work import one_unit_of_work
from ..vocabulary import Role
from . import services

users = AppGroup("users", help="Create and manage accounts.")
ROLES = click.Choice([role.value for role in Role])


T = TypeVar("T")


def _password(from_stdin: bool) -> tuple[str, bool]:
    """A password from standard input, or a generated one (then shown once)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return secrets.token_urlsafe(12) + "7a", True


def _or_fail(action: Callable[[], T]) -> T:
    """The service's refusal as the command's error (the unit of work then writes nothing)."""
    try:
        return action()
    except ValidationFailed as failure:
        raise click.ClickException("; ".join(m for msgs in failure.errors.values() for m in msgs)) from None


def _user(username: str):
    user = services.get_by_username(username)
    if user is None:
        raise click.ClickException(f"no user named {username}")
    return user


@users.command("create")
@click.argument("username")
@click.option("--role", type=ROLES, required=True)
@click.option("--region", "regions", multiple=True, help="A region code the officer edits (repeatable).")
@click.option("--name", "display_name")
@click.option("--email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@one_unit_of_work
def create(username, role, regions, display_name, email, password_stdin):
    """Create an account. Without --password-stdin a password is generated and shown once."""
    password, generated = _password(password_stdin)
    # A name pasted into a terminal may carry controls (a newline once stopped every reminder).
    display_name, email = clean_text(display_name), clean_text(email)
    _or_fail(lambda: services.create_user(
        CLI, username, role, password, regions=regions, display_name=display_name, email=email,
        must_change_password=generated))
    click.echo(f"created {username.lower()} ({role})")
    if regions and not services.regions_apply(role):
        click.echo(f"note: a {role} sees every region; --region is for officers and was not kept")
    if generated:
        click.echo(f"one-time password: {password}  (to be changed at first login)")


@users.command("disable")
@click.argument("username")
@one_unit_of_work
def disable(username):
    """Disable an account; its open sessions end."""
    _or_fail(lambda: services.set_active(CLI, _user(username), False))
    click.echo(f"disabled {username}")


@users.command("enable")
@click.argument("username")
@one_unit_of_work
def enable(username):
    _or_fail(lambda: services.set_active(CLI, _user(username), True))
    click.echo(f"enabled {username}")


@users.command("set-role")
@click.argument("username")
@click.option("--role", type=ROLES, required=True)
@click.option("--region", "regions", multiple=True)
@one_unit_of_work
def set_role(username, role, regions):
    _or_fail(lambda: services.change_role(CLI, _user(username), role, regions))
    click.echo(f"{username} is now {role}")
    if regions and not services.regions_apply(role):
        click.echo(f"note: a {role} sees every region; --region is for officers and was not kept")


@users.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True)
@one_unit_of_work
def reset_password(username, password_stdin):
    """Set a new password; without --password-stdin one is generated, to be changed at login."""
    password, generated = _password(password_stdin)
    _or_fail(lambda: services.set_password(CLI, _user(username), password, must_change=generated))
    click.echo(f"password of {username} reset")
    if generated:
        click.echo(f"one-time password: {password}  (to be changed at first login)")


@users.command("list")
def list_users():
    import sqlalchemy as sa

    from .models import User
    for user in db.session.scalars(sa.select(User).order_by(User.username)):
        regions = ",".join(region.key for region in user.regions)
        click.echo(f"{user.username}\t{user.role.value}\t{'active' if user.active else 'disabled'}\t{regions}")


@users.command("ensure-admin")
@one_unit_of_work
def ensure_admin():
    """Create an admin with a one-time password when the database has none (used by make run)."""
    created = _or_fail(lambda: services.ensure_admin(CLI))
    if created:
        user, password = created
        click.echo("=" * 60)
        click.echo(f"  First start: administrator account '{user.username}'")
        click.echo(f"  One-time password: {password}")
        click.echo("  You will be asked to choose a new password at first login.")
        click.echo("=" * 60)
