"""How people write values: one reading for the forms, the import, the CLI and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tracker.core import clock
from tracker.core.values import (ValueProblem, check_date, clean_text, display_decimal,
                                 parse_decimal)


@pytest.mark.parametrize("typed, number", [
    ("56,000", Decimal(56000)), ("1，320", Decimal(1320)), ("1 320.5", Decimal("1320.5")),
    ("０", Decimal(0)), ("0.0", Decimal(0)), ("-0", Decimal(0)), ("+12", Decimal(12)),
    ("９，０００", Decimal(9000)), ("", None), ("   ", None),
])
def test_numbers_are_read_as_people_write_them(typed, number):
    assert parse_decimal(typed) == number


def test_minus_zero_is_zero_not_a_negative_figure():
    assert not parse_decimal("-0").is_signed()


@pytest.mark.parametrize("typed", ["约100", "1.2.3", "NaN", "Infinity", "12万", "abc", "1,2,3.4.5"])
def test_what_is_not_a_plain_number_is_refused_with_a_message(typed, app):
    with app.test_request_context(), pytest.raises(ValueProblem) as problem:
        parse_decimal(typed)
    assert str(problem.value)


def test_figures_are_shown_as_typed():
    assert display_decimal(Decimal("9000.0000")) == "9000"
    assert display_decimal(Decimal("27.90")) == "27.9"
    assert display_decimal(None) == ""


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1948, 12, 31)])
def test_absurd_dates_are_refused(day, app):
    with app.test_request_context(), pytest.raises(ValueProblem):
        check_date(day)


def test_text_loses_controls_bidi_overrides_and_zero_width_characters():
    assert clean_text("龙南\x0b市\x01人民医院") == "龙南 市人民医院"
    assert clean_text("医院\u202e名称") == "医院名称"
    assert clean_text("\u200b\u200b\ufeff") is None
    assert clean_text("第一行\x0b第二行\r\n第三行", multiline=True) == "第一行\n第二行\n第三行"


def test_today_is_the_day_in_beijing_not_the_servers_utc_day(app):
    # 2026-12-04 20:30 UTC is already 2026-12-05 04:30 in Beijing.
    with app.app_context(), time_machine.travel(dt.datetime(2026, 12, 4, 20, 30, tzinfo=dt.timezone.utc),
                                                tick=False):
        assert clock.today() == dt.date(2026, 12, 5)
        assert clock.this_month() == dt.date(2026, 12, 1)
        app.config["TIMEZONE"] = "UTC"
        try:
            assert clock.today() == dt.date(2026, 12, 4)
        finally:
            app.config["TIMEZONE"] = "Asia/Shanghai"


def test_a_whole_number_beyond_a_float_is_refused_not_a_server_error(app):
    """The route walk posted 99999999999999999999 as the funding page's 年度: NumberRange compared it
    through math.isnan and raised OverflowError (a 500)."""
    from werkzeug.datastructures import MultiDict
    from wtforms.validators import NumberRange

    from tracker.forms import TrackerForm, WholeNumberField

    class YearForm(TrackerForm):
        year = WholeNumberField("年度", validators=[NumberRange(2000, 2100)])

    with app.test_request_context():
        form = YearForm(MultiDict({"year": "99999999999999999999"}), meta={"csrf": False})
        assert not form.validate()
        assert any(message.startswith("数值过大") for message in form.errors["year"])


def test_a_number_with_a_huge_exponent_is_refused_not_a_server_error(app):
    """Hypothesis typed 1E+999999999 as an indicator's 基期年份: Decimal reads it, but its abs()
    overflows the context (decimal.Overflow, a 500). Refused, wherever it is typed: as scientific
    notation, which no office writes a figure in (1e3 beds were saved as 1,000)."""
    from werkzeug.datastructures import MultiDict

    from tracker.forms import FigureField, TrackerForm, WholeNumberField

    class NumbersForm(TrackerForm):
        year = WholeNumberField("年份")
        amount = FigureField("金额")

    with app.test_request_context():
        for typed in ("1E+999999999", "-1E+999999999", "1e31", "1e3"):
            form = NumbersForm(MultiDict({"year": typed, "amount": typed}), meta={"csrf": False})
            assert not form.validate(), typed
            assert all(any("不用科学计数法" in m for m in form.errors[name]) for name in ("year", "amount")), \
                (typed, form.errors)
        form = NumbersForm(MultiDict({"year": "9" * 40, "amount": "9" * 40}), meta={"csrf": False})
        assert not form.validate()
        assert all(any(m.startswith("数值过大") for m in form.errors[name]) for name in ("year", "amount"))


def test_a_huge_number_is_refused_however_it_arrives():
    """A form sends text; the API a JSON number; an imported cell an int or a Decimal."""
    from decimal import Decimal

    from tracker.core.values import ValueProblem, parse_decimal

    for value in ("1E+999999999", Decimal("1E+999999999"), Decimal("-1E+31"), 10 ** 40):
        with pytest.raises(ValueProblem):
            parse_decimal(value)
    assert parse_decimal(Decimal("1E+12")) == Decimal("1E+12")  # bounds beyond this are the columns'


@pytest.mark.parametrize("written", ["1,50", "1,5", "0,5", "1.234,5", "12,34,5", "1,320,5", "1 2"])
def test_a_comma_that_is_no_thousands_separator_is_refused_not_guessed_at(written):
    """"1,50" was read as 150 and "1.234,5" as 1.2345 (a European decimal comma), on the report
    form, in an imported sheet and through the API alike: an amount a person meant otherwise,
    stored exactly wrong. A separator is a thousands separator or the number is refused."""
    with pytest.raises(ValueProblem, match="千位分隔符应每三位一个"):
        parse_decimal(written)


@pytest.mark.parametrize("written, number", [("56,000", "56000"), ("1，320", "1320"), ("1 320 000", "1320000"),
                                             ("12,000.5", "12000.5"), ("-1,320", "-1320"), ("１２３", "123")])
def test_thousands_separators_are_read_as_people_write_them(written, number):
    assert parse_decimal(written) == Decimal(number)
