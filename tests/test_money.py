"""Money is exact: sums to 0.01 万元 on SQLite and PostgreSQL, no float on the path."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.database import InexactValue
from tracker.models import Project
from tracker.portfolio.filters import PortfolioFilter
from tracker.portfolio.queries import totals

from . import factories


def test_sum_of_many_cents_is_exact(db):
    # 0.01 + 0.02 + ... as floats drifts; 1,000 such amounts must sum to the cent.
    amounts = [Decimal("0.01") * i + Decimal("1234567.89") for i in range(1, 1001)]
    for amount in amounts:
        factories.project(total_investment=amount)
    db.session.commit()
    stored = db.session.scalar(sa.select(sa.func.sum(Project.total_investment)))
    assert isinstance(stored, Decimal)
    assert stored == sum(amounts)
    assert totals(PortfolioFilter()).total_investment == sum(amounts)


def test_amounts_round_trip_to_one_yuan(db):
    project = factories.project(total_investment=Decimal("145735.0001"))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Project, project.id).total_investment == Decimal("145735.0001")


def test_a_float_never_reaches_a_money_column(db):
    with pytest.raises(TypeError):
        factories.project(total_investment=0.1)
    db.session.rollback()


def test_more_decimals_than_stored_are_refused_not_rounded(db):
    with pytest.raises(sa.exc.StatementError) as raised:
        factories.project(total_investment=Decimal("1.00005"))
    assert isinstance(raised.value.orig, InexactValue)
    db.session.rollback()


def test_unknown_investment_is_not_counted_as_zero(db):
    factories.project(total_investment=Decimal("100"))
    factories.project(total_investment=None)
    db.session.commit()
    result = totals(PortfolioFilter())
    assert (result.projects, result.with_investment, result.total_investment) == (2, 1, Decimal("100"))


def test_a_portfolio_with_no_stated_investment_has_no_total(db):
    factories.project(total_investment=None)
    db.session.commit()
    assert totals(PortfolioFilter()).total_investment is None


def test_a_figure_reads_as_stored_with_its_unit_and_unknown_says_so(app):
    from markupsafe import Markup

    from tracker.formatting import figure

    with app.test_request_context():
        assert figure(Decimal("1320.0000")) == "1,320"
        assert figure(Decimal("16698.95"), "m²", approx=True) == "约16,698.95 m²"
        assert figure(12345678, "<床>") == "12,345,678 &lt;床&gt;"
        assert figure(None) == '<span class="unknown">未填报</span>'
        assert isinstance(figure(None), Markup) and isinstance(figure(Decimal(1)), Markup)
