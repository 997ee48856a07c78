"""The admin shows orders read-only; the shop settings page sets the shipping fee."""

import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.services.refunds import refund_request
from evillage.orders.tests.factories import fund_wallet, item, make_shop, make_sku, ship_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    buyer = UserFactory()
    fund_wallet(buyer, 100_000)
    sku = make_sku(shop=make_shop(shipping_fee=1000), price=19900)
    checkout = checkout_create(buyer=buyer, items=[item(sku)], ship_to=ship_to(buyer))
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    return checkout.orders.get()


class TestAdmin:
    def test_order_is_shown_but_cannot_be_changed(self, client, order):
        client.force_login(OperatorFactory())
        changelist = reverse("admin:orders_order_changelist")
        html = client.get(changelist, {"q": order.public_id}).content.decode()
        assert order.public_id in html and "CN¥209.00" in html
        page = client.get(reverse("admin:orders_order_change", args=[order.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert order.lines.get().title in html and "paid by wallet" in html
        assert 'name="_save"' not in html
        # A forged POST changes nothing either.
        client.post(reverse("admin:orders_order_change", args=[order.pk]), {"state": "finished"})
        order.refresh_from_db()
        assert order.state == "paid"
        assert client.get(reverse("admin:orders_order_add")).status_code == 403

    def test_filters_and_other_models_render(self, client, order):
        refund_request(order=order, actor=order.buyer, reason="买错了")
        client.force_login(OperatorFactory())
        changelist = reverse("admin:orders_order_changelist")
        assert (
            client.get(changelist, {"state": "closed", "shop_kind": "individual"}).status_code
            == 200
        )
        for name in ("refund", "checkout", "cart"):
            assert client.get(reverse(f"admin:orders_{name}_changelist")).status_code == 200
        refund = order.refunds.get()
        assert (
            client.get(reverse("admin:orders_refund_change", args=[refund.pk])).status_code == 200
        )


class TestShopShippingFee:
    def settings_url(self, shop):
        return reverse("shops:settings", args=[shop.public_id])

    def test_fee_in_major_units_and_zero_for_free(self, client):
        shop = make_shop(shipping_fee=800)
        client.force_login(shop.owner)
        assert 'value="8"' in client.get(self.settings_url(shop)).content.decode()
        form = {"name": shop.name, "description": "d"}
        client.post(self.settings_url(shop), {**form, "shipping_fee": "12.50"})
        shop.refresh_from_db()
        assert shop.shipping_fee == 1250
        client.post(self.settings_url(shop), {**form, "shipping_fee": "0"})
        shop.refresh_from_db()
        assert shop.shipping_fee == 0

    def test_bad_fee_is_shown_and_nothing_changes(self, client):
        shop = make_shop(shipping_fee=800)
        client.force_login(shop.owner)
        response = client.post(
            self.settings_url(shop), {"name": "新名字", "description": "d", "shipping_fee": "8,5"}
        )
        assert "Enter a number such as 12.50." in response.content.decode()
        shop.refresh_from_db()
        assert shop.shipping_fee == 800 and shop.name != "新名字"
