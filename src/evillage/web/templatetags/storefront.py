"""Template helpers for the storefront: money in the reader's language, image sizes."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from evillage.core.money import format_money

register = template.Library()


@register.filter
def money(amount: int | None, currency: str) -> str:
    """`{{ sku.price|money:product.currency }}` → "¥199.00" (or "Rp125.000" in Indonesian)."""
    if amount is None or not currency:
        return ""
    return format_money(int(amount), currency, get_language() or "en")


@register.simple_tag
def price_range(low: int | None, high: int | None, currency: str) -> str:
    """One price, or "¥19.90–¥39.90" when a product's variants differ in price."""
    if low is None:
        return ""
    if high is None or high == low:
        return money(low, currency)
    return f"{money(low, currency)}–{money(high, currency)}"


@register.simple_tag
def img_size(photo, box: int) -> str:
    """width/height attributes of a photo's version that fits in a `box`-pixel square
    (the medium version fits in 800: core.images), from the stored full size.

    The browser reserves the space before the image arrives, so the page does not jump
    on a slow connection; CSS scales the image to the real width.
    """
    width, height = photo.width or box, photo.height or box
    scale = min(1.0, box / max(width, height))
    return format_html(
        'width="{}" height="{}"', max(1, round(width * scale)), max(1, round(height * scale))
    )
