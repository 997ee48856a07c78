"""The pages: "N other shops sell this" and its list, find by photo, the seller centre's
photo rights and a supplier's photos, the operators' desk."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.models import ProductPhoto, ProductStatus
from evillage.sameitem.models import CaseState, PhotoRightsCase
from evillage.sameitem.services import rights_sweep
from evillage.sameitem.tests.helpers import add_photo, listing, retail_shop, supplier_shop, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    """The same picture listed by three shops at different prices."""
    products = [listing(retail_shop(), price=price) for price in (15000, 9900, 12000)]
    for n, product in enumerate(products):
        add_photo(product, "coffee", scale=1 - n * 0.2, quality=90 - n * 15)
    return products


def test_product_page_links_to_other_shops_selling_it(client, group):
    page = client.get(reverse("catalog:product", args=[group[0].public_id]))
    assert "2 other shops sell this" in page.text
    assert reverse("sameitem:identical", args=[group[0].public_id]) in page.text


def test_product_page_without_identical_listings_says_nothing(client):
    product = listing(retail_shop())
    add_photo(product, "rocket")
    page = client.get(reverse("catalog:product", args=[product.public_id]))
    assert "sell this" not in page.text


def test_identical_page_lists_other_shops_sorted(client, group):
    url = reverse("sameitem:identical", args=[group[0].public_id])
    cheapest_first = client.get(url).text
    assert group[0].title not in cheapest_first.split("<main")[1].split("</h1>")[1]
    assert cheapest_first.index(group[1].title) < cheapest_first.index(group[2].title)
    dearest_first = client.get(url, {"sort": "price_desc"}).text
    assert dearest_first.index(group[2].title) < dearest_first.index(group[1].title)
    assert client.get(url, {"sort": "credit"}).status_code == 200
    assert client.get(url, {"sort": "nonsense"}).status_code == 200


def test_identical_page_of_a_draft_is_not_found(client):
    product = listing(retail_shop(), status=ProductStatus.DRAFT)
    assert client.get(reverse("sameitem:identical", args=[product.public_id])).status_code == 404


def test_find_by_photo(client, group):
    """A buyer's photo of the item finds the listings; the photo is not stored."""
    assert client.get(reverse("sameitem:search")).status_code == 200
    photos_before = ProductPhoto.objects.count()
    page = client.post(reverse("sameitem:search"), {"photo": upload("coffee", scale=0.5)})
    assert page.status_code == 200
    assert "3 listings found" in page.text
    for product in group:
        assert product.title in page.text
    assert ProductPhoto.objects.count() == photos_before

    nothing = client.post(reverse("sameitem:search"), {"photo": upload("brick")})
    assert "0 listings found" in nothing.text


def test_find_by_photo_refuses_what_is_not_a_photo(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    junk = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    page = client.post(reverse("sameitem:search"), {"photo": junk})
    assert page.status_code == 400
    assert "not a photo we can read" in page.text


@pytest.fixture
def flagged():
    supplier = supplier_shop()
    add_photo(listing(supplier), "chelsea")
    shop = retail_shop()
    photo = add_photo(listing(shop, status=ProductStatus.DRAFT), "chelsea", scale=0.7)
    return PhotoRightsCase.objects.get(photo=photo)


def test_seller_sees_flagged_photo_and_appeals(client, flagged):
    shop = flagged.shop
    client.force_login(shop.owner)
    url = reverse("sameitem:seller_cases", args=[shop.public_id])
    page = client.get(url)
    assert flagged.supplier.name in page.text
    assert "unless licensed" in page.text  # the deadline
    assert reverse("sameitem:appeal", args=[shop.public_id, flagged.public_id]) in page.text
    # The seller nav links to the page.
    assert 'href="' + url + '"' in client.get(reverse("shops:shop", args=[shop.public_id])).text

    appeal_url = reverse("sameitem:appeal", args=[shop.public_id, flagged.public_id])
    short = client.post(appeal_url, {f"{flagged.public_id}-text": "mine"})
    assert short.status_code == 400 and "10 to 1000 characters" in short.text
    flagged.refresh_from_db()
    assert flagged.appeal_state == ""

    done = client.post(appeal_url, {f"{flagged.public_id}-text": "I took it at my workshop."})
    assert done.status_code == 302
    flagged.refresh_from_db()
    assert flagged.appeal_state == "pending"


def test_other_people_do_not_see_a_shops_photo_rights(client, flagged):
    client.force_login(UserFactory())
    url = reverse("sameitem:seller_cases", args=[flagged.shop.public_id])
    assert client.get(url).status_code == 404


def test_supplier_sees_who_uses_its_photos(client, flagged):
    supplier = flagged.supplier
    client.force_login(supplier.owner)
    page = client.get(reverse("sameitem:supplier_photos", args=[supplier.public_id]))
    assert page.status_code == 200
    assert flagged.shop.name in page.text and "flagged" in page.text
    client.force_login(flagged.shop.owner)
    url = reverse("sameitem:supplier_photos", args=[flagged.shop.public_id])
    assert client.get(url).status_code == 404  # not a supplier


def test_hidden_photo_is_not_shown_to_buyers(client, flagged):
    photo = flagged.photo
    product = photo.product
    product.status = ProductStatus.ACTIVE
    product.save(update_fields=["status"])
    rights_sweep(now=timezone.now() + timedelta(days=4))
    assert client.get(reverse("catalog:product", args=[product.public_id])).status_code == 200
    assert (
        photo.medium.url
        not in client.get(reverse("catalog:product", args=[product.public_id])).text
    )
    shop_page = client.get(reverse("web:shop", args=[product.shop.public_id])).text
    assert photo.thumb.url not in shop_page


def test_operator_desk_decides_appeals(client, flagged):
    from evillage.sameitem.services import case_appeal

    case_appeal(case=flagged, actor=flagged.shop.owner, text="I took it at my workshop.")
    client.force_login(flagged.shop.owner)
    assert client.get(reverse("sameitem:desk")).status_code == 403

    client.force_login(OperatorFactory())
    page = client.get(reverse("sameitem:desk"))
    assert "I took it at my workshop." in page.text
    decide = reverse("sameitem:decide", args=[flagged.public_id])
    assert client.post(decide, {f"{flagged.public_id}-decision": "maybe"}).status_code == 400
    answer = client.post(decide, {f"{flagged.public_id}-decision": "grant"})
    assert answer.status_code == 302
    flagged.refresh_from_db()
    assert flagged.state == CaseState.APPEAL_GRANTED
    assert client.get(reverse("sameitem:desk"), {"show": "all"}).status_code == 200


def test_seller_upload_of_a_blocked_photo_shows_why(client, flagged):
    """After hiding, the seller's photo upload page refuses the same picture with the
    reason, and stores nothing."""
    rights_sweep(now=timezone.now() + timedelta(days=4))
    shop = flagged.shop
    product = listing(shop, status=ProductStatus.DRAFT)
    client.force_login(shop.owner)
    url = reverse("shops:photo_upload", args=[shop.public_id, product.public_id])
    answer = client.post(url, {"photos": upload("chelsea", scale=0.5)}, follow=True)
    assert flagged.supplier.name in answer.text and "may no" in answer.text
    assert not product.photos.exists()
