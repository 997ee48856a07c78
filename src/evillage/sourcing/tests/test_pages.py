"""The sourcing pages as people use them: the supplier catalogue, an offer with its
buy and sample forms, the supplier's terms form and order desk, the seller's sourcing
list and purchase orders."""

import pytest
from django.test import Client
from django.urls import reverse

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.tests.factories import CategoryFactory
from evillage.orders.models import CartLine
from evillage.orders.tests.factories import make_sku
from evillage.shops.models import ShopStaff, StaffRole
from evillage.sourcing.models import DropshipLink, PriceTier
from evillage.sourcing.tests.factories import (
    make_offer,
    make_supplier,
    paid_wholesale_order,
    retail_seller,
    variants_of,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- catalogue and offer ---------------------------------------------------------------------


def test_catalogue_lists_offers_with_from_price_moq_and_lead_time():
    offer = make_offer(title="义乌发夹 批发", min_quantity=10, tiers=[(10, 1200), (50, 1000)])
    make_sku()  # a retail product: not an offer
    page = text(Client().get(reverse("sourcing:catalogue")))
    assert offer.title in page
    assert "¥10.00" in page  # from: the lowest tier
    assert "MOQ 10" in page
    assert "ships in 3 days" in page
    assert "10–49" in page and "≥ 50" in page


def test_catalogue_search_and_category_and_price_sort():
    hairpins = make_offer(title="发夹 批发", tiers=[(1, 900)])
    toys = make_offer(title="木头玩具", tiers=[(1, 3000)], category=CategoryFactory())
    found = text(Client().get(reverse("sourcing:catalogue"), {"q": "发夹"}))
    assert hairpins.title in found and toys.title not in found
    in_category = text(
        Client().get(reverse("sourcing:catalogue"), {"category": toys.category.slug})
    )
    assert toys.title in in_category and hairpins.title not in in_category
    by_price = text(Client().get(reverse("sourcing:catalogue"), {"sort": "price_desc"}))
    assert by_price.index(toys.title) < by_price.index(hairpins.title)


def test_offer_page_shows_tiers_terms_and_forms():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200)], sample_price=2000)
    page = text(client_for(UserFactory()).get(reverse("sourcing:offer", args=[offer.public_id])))
    assert "≥ 10" in page and "¥12.00" in page
    assert "Buy wholesale" in page
    assert "Order a sample" in page


def test_offer_of_a_retail_product_is_not_found():
    sku = make_sku()
    response = Client().get(reverse("sourcing:offer", args=[sku.product.public_id]))
    assert response.status_code == 404


def test_buying_wholesale_puts_the_quantities_in_the_cart_and_goes_to_checkout():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200), (50, 1000)])
    red, blue = variants_of(offer)
    buyer = UserFactory()
    response = client_for(buyer).post(
        reverse("sourcing:offer_buy", args=[offer.public_id]),
        {f"qty_{red.public_id}": "30", f"qty_{blue.public_id}": "20"},
    )
    assert response.status_code == 302
    assert response.url == reverse("orders:checkout")
    assert CartLine.objects.filter(cart__owner=buyer).count() == 2
    cart = text(client_for(buyer).get(reverse("orders:cart")))
    assert "¥10.00" in cart  # the 50+ tier, for 30 + 20 units
    assert "¥500.00" in cart


def test_buying_below_the_moq_shows_the_minimum_and_changes_nothing():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200)])
    red = variants_of(offer)[0]
    buyer = UserFactory()
    response = client_for(buyer).post(
        reverse("sourcing:offer_buy", args=[offer.public_id]), {f"qty_{red.public_id}": "9"}
    )
    assert response.status_code == 400
    assert "is sold from 10 units" in text(response)
    assert not CartLine.objects.exists()


def test_a_sample_form_buys_at_most_the_sample_limit():
    offer = make_offer(
        min_quantity=10, tiers=[(10, 1200)], sample_price=2000, sample_max_quantity=2
    )
    red = variants_of(offer)[0]
    buyer = UserFactory()
    url = reverse("sourcing:offer_buy", args=[offer.public_id])
    too_many = client_for(buyer).post(url, {"kind": "sample", "sku": red.public_id, "quantity": 3})
    assert too_many.status_code == 400
    assert not CartLine.objects.exists()
    response = client_for(buyer).post(
        url, {"kind": "sample", "sku": red.public_id, "quantity": 2, "to_cart": "1"}
    )
    assert response.url == reverse("orders:cart")
    assert "¥20.00" in text(client_for(buyer).get(reverse("orders:cart")))


# --- the supplier's terms form -----------------------------------------------------------------


def terms_url(offer) -> str:
    return reverse("sourcing:terms_edit", args=[offer.shop.public_id, offer.public_id])


def terms_post(**changes) -> dict:
    data = {
        "min_quantity": "10",
        "tier_0_from": "10",
        "tier_0_price": "12",
        "tier_1_from": "50",
        "tier_1_price": "10.50",
        "sample_price": "20",
        "sample_max_quantity": "2",
        "lead_time_days": "5",
        "dropship": "on",
    }
    data.update(changes)
    return data


