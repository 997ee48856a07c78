"""On an order's page: which other order it is drop-shipped with."""

from django import template

from evillage.sourcing.dropship import purchase_of

register = template.Library()


@register.inclusion_tag("sourcing/_dropship_note.html", takes_context=True)
def dropship_note(context, order) -> dict:
    """Shown to the shops and operators; the buyer of the retail order sees only their
    order (who supplies the seller is the seller's business)."""
    pair = purchase_of(order)
    user = context.get("user")
    if pair is None or user is None or pair.retail_order.buyer_id == user.pk:
        return {"pair": None}
    return {"pair": pair, "is_purchase": pair.purchase_order_id == order.pk}
