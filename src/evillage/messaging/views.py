"""Messenger pages: the inbox, one conversation, sending, and the shop's settings.

Everything works as plain forms and links; with JavaScript the page script receives new
messages over the WebSocket, and where that is not available HTMX polls for them.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import retarget

from evillage.accounts.api_auth import session_or_token_required
from evillage.catalog.selectors import product_visible_to
from evillage.core.errors import DomainError
from evillage.core.files import private_jpeg
from evillage.core.forms import add_domain_error
from evillage.messaging import selectors, services
from evillage.messaging.models import Message, QuickReply, Side
from evillage.orders.selectors import order_for
from evillage.shops.selectors import shop_by_public_id


class SendForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    image = forms.FileField(label=_("Photo"), required=False)


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this message?"), max_length=500)


class AutoReplyForm(forms.Form):
    auto_reply = forms.CharField(
        label=_("Automatic reply when nobody is online"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuickReplyForm(forms.Form):
    text = forms.CharField(label=_("New quick reply"), max_length=500)


def _conversation_or_404(request: HttpRequest, public_id: str) -> selectors.SeenConversation:
    seen = selectors.conversation_for(user=request.user, public_id=public_id)
    if seen is None:
        raise Http404(_("Conversation not found."))
    return seen


def _thread_context(seen: selectors.SeenConversation, items: list[Message]) -> dict:
    conversation = seen.conversation
    other_read = (
        conversation.shop_read_seq if seen.side == Side.BUYER else conversation.buyer_read_seq
    )
    return {"seen": seen, "items": items, "side": seen.side, "other_read_seq": other_read}


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    shop_ids = selectors.inbox_shop_ids(user=request.user)
    shop_filter = request.GET.get("shop", "")
    shop = shop_by_public_id(public_id=shop_filter) if shop_filter else None
    rows = selectors.conversations_of(
        user=request.user, shop_id=shop.pk if shop and shop.pk in shop_ids else None
    )
    return render(
        request,
        "messaging/inbox.html",
        {
            "rows": rows,
            "query": query,
            "results": selectors.message_search(user=request.user, query=query) if query else None,
            "shops": selectors.inbox_shops(user=request.user),
            "shop": shop,
        },
    )


@login_required
@require_GET
def conversation(request: HttpRequest, public_id: str) -> HttpResponse:
    seen = _conversation_or_404(request, public_id)
    before = _int(request.GET.get("before"))
    items = selectors.messages_of(conversation=seen.conversation, before=before)
    if before is None:
        services.conversation_mark_read(user=request.user, conversation=seen.conversation)
    quick = (
        list(QuickReply.objects.filter(shop_id=seen.conversation.shop_id))
        if seen.side == Side.SHOP
        else []
    )
    return render(
        request,
        "messaging/conversation.html",
        {
            **_thread_context(seen, items),
            "form": SendForm(),
            "quick_replies": quick,
            "earlier": items[0].seq if items and items[0].seq > 1 else None,
            "last_seq": items[-1].seq if items else 0,
        },
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def poll(request: HttpRequest, public_id: str) -> HttpResponse:
    """New messages after `after` (HTMX polling where the WebSocket is not available)."""
    seen = _conversation_or_404(request, public_id)
    after = _int(request.GET.get("after")) or 0
    items = selectors.messages_of(conversation=seen.conversation, after=after)
    if items:
        services.conversation_mark_read(user=request.user, conversation=seen.conversation)
    return render(request, "messaging/_messages.html", _thread_context(seen, items))


@login_required
@require_POST
def send(request: HttpRequest, public_id: str) -> HttpResponse:
    seen = _conversation_or_404(request, public_id)
    form = SendForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            image = form.cleaned_data["image"]
            created = services.message_send(
                user=request.user,
                conversation=seen.conversation,
                text=form.cleaned_data["text"],
                image=image or None,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if request.htmx:
                return render(request, "messaging/_messages.html", _thread_context(seen, created))
            return redirect(reverse("messaging:conversation", args=[public_id]) + "#bottom")
    if request.htmx:
        return retarget(
            render(request, "messaging/_send_errors.html", {"form": form}), "#send-errors"
        )
    items = selectors.messages_of(conversation=seen.conversation)
    return render(
        request,
        "messaging/conversation.html",
        {**_thread_context(seen, items), "form": form, "quick_replies": [], "earlier": None},
        status=400,
    )


@login_required
@require_POST
def open_conversation(request: HttpRequest) -> HttpResponse:
    """Start (or return to) a conversation from a product, a shop or an order."""
    try:
        opened = _open(request)
    except DomainError as exc:
        messages.error(request, exc.message)
        back = request.POST.get("next", "")
        return redirect(back if back.startswith("/") and not back.startswith("//") else "/")
    return redirect("messaging:conversation", opened.conversation.public_id)


def _open(request: HttpRequest) -> services.Opened:
    order_id = request.POST.get("order", "")
    if order_id:
        order = order_for(user=request.user, public_id=order_id)
        if order is None:
            raise Http404(_("Order not found."))
        return services.conversation_open_for_order(user=request.user, order=order)
    shop = shop_by_public_id(public_id=request.POST.get("shop", ""))
    if shop is None:
        raise Http404(_("Shop not found."))
    product = None
    if request.POST.get("product"):
        product = product_visible_to(user=request.user, public_id=request.POST["product"])
        if product is None:
            raise Http404(_("Product not found."))
    return services.conversation_open(user=request.user, shop=shop, product=product)


@login_required
@require_POST
def block(request: HttpRequest, public_id: str) -> HttpResponse:
    seen = _conversation_or_404(request, public_id)
    blocked = request.POST.get("action") != "unblock"
    services.conversation_block(user=request.user, conversation=seen.conversation, blocked=blocked)
    messages.success(
        request,
        _("You will not receive messages here any more.")
        if blocked
        else _("Messages from the other side reach you again."),
    )
    return redirect("messaging:conversation", public_id)


@login_required
def report(request: HttpRequest, public_id: str) -> HttpResponse:
    message = Message.objects.select_related("conversation").filter(public_id=public_id).first()
    if message is None or not selectors.side_of(
        user=request.user, conversation=message.conversation
    ):
        raise Http404(_("Message not found."))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_report(
                user=request.user, message=message, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. An operator will look at this message."))
            return redirect("messaging:conversation", message.conversation.public_id)
    return render(request, "messaging/report.html", {"form": form, "message": message})


@session_or_token_required
@cache_control(private=True, max_age=3600)
def image(request: HttpRequest, name: str) -> HttpResponse:
    """A photo sent in a conversation: only its two sides may see it."""
    message = selectors.message_image_for(user=request.user, name=name)
    if message is None:
        raise Http404
    return private_jpeg(message.image.open("rb"))


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """All of the user's conversations as one JSON file."""
    data = selectors.export_of(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="evillage-messages-{stamp}.json"'
    return response


@login_required
@require_GET
def unread(request: HttpRequest) -> HttpResponse:
    """The header's unread count (HTMX polling where the WebSocket is not available)."""
    return render(
        request,
        "messaging/_unread.html",
        {"unread": selectors.unread_total(user=request.user)},
    )


@login_required
def shop_settings(request: HttpRequest, public_id: str) -> HttpResponse:
    """The automatic reply and the quick replies of one shop, for its inbox staff."""
    shop = shop_by_public_id(public_id=public_id)
    if shop is None or shop.pk not in selectors.inbox_shop_ids(user=request.user):
        raise Http404(_("Shop not found."))
    chat = selectors.chat_settings_of(shop_id=shop.pk)
    auto_form = AutoReplyForm(initial={"auto_reply": chat.auto_reply if chat else ""})
    quick_form = QuickReplyForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "auto_reply":
                auto_form = AutoReplyForm(request.POST)
                if auto_form.is_valid():
                    services.chat_settings_update(
                        user=request.user,
                        shop=shop,
                        auto_reply=auto_form.cleaned_data["auto_reply"],
                    )
                    messages.success(request, _("Automatic reply saved."))
                    return redirect(request.path)
            elif action == "add_quick":
                quick_form = QuickReplyForm(request.POST)
                if quick_form.is_valid():
                    services.quick_reply_add(
                        user=request.user, shop=shop, text=quick_form.cleaned_data["text"]
                    )
                    return redirect(request.path)
            elif action == "remove_quick":
                reply = QuickReply.objects.filter(
                    shop=shop, pk=_int(request.POST.get("id"))
                ).first()
                if reply is not None:
                    services.quick_reply_remove(user=request.user, reply=reply)
                return redirect(request.path)
        except DomainError as exc:
            add_domain_error(quick_form if action == "add_quick" else auto_form, exc)
    return render(
        request,
        "messaging/shop_settings.html",
        {
            "shop": shop,
            "auto_form": auto_form,
            "quick_form": quick_form,
            "quick_replies": QuickReply.objects.filter(shop=shop),
        },
    )
