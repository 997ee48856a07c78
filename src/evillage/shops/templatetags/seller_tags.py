from django import template
from django.utils import translation

from evillage.core.money import format_money

register = template.Library()


@register.filter
def money(amount: int | None, currency: str) -> str:
    """Minor units as a price in the reader's language: money:product.currency."""
    if amount is None:
        return "—"
    return format_money(amount, currency, translation.get_language() or "en")


@register.simple_tag
def price_range(low: int | None, high: int | None, currency: str) -> str:
    if low is None:
        return "—"
    if high is None or high == low:
        return money(low, currency)
    return f"{money(low, currency)} – {money(high, currency)}"
