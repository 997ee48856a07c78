"""Pieces other apps' templates show: the product page's "N other shops sell this"."""

from django import template

from evillage.sameitem.selectors import identical_shop_count

register = template.Library()


@register.inclusion_tag("sameitem/_identical_link.html")
def identical_link(product) -> dict:
    """A link to the identical listings; nothing when no other shop sells the item."""
    return {"product": product, "count": identical_shop_count(product=product)}
