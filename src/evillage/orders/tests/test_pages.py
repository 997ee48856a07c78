"""The buyer's pages: product page → cart → checkout → pay → orders, as a person clicks."""

import secrets

import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.models import Sku
from evillage.core.money import format_money
from evillage.orders.models import Checkout, Order, OrderState
from evillage.orders.services.cart import cart_add
from evillage.orders.tests.factories import fund_wallet, make_shop, make_sku, wallet_balance
from evillage.places.tests.factories import village
from evillage.shops.models import ShopKind

pytestmark = pytest.mark.django_db


def yuan(amount: int) -> str:
    return format_money(amount, "CNY", "en")


def token() -> str:
    return secrets.token_urlsafe(16)


def address(**overrides) -> dict:
    return {
        "token": token(),
        "place": village().key,
        "street": "东风路 8 号",
        "name": "王小明",
        "phone": "13800138000",
        **overrides,
    }


@pytest.fixture
def buyer(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def sku():
    return make_sku(shop=make_shop(shipping_fee=1000), price=19900, available=5)


def place_order(client, *skus, quantity=1) -> Checkout:
    for sku in skus:
        client.post(reverse("orders:cart_add"), {"sku": sku.public_id, "quantity": quantity})
    response = client.post(reverse("orders:checkout"), address())
    assert response.status_code == 302, response.content.decode()
    return Checkout.objects.latest("created_at")


class TestProductPageAndCart:
    def test_anonymous_visitor_is_asked_to_log_in_and_comes_back(self, client, sku):
        page = reverse("catalog:product", args=[sku.product.public_id])
        html = client.get(page).content.decode()
        assert "Log in to buy" in html
        assert f"{reverse('accounts:login')}?next={page}" in html
        assert reverse("orders:cart_add") not in html

    def test_add_to_cart_shows_in_the_cart_with_shipping_and_total(self, client, buyer, sku):
        page = reverse("catalog:product", args=[sku.product.public_id])
        assert "Add to cart" in client.get(page).content.decode()
        response = client.post(
            reverse("orders:cart_add"), {"sku": sku.public_id, "quantity": 2, "next": page}
        )
        assert response["Location"] == page
        html = client.get(reverse("orders:cart")).content.decode()
        assert sku.product.title in html and sku.label in html
        assert "Cart (1)" in html
        assert yuan(2 * 19900) in html  # the line
        assert yuan(1000) in html  # the shop's shipping fee
        assert yuan(2 * 19900 + 1000) in html  # the shop's total

    def test_quantity_update_and_remove(self, client, buyer, sku):
        cart_add(user=buyer, sku_public_id=sku.public_id, quantity=1)
        client.post(reverse("orders:cart_update"), {"sku": sku.public_id, "quantity": 3})
        assert yuan(3 * 19900) in client.get(reverse("orders:cart")).content.decode()
        client.post(reverse("orders:cart_remove"), {"sku": sku.public_id})
        assert "Your cart is empty" in client.get(reverse("orders:cart")).content.decode()

    def test_bad_quantity_shows_the_error_and_keeps_the_line(self, client, buyer, sku):
        cart_add(user=buyer, sku_public_id=sku.public_id, quantity=2)
        response = client.post(
            reverse("orders:cart_update"), {"sku": sku.public_id, "quantity": 5000}
        )
        assert "errorlist" in response.content.decode()
        assert buyer.cart.lines.get().quantity == 2

    def test_items_no_longer_buyable_are_flagged(self, client, buyer, sku):
        cart_add(user=buyer, sku_public_id=sku.public_id, quantity=3)
        Sku.objects.filter(pk=sku.pk).update(available=1)
        html = client.get(reverse("orders:cart")).content.decode()
        assert "Only 1 left." in html
        Sku.objects.filter(pk=sku.pk).update(is_active=False)
        assert "no longer sold" in client.get(reverse("orders:cart")).content.decode()

    def test_own_shop_cannot_be_added(self, client, sku):
        client.force_login(sku.product.shop.owner)
        page = reverse("catalog:product", args=[sku.product.public_id])
        response = client.post(
            reverse("orders:cart_add"),
            {"sku": sku.public_id, "quantity": 1, "next": page},
            follow=True,
        )
        assert "You cannot buy from your own shop." in response.content.decode()
        assert "Cart (0)" in response.content.decode()


class TestCheckout:
    def test_checkout_creates_one_order_per_shop_and_goes_to_pay(self, client, buyer, sku):
        other = make_sku(price=5000, available=5)
        cart_add(user=buyer, sku_public_id=sku.public_id, quantity=2)
        cart_add(user=buyer, sku_public_id=other.public_id, quantity=1)
        form = client.get(reverse("orders:checkout")).content.decode()
        assert f"note_{sku.product.shop.public_id}" in form
        data = address(**{f"note_{sku.product.shop.public_id}": "请用木箱包装"})
        response = client.post(reverse("orders:checkout"), data)
        checkout = Checkout.objects.get(buyer=buyer)
        assert response["Location"] == reverse("orders:pay", args=[checkout.public_id])
        assert checkout.orders.count() == 2
        assert checkout.total == 2 * 19900 + 1000 + 5000
        assert checkout.orders.get(shop=sku.product.shop).buyer_note == "请用木箱包装"
        assert not buyer.cart.lines.exists()
        sku.refresh_from_db()
        assert (sku.available, sku.reserved) == (3, 2)

    def test_the_same_form_sent_twice_makes_one_checkout(self, client, buyer, sku):
        cart_add(user=buyer, sku_public_id=sku.public_id)
        data = address()
        first = client.post(reverse("orders:checkout"), data)
        cart_add(user=buyer, sku_public_id=sku.public_id)
        second = client.post(reverse("orders:checkout"), data)
        assert first["Location"] == second["Location"]
        assert Checkout.objects.count() == 1

    def test_out_of_stock_is_shown_on_the_form_and_nothing_is_ordered(self, client, buyer, sku):
        cart_add(user=buyer, sku_public_id=sku.public_id, quantity=3)
        Sku.objects.filter(pk=sku.pk).update(available=2)
        response = client.post(reverse("orders:checkout"), address())
        assert response.status_code == 200
        html = response.content.decode()
        assert "Only 2 left of" in html and sku.product.title in html
        assert not Order.objects.exists()
        assert buyer.cart.lines.get().quantity == 3
        assert Sku.objects.get(pk=sku.pk).reserved == 0

    def test_bad_phone_is_shown_on_its_field(self, client, buyer, sku):
        cart_add(user=buyer, sku_public_id=sku.public_id)
        response = client.post(reverse("orders:checkout"), address(phone="12345"))
        assert "valid Chinese (+86) or Indonesian (+62) phone number" in response.content.decode()
        assert not Order.objects.exists()

    def test_buy_now_checks_out_that_item_only(self, client, buyer, sku):
        other = make_sku(price=5000)
        cart_add(user=buyer, sku_public_id=other.public_id)
        response = client.post(
            reverse("orders:cart_add"), {"sku": sku.public_id, "quantity": 1, "buy_now": "1"}
        )
        assert response["Location"] == f"{reverse('orders:checkout')}?only={sku.public_id}"
        page = client.get(response["Location"]).content.decode()
        assert sku.product.title in page and other.product.title not in page
        client.post(reverse("orders:checkout"), address(only=sku.public_id))
        assert Order.objects.get().lines.get().sku == sku
        assert [line.sku for line in buyer.cart.lines.all()] == [other]

    def test_empty_cart_goes_back_to_the_cart(self, client, buyer):
        response = client.get(reverse("orders:checkout"))
        assert response["Location"] == reverse("orders:cart")


class TestPay:
    def test_pay_from_wallet_and_the_order_shows_paid(self, client, buyer, sku):
        fund_wallet(buyer, 50_000)
        checkout = place_order(client, sku)
        page = client.get(reverse("orders:pay", args=[checkout.public_id])).content.decode()
        assert yuan(20900) in page and yuan(50_000) in page  # amount due, wallet balance
        response = client.post(
            reverse("orders:pay", args=[checkout.public_id]), {"token": token(), "method": "wallet"}
        )
        assert response.status_code == 302
        assert wallet_balance(buyer) == 50_000 - 20900
        html = client.get(response["Location"]).content.decode()
        assert "paid, waiting for shipment" in html
        assert Order.objects.get().state == OrderState.WAIT_SELLER_SEND

    def test_insufficient_funds_is_shown_with_a_link_to_the_wallet(self, client, buyer, sku):
        fund_wallet(buyer, 100)
        checkout = place_order(client, sku)
        response = client.post(
            reverse("orders:pay", args=[checkout.public_id]), {"token": token(), "method": "wallet"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Not enough money in the wallet." in html
        assert reverse("payments:wallet") in html
        assert wallet_balance(buyer) == 100
        assert Order.objects.get().state == OrderState.WAIT_BUYER_PAY

    def test_pay_online_goes_to_the_provider_and_back_to_my_orders(self, client, buyer, sku):
        checkout = place_order(client, sku)
        response = client.post(
            reverse("orders:pay", args=[checkout.public_id]),
            {"token": token(), "method": "provider"},
        )
        location = response["Location"]
        assert location.startswith("/pay/sandbox/")
        assert "next=%2Forders%2F" in location
        # The buyer pays on the sandbox page; the webhook marks the order paid.
        client.post(location, {"action": "pay"})
        assert Order.objects.get().state == OrderState.WAIT_SELLER_SEND

    def test_someone_elses_checkout_is_not_found(self, client, buyer, sku):
        checkout = place_order(client, sku)
        client.force_login(UserFactory())
        assert client.get(reverse("orders:pay", args=[checkout.public_id])).status_code == 404


class TestBuyerOrders:
    def test_tabs_filter_by_state(self, client, buyer, sku):
        fund_wallet(buyer, 100_000)
        paid = place_order(client, sku)
        client.post(
            reverse("orders:pay", args=[paid.public_id]), {"token": token(), "method": "wallet"}
        )
        unpaid = place_order(client, make_sku(price=700))
        to_pay = client.get(reverse("orders:buyer_orders") + "?tab=to_pay").content.decode()
        to_ship = client.get(reverse("orders:buyer_orders") + "?tab=to_ship").content.decode()
        unpaid_order, paid_order = unpaid.orders.get(), paid.orders.get()
        assert unpaid_order.public_id in to_pay and paid_order.public_id not in to_pay
        assert paid_order.public_id in to_ship and unpaid_order.public_id not in to_ship
        # The unpaid order offers to pay and to cancel, right from the list.
        assert reverse("orders:pay", args=[unpaid.public_id]) in to_pay
        assert reverse("orders:action", args=[unpaid_order.public_id, "cancel"]) in to_pay

    def test_cancel_from_the_list_puts_the_stock_back(self, client, buyer, sku):
        checkout = place_order(client, sku, quantity=2)
        order = checkout.orders.get()
        url = reverse("orders:action", args=[order.public_id, "cancel"])
        client.post(url, {"next": reverse("orders:buyer_orders")})
        order.refresh_from_db()
        assert order.state == OrderState.CLOSED
        assert Sku.objects.get(pk=sku.pk).available == 5

    def test_nav_links_for_a_buyer(self, client, buyer):
        html = client.get(reverse("web:home")).content.decode()
        assert reverse("orders:cart") in html and reverse("orders:buyer_orders") in html
        assert reverse("orders:desk") not in html
        assert reverse("orders:seller_orders") not in html

    def test_enterprise_and_individual_orders_both_listed(self, client, buyer):
        place_order(client, make_sku(shop=make_shop(kind=ShopKind.ENTERPRISE)))
        place_order(client, make_sku())
        html = client.get(reverse("orders:buyer_orders")).content.decode()
        assert html.count("waiting for payment") == 2

    def test_login_required(self, client):
        for name in ("orders:cart", "orders:checkout", "orders:buyer_orders", "orders:desk"):
            response = client.get(reverse(name))
            assert response.status_code == 302
            assert reverse("accounts:login") in response["Location"]
