"""Header links of the orders app: the cart with its count, the buyer's and shop's orders,
the dispute desk. Logged-in users only; three small queries per page."""

from django import template
from django.urls import reverse

from evillage.accounts.models import Role
from evillage.orders.selectors import cart_count, evidence_photo_name
from evillage.shops.selectors import shops_of_user

register = template.Library()


@register.inclusion_tag("orders/_nav_links.html", takes_context=True)
def orders_nav(context) -> dict:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "cart_count": cart_count(user=user),
        "is_seller": shops_of_user(user=user).exists(),
        "is_operator": user.has_role(Role.OPERATOR),
    }


@register.filter
def evidence_photo_url(evidence) -> str:
    """Where an evidence photo is streamed from (a permission-checked view)."""
    return reverse("orders:evidence_photo", args=[evidence_photo_name(evidence)])
