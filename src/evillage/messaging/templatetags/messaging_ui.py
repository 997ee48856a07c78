"""The messenger in other pages: the header link with the unread count, and the
"Chat with the seller" buttons on product, shop and order pages."""

from django import template
from django.utils.translation import gettext as _

from evillage.messaging.selectors import inbox_shop_ids, unread_total

register = template.Library()


@register.inclusion_tag("messaging/_nav.html", takes_context=True)
def messenger_nav(context) -> dict:
    user = context.get("user")
    return {"unread": unread_total(user=user) if user and user.is_authenticated else 0}


def _button(context, *, shop=None, product=None, order=None, label: str) -> dict:
    user = context.get("user")
    return {
        "show": True,
        "shop": shop,
        "product": product,
        "order": order,
        "label": label,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "user": user,
    }


@register.inclusion_tag("messaging/_chat_button.html", takes_context=True)
def chat_button(context, shop, product=None) -> dict:
    """For buyers: opens the conversation with the shop, attaching the product's card.
    Not shown to the shop's own staff."""
    user = context.get("user")
    if user is not None and user.is_authenticated and shop.pk in inbox_shop_ids(user=user):
        return {"show": False}
    return _button(context, shop=shop, product=product, label=_("Chat with the seller"))


@register.inclusion_tag("messaging/_chat_button.html", takes_context=True)
def chat_button_order(context, order) -> dict:
    """On an order: the buyer writes to the shop, the shop's service staff to the buyer."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    if order.buyer_id == user.pk:
        return _button(context, order=order, label=_("Contact the seller"))
    if order.shop_id in inbox_shop_ids(user=user):
        return _button(context, order=order, label=_("Contact the buyer"))
    return {"show": False}
