"""Reading accounts for the admin page: one page of users, sorted in the database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..portfolio.queries import Page
from ..vocabulary import Role
from .models import User

# Roles sort in the order the vocabulary lists them (admin first), not by their codes.
ROLE_ORDER = sa.case({role.value: position for position, role in enumerate(Role)}, value=User.role)
SORTS = {"username": User.username, "role": ROLE_ORDER}


def user_page(sort: str, order: str, page: int, per_page: int) -> Page[User]:
    total = db.session.scalar(sa.select(sa.func.count(User.id))) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    column = SORTS.get(sort, SORTS["username"])
    direction = sa.desc if order == "desc" else sa.asc
    statement = (sa.select(User).options(selectinload(User.regions))
                 .order_by(direction(column), User.username)
                 .limit(per_page).offset((page - 1) * per_page))
    return Page(list(db.session.scalars(statement)), page, per_page, total)