def test_owner_saves_wholesale_terms_from_the_form():
    offer = make_offer()
    response = client_for(offer.shop.owner).post(terms_url(offer), terms_post())
    assert response.status_code == 302
    assert list(offer.price_tiers.values_list("min_quantity", "unit_price")) == [
        (10, 1200),
        (50, 1050),
    ]
    offer.wholesale.refresh_from_db()
    assert (offer.wholesale.min_quantity, offer.wholesale.sample_price) == (10, 2000)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tier_1_price": "13"}, "cannot cost more per unit"),
        ({"tier_1_from": "10"}, "increasing quantities"),
        ({"tier_0_from": "5"}, "first tier starts at 1 or at the minimum order quantity"),
        ({"tier_0_price": "abc"}, "Enter a number"),
        ({"tier_1_price": ""}, "At what unit price?"),
        ({"sample_max_quantity": "10"}, "fewer units than the minimum"),
    ],
)
def test_terms_form_shows_errors_and_saves_nothing(changes, message):
    offer = make_offer()
    response = client_for(offer.shop.owner).post(terms_url(offer), terms_post(**changes))
    assert response.status_code == 400
    assert message in text(response)
    assert PriceTier.objects.filter(product=offer).count() == 3  # unchanged


def test_terms_form_is_the_owners_and_only_for_supplier_shops():
    offer = make_offer()
    helper = UserFactory()
    ShopStaff.objects.create(shop=offer.shop, user=helper, role=StaffRole.CUSTOMER_SERVICE)
    assert client_for(helper).get(terms_url(offer)).status_code == 403
    assert client_for(UserFactory()).get(terms_url(offer)).status_code == 404
    sku = make_sku()
    shop = sku.product.shop
    url = reverse("sourcing:terms_edit", args=[shop.public_id, sku.product.public_id])
    assert client_for(shop.owner).get(url).status_code == 404


def test_supplier_nav_links_its_offers_and_desk():
    supplier = make_supplier()
    page = text(client_for(supplier.owner).get(reverse("shops:shop", args=[supplier.public_id])))
    assert reverse("sourcing:supplier_offers", args=[supplier.public_id]) in page
    assert reverse("sourcing:supplier_desk", args=[supplier.public_id]) in page
    shop = retail_seller()
    page = text(client_for(shop.owner).get(reverse("shops:shop", args=[shop.public_id])))
    assert reverse("sourcing:shop_sourcing", args=[shop.public_id]) in page


def test_supplier_offers_page_lists_products_with_their_terms():
    offer = make_offer(title="批发袜子")
    page = text(
        client_for(offer.shop.owner).get(
            reverse("sourcing:supplier_offers", args=[offer.shop.public_id])
        )
    )
    assert "批发袜子" in page and "Edit wholesale terms" in page


# --- orders: desk and purchases ----------------------------------------------------------------


def test_supplier_desk_shows_the_wholesale_order_with_a_ship_form():
    offer = make_offer()
    seller = retail_seller()
    order = paid_wholesale_order(offer, buyer=seller.owner)
    client = client_for(offer.shop.owner)
    desk_url = reverse("sourcing:supplier_desk", args=[offer.shop.public_id])
    page = text(client.get(desk_url))
    assert order.public_id in page
    assert order.ship_to_street in page
    assert "Mark as shipped" in page
    response = client.post(
        reverse("orders:action", args=[order.public_id, "ship"]),
        {"ship-carrier": "中通", "ship-waybill": "ZT12345678", "next": desk_url},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.waybill == "ZT12345678"


def test_desk_is_for_the_suppliers_staff():
    offer = make_offer()
    url = reverse("sourcing:supplier_desk", args=[offer.shop.public_id])
    assert client_for(UserFactory()).get(url).status_code == 404


def test_purchases_and_sourcing_list_show_what_the_seller_bought():
    offer = make_offer()
    seller = retail_seller()
    order = paid_wholesale_order(offer, buyer=seller.owner)
    client = client_for(seller.owner)
    purchases = text(client.get(reverse("sourcing:purchases")))
    assert order.public_id in purchases and "Wholesale" in purchases
    sourcing = text(client.get(reverse("sourcing:shop_sourcing", args=[seller.public_id])))
    assert offer.shop.name in sourcing


def test_seller_links_a_variant_for_dropshipping_and_removes_it():
    offer = make_offer()
    seller = retail_seller()
    own = make_sku(shop=seller)
    client = client_for(seller.owner)
    page = text(client.get(reverse("sourcing:offer", args=[offer.public_id])))
    assert "Sell this with drop-shipping" in page
    supplier_sku = variants_of(offer)[0]
    response = client.post(
        reverse("sourcing:offer_link", args=[offer.public_id]),
        {"retail_sku": own.public_id, "supplier_sku": supplier_sku.public_id},
    )
    assert response.status_code == 302
    link = DropshipLink.objects.get()
    assert (link.retail_sku, link.supplier_sku) == (own, supplier_sku)
    listing = text(client.get(reverse("sourcing:shop_sourcing", args=[seller.public_id])))
    assert supplier_sku.label in listing
    client.post(reverse("sourcing:link_remove", args=[seller.public_id, own.public_id]))
    assert not DropshipLink.objects.exists()


def test_no_dropship_form_when_the_supplier_does_not_dropship():
    offer = make_offer(dropship=False)
    seller = retail_seller()
    make_sku(shop=seller)
    page = text(client_for(seller.owner).get(reverse("sourcing:offer", args=[offer.public_id])))
    assert "Sell this with drop-shipping" not in page
