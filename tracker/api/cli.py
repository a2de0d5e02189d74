"""``tracker tokens create USERNAME [--expires DAYS] [--scope read|write]``, ``revoke``, ``list``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..accounts.services import get_by_username
from ..audit.services import CLI
from ..errors import ValidationFailed
from ..extensions import db
from . import tokens as service
from ..unit_of_work import one_unit_of_work
from .models import SCOPES, ApiToken


@click.group("tokens")
def tokens() -> None:
    """API tokens: made (printed once), listed, revoked."""


def _user(username: str):
    user = get_by_username(username)
    if user is None or not user.active:
        raise click.ClickException(f"no active user named {username}")
    return user


@tokens.command("create")
@click.argument("username")
@click.option("--expires", "days", type=int, help="Days until the token stops working (default: never).")
@click.option("--scope", type=click.Choice(SCOPES), default="read", show_default=True,
              help="read: read only; write: also write what the user's role allows.")
@click.option("--name", help="What the token is for (shown in the list).")
@with_appcontext
@one_unit_of_work
def create(username: str, days: int | None, scope: str, name: str | None) -> None:
    """Make a token for USERNAME and print its secret: it is shown this once only."""
    user = _user(username)
    try:
        token, secret = service.create_token(CLI, user, name=name, scope=scope, days=days)
    except ValidationFailed as failed:
        raise click.ClickException(str(failed)) from None
    click.echo(secret)
    expiry = token.expires_at.date().isoformat() if token.expires_at else "never"
    click.echo(f"token {token.id} for {user.username}: scope {scope}, expires {expiry}. "
               "Store it now: it cannot be shown again.", err=True)


@tokens.command("list")
@click.argument("username")
@with_appcontext
def list_(username: str) -> None:
    """List USERNAME's tokens (never their secrets)."""
    for token in service.tokens_of(_user(username)):
        state = "revoked" if token.revoked_at else "active"
        expiry = token.expires_at.date().isoformat() if token.expires_at else "never"
        click.echo(f"{token.id}\t{token.prefix}…\t{token.scope}\t{state}\texpires {expiry}\t{token.name}")


@tokens.command("revoke")
@click.argument("token_id", metavar="TOKEN")
@with_appcontext
@one_unit_of_work
def revoke(token_id: str) -> None:
    """Revoke a token, named by its id (from `tracker tokens list`) or its secret."""
    if token_id.isdigit():
        token = db.session.get(ApiToken, int(token_id))
    else:
        token = db.session.scalar(sa.select(ApiToken).where(
            ApiToken.secret_hash == service.hash_secret(token_id)))
    if token is None:
        raise click.ClickException("no such token")
    changed = service.revoke_token(CLI, token)
    click.echo(f"token {token.id} revoked" if changed else f"token {token.id} was already revoked")
