"""Fingerprints are stored when photos are uploaded, and every process's index follows
additions and removals; identical listings are found on real pictures, different ones
are not."""

import pytest
from django.core.management import call_command
from django.test import TestCase

from evillage.catalog.models import ProductStatus
from evillage.catalog.services import photo_remove
from evillage.catalog.tests.factories import ProductPhotoFactory
from evillage.sameitem import selectors, shared_index
from evillage.sameitem.fingerprint import query_fingerprints
from evillage.sameitem.models import IndexState, PhotoFingerprint
from evillage.sameitem.services import photos_fingerprint_missing
from evillage.sameitem.tests.helpers import (
    add_photo,
    listing,
    picture,
    retail_shop,
)

pytestmark = pytest.mark.django_db


def test_upload_stores_fingerprints():
    """A photo gets its fingerprints (whole picture and crops) when the upload commits,
    including the one lookups start from."""
    photo = add_photo(listing(retail_shop()), "astronaut")
    rows = list(PhotoFingerprint.objects.filter(photo=photo))
    assert len(rows) >= 2
    assert sum(row.for_query for row in rows) == 1
    assert all(row.indexed for row in rows)
    assert shared_index.size() == 1


def test_index_follows_additions_and_removals_across_processes():
    """A second process's index loads what the first added, and drops what it removed,
    on its next lookup."""
    shop = retail_shop()
    first = add_photo(listing(shop), "coffee")
    other_process = shared_index.SharedIndex()
    query = query_fingerprints(picture("coffee"))
    assert [p for p, _d in other_process.query(query)] == [first.pk]

    draft = listing(retail_shop(), status=ProductStatus.DRAFT)
    second = add_photo(draft, "coffee", scale=0.7, quality=60)
    assert {p for p, _d in other_process.query(query)} == {first.pk, second.pk}

    with TestCase.captureOnCommitCallbacks(execute=True):
        photo_remove(photo=second, actor=second.product.shop.owner)
    assert {p for p, _d in other_process.query(query)} == {first.pk}
    # This process applied its own removal without reloading.
    assert {p for p, _d in shared_index.query(query)} == {first.pk}
    assert IndexState.objects.get().removed == 1


def test_resized_recompressed_copy_is_identical():
    """Another shop's resized, recompressed copy of the picture is the same product: each
    listing shows the other; a listing with a different picture is in neither group."""
    original = listing(retail_shop(), price=12000)
    copy = listing(retail_shop(), price=9900)
    different = listing(retail_shop())
    add_photo(original, "chelsea")
    add_photo(copy, "chelsea", scale=0.6, quality=55)
    add_photo(different, "coffee")

    assert list(selectors.identical_listings(product=original)) == [copy]
    assert list(selectors.identical_listings(product=copy)) == [original]
    assert list(selectors.identical_listings(product=different)) == []
    assert selectors.identical_shop_count(product=original) == 1


@pytest.mark.parametrize(
    "name, other",
    [("brick", "gravel"), ("grass", "gravel"), ("astronaut", "rocket"), ("camera", "coins")],
)
def test_similar_but_different_pictures_are_not_grouped(name, other):
    """Two different pictures of the same kind (textures, photos of people and things)
    do not make an identical group."""
    one, two = listing(retail_shop()), listing(retail_shop())
    add_photo(one, name)
    add_photo(two, other)
    assert list(selectors.identical_listings(product=one)) == []


def test_cropped_copy_is_identical():
    """A copy with a tenth cut off each side still matches (the stored crop windows)."""
    original, copy = listing(retail_shop()), listing(retail_shop())
    add_photo(original, "horse")
    add_photo(copy, "horse", crop=0.05)
    assert list(selectors.identical_listings(product=copy)) == [original]


def test_identical_listings_only_public_other_shops():
    """The group leaves out the shop's own other listings, drafts, and listings whose
    matching photo is hidden."""
    shop = retail_shop()
    product = listing(shop)
    add_photo(product, "rocket")
    add_photo(listing(shop), "rocket")  # same shop: not "another shop"
    add_photo(listing(retail_shop(), status=ProductStatus.DRAFT), "rocket")
    hidden = add_photo(listing(retail_shop()), "rocket")
    hidden.hidden_at = hidden.uploaded_at
    hidden.save(update_fields=["hidden_at"])
    shown = listing(retail_shop())
    add_photo(shown, "rocket", quality=70)
    assert list(selectors.identical_listings(product=product)) == [shown]


def test_identical_listings_sorts(django_assert_max_num_queries):
    """Sorted by price, seller credit or sales, in a fixed number of queries."""
    from evillage.reviews.models import ShopCredit

    product = listing(retail_shop())
    add_photo(product, "camera")
    cheap = listing(retail_shop(), price=5000)
    dear = listing(retail_shop(), price=50000)
    for item in (cheap, dear):
        add_photo(item, "camera", scale=0.8)
    ShopCredit.objects.create(shop=dear.shop, score=300)
    dear.sales_count = 7
    dear.save(update_fields=["sales_count"])

    assert list(selectors.identical_listings(product=product, sort="price_asc")) == [cheap, dear]
    assert list(selectors.identical_listings(product=product, sort="price_desc")) == [dear, cheap]
    assert list(selectors.identical_listings(product=product, sort="credit")) == [dear, cheap]
    assert list(selectors.identical_listings(product=product, sort="sales")) == [dear, cheap]
    with django_assert_max_num_queries(5):
        cards = list(selectors.identical_listings(product=product))
        [card.cover_photos for card in cards]


def test_backfill_command_fingerprints_old_photos(capsys):
    """Photos from before fingerprinting get theirs from `evillage fingerprint_photos`;
    running it again adds nothing."""
    photo = ProductPhotoFactory()
    assert not PhotoFingerprint.objects.filter(photo=photo).exists()
    call_command("fingerprint_photos")
    assert PhotoFingerprint.objects.filter(photo=photo).exists()
    assert "1 photo" in capsys.readouterr().out
    call_command("fingerprint_photos")
    assert "0 photo" in capsys.readouterr().out


def test_sweep_fingerprints_photos_a_crash_missed():
    """A photo stored without fingerprints (the process died before its after-commit
    work) gets them from the worker's sweep."""
    from datetime import timedelta

    from django.utils import timezone

    photo = ProductPhotoFactory()
    assert photos_fingerprint_missing(now=timezone.now() + timedelta(minutes=5)) == 1
    assert PhotoFingerprint.objects.filter(photo=photo).exists()


def test_a_failure_after_commit_keeps_the_photo(monkeypatch):
    """If fingerprinting fails after the upload committed, the photo stays (logged), and
    the sweep fingerprints it later."""
    from datetime import timedelta

    from django.utils import timezone

    from evillage.sameitem.services import fingerprints

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(fingerprints, "photo_fingerprint", broken)
    photo = add_photo(listing(retail_shop()), "text")
    assert not PhotoFingerprint.objects.filter(photo=photo).exists()
    monkeypatch.undo()
    assert photos_fingerprint_missing(now=timezone.now() + timedelta(minutes=5)) == 1
    assert PhotoFingerprint.objects.filter(photo=photo).exists()
