import pytest

from evillage.core.errors import ValidationFailed
from evillage.core.money import Money, format_money, to_minor


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("12.50", "CNY", 1250), ("0.01", "CNY", 1), ("125000", "IDR", 12500000), (" 3 ", "CNY", 300)],
)
def test_prices_typed_by_people_become_minor_units(typed, currency, minor):
    assert to_minor(typed, currency) == minor


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "-1",
        "0",
        "1.005",
        "NaN",
        "Infinity",
        "1e30",
        "-1e30",
        "12,50",
        "-99999999999999999999999999999",
        "1e-30",
    ],
)
def test_nonsense_prices_are_refused_with_a_code(typed):
    with pytest.raises(ValidationFailed) as info:
        to_minor(typed, "CNY")
    assert info.value.code == "bad_amount"


@pytest.mark.parametrize("typed", ["125.000", "1.250.000", "12.5", "0.50"])
def test_rupiah_with_thousands_dots_or_cents_is_refused_not_misread(typed):
    """ "125.000" means a hundred and twenty-five thousand to an Indonesian seller."""
    with pytest.raises(ValidationFailed) as info:
        to_minor(typed, "IDR")
    assert info.value.code == "bad_amount"


def test_whole_rupiah_are_accepted_with_or_without_zero_cents():
    assert to_minor("125000", "IDR") == to_minor("125000.00", "IDR") == 12500000


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        Money(12.5, "CNY")  # type: ignore[arg-type]


def test_money_is_shown_in_the_readers_locale():
    assert format_money(1234550, "CNY", "en") == "CN¥12,345.50"
    assert format_money(1234550, "CNY", "zh-hans") == "¥12,345.50"
    assert format_money(12500000, "IDR", "id") == "Rp125.000"


def test_rupiah_in_minor_units_must_be_whole():
    from evillage.core.money import check_minor

    assert check_minor(12500000, "IDR") == 12500000
    assert check_minor(12345, "CNY") == 12345
    with pytest.raises(ValidationFailed):
        check_minor(12345, "IDR")
