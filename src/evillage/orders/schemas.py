"""JSON shapes of the orders API: checkouts, orders, refunds, disputes (the cart's are
in orders.api.cart).

Money is an integer count of minor units with its currency code beside it; ids are the
objects' opaque public ids, never primary keys.
"""

from dataclasses import asdict
from datetime import datetime

from django.urls import reverse
from ninja import Field, Schema
from pydantic import StrictInt

from evillage.accounts.models import User
from evillage.orders.models import Evidence, Order, OrderEvent, OrderLine, Refund
from evillage.orders.selectors import evidence_photo_name, order_actions, order_events

MINOR_UNITS = "Minor units (fen, sen) of `currency`."


def user_ref(user: User | None) -> dict | None:
    return None if user is None else {"id": user.public_id, "name": user.public_name}


class Ref(Schema):
    id: str
    name: str


# --- orders -----------------------------------------------------------------------------


class OrderLineOut(Schema):
    sku: str
    title: str
    label: str
    unit_price: int = Field(description="As paid; " + MINOR_UNITS)
    quantity: int
    amount: int

    @staticmethod
    def resolve_sku(obj: OrderLine) -> str:
        return obj.sku.public_id


class PlaceRef(Schema):
    key: str
    name: str


class ShipToOut(Schema):
    place: PlaceRef
    street: str
    name: str
    phone: str


class TrackingOut(Schema):
    carrier: str
    waybill: str
    shipped_at: datetime | None


class DeadlinesOut(Schema):
    pay_by: datetime | None = Field(description="Unpaid orders close at this time.")
    auto_confirm_at: datetime | None = Field(
        description="A shipped order is confirmed for the buyer at this time."
    )
    confirm_extended_days: int


class OrderSummary(Schema):
    id: str
    checkout: str
    state: str = Field(description="wait_pay, paid, shipped, finished or closed.")
    state_label: str
    shop: Ref
    buyer: Ref
    currency: str
    items_total: int
    shipping_fee: int
    total: int
    refunded: int
    lines: list[OrderLineOut]
    ship_to: ShipToOut
    note: str
    tracking: TrackingOut | None
    deadlines: DeadlinesOut
    created_at: datetime
    paid_at: datetime | None
    finished_at: datetime | None
    closed_at: datetime | None
    close_reason: str

    @staticmethod
    def resolve_id(obj: Order) -> str:
        return obj.public_id

    @staticmethod
    def resolve_checkout(obj: Order) -> str:
        return obj.checkout.public_id

    @staticmethod
    def resolve_state_label(obj: Order) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_shop(obj: Order) -> dict:
        return {"id": obj.shop.public_id, "name": obj.shop.name}

    @staticmethod
    def resolve_buyer(obj: Order) -> dict | None:
        return user_ref(obj.buyer)

    @staticmethod
    def resolve_lines(obj: Order) -> list:
        return list(obj.lines.all())

    @staticmethod
    def resolve_ship_to(obj: Order) -> dict:
        return {
            "place": {"key": obj.ship_to_place.key, "name": obj.ship_to_place.name},
            "street": obj.ship_to_street,
            "name": obj.ship_to_name,
            "phone": obj.ship_to_phone,
        }

    @staticmethod
    def resolve_note(obj: Order) -> str:
        return obj.buyer_note

    @staticmethod
    def resolve_tracking(obj: Order) -> dict | None:
        if not obj.waybill:
            return None
        return {"carrier": obj.carrier, "waybill": obj.waybill, "shipped_at": obj.shipped_at}

    @staticmethod
    def resolve_deadlines(obj: Order) -> dict:
        return {
            "pay_by": obj.pay_deadline,
            "auto_confirm_at": obj.auto_confirm_at,
            "confirm_extended_days": obj.confirm_extended_days,
        }


class EvidenceOut(Schema):
    author: Ref
    text: str
    photo: str | None
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Evidence) -> dict | None:
        return user_ref(obj.author)

    @staticmethod
    def resolve_photo(obj: Evidence) -> str | None:
        if not obj.photo:
            return None
        return reverse("orders:evidence_photo", args=[evidence_photo_name(obj)])


class RefundOut(Schema):
    id: str
    order: str
    kind: str = Field(description="refund_only or return (return the goods and refund).")
    state: str = Field(
        description="requested, await_return, returned, disputed, refunded, rejected, cancelled."
    )
    state_label: str
    currency: str
    amount: int = Field(description="Asked for; " + MINOR_UNITS)
    amount_refunded: int = Field(description="Paid back (may be less after a dispute).")
    reason: str
    seller_answer: str
    return_carrier: str
    return_waybill: str
    decision: str
    deadline: datetime | None = Field(description="When the party that must act runs out of time.")
    created_at: datetime
    closed_at: datetime | None
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_id(obj: Refund) -> str:
        return obj.public_id

    @staticmethod
    def resolve_order(obj: Refund) -> str:
        return obj.order.public_id

    @staticmethod
    def resolve_state_label(obj: Refund) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_currency(obj: Refund) -> str:
        return obj.order.currency

    @staticmethod
    def resolve_evidence(obj: Refund) -> list:
        return list(obj.evidence.all())


class EventOut(Schema):
    at: datetime
    actor: Ref | None = Field(description="null: the system (a deadline, a payment provider).")
    from_state: str
    to_state: str
    reason: str
    refund: str | None

    @staticmethod
    def resolve_actor(obj: OrderEvent) -> dict | None:
        return user_ref(obj.actor)

    @staticmethod
    def resolve_refund(obj: OrderEvent) -> str | None:
        return obj.refund.public_id if obj.refund_id else None


class ActionsOut(Schema):
    """What the asking user may do with the order now (the pages show these buttons)."""

    pay: bool
    cancel: bool
    ship: bool
    confirm: bool
    extend: bool
    request_refund: bool
    cancel_refund: bool
    answer_refund: bool
    ship_return: bool
    receive_return: bool
    add_evidence: bool
    decide: bool


class OrderDetail(OrderSummary):
    seller_amount: int = Field(description="Paid to the seller when the order finished.")
    commission: int
    refunds: list[RefundOut]
    events: list[EventOut]
    actions: ActionsOut = Field(description="For the user asking.")

    @staticmethod
    def resolve_refunds(obj: Order) -> list:
        return list(obj.refunds.all())

    @staticmethod
    def resolve_events(obj: Order) -> list:
        return list(order_events(order=obj))

    @staticmethod
    def resolve_actions(obj: Order, context) -> dict:
        return asdict(order_actions(order=obj, user=context["request"].auth))


class CheckoutOut(Schema):
    id: str
    currency: str
    total: int = Field(description="All its orders; " + MINOR_UNITS)
    amount_due: int = Field(description="What paying now would cost: the unpaid orders.")
    created_at: datetime
    orders: list[OrderSummary]


class PaymentOut(Schema):
    id: str
    method: str = Field(description="wallet or provider.")
    provider: str
    state: str = Field(description="pending, succeeded, failed, …")
    amount: int
    currency: str
    pay_url: str | None = Field(
        description="Provider payments: where the buyer pays. null for the wallet."
    )


# --- inputs -----------------------------------------------------------------------------


class ItemIn(Schema):
    sku: str
    quantity: StrictInt


class ShipToIn(Schema):
    place: str = Field(description="A place key, county level or below.")
    street: str
    name: str
    phone: str


class CheckoutIn(Schema):
    items: list[ItemIn] | None = Field(
        None, description="What to buy; leave out to check out the whole cart."
    )
    ship_to: ShipToIn
    notes: dict[str, str] = Field(
        default_factory=dict, description="A note to each shop: {shop id: text}."
    )


class PayIn(Schema):
    method: str = Field(description="wallet or provider.")
    provider: str = "sandbox"
    return_url: str = Field("", description="Provider: a path on this site to come back to.")


class ReasonIn(Schema):
    reason: str = ""


class ShipIn(Schema):
    carrier: str
    waybill: str


class ExtendIn(Schema):
    days: StrictInt


class RefundIn(Schema):
    kind: str = Field("refund_only", description="refund_only or return.")
    amount: StrictInt | None = Field(
        None, description="Minor units; leave out to ask for all that is refundable."
    )
    reason: str


class AnswerIn(Schema):
    answer: str = ""


class DecideIn(Schema):
    amount: StrictInt = Field(description="0 (refuse) up to the amount asked; minor units.")
    decision: str


class DisputeOut(RefundOut):
    shop: Ref
    buyer: Ref
    order_total: int

    @staticmethod
    def resolve_shop(obj: Refund) -> dict:
        return {"id": obj.order.shop.public_id, "name": obj.order.shop.name}

    @staticmethod
    def resolve_buyer(obj: Refund) -> dict | None:
        return user_ref(obj.order.buyer)

    @staticmethod
    def resolve_order_total(obj: Refund) -> int:
        return obj.order.total
