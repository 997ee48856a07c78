"""The demo's part: photos fingerprinted, and one retail shop re-listing a supplier's
product with the supplier's photo (flagged), once however often the demo loads."""

import pytest

from evillage.catalog.tests.factories import ProductPhotoFactory
from evillage.demo.sameitem import COPIER, SUPPLIER, seed_sameitem
from evillage.sameitem import selectors
from evillage.sameitem.models import CaseState, PhotoFingerprint, PhotoRightsCase
from evillage.sameitem.tests.helpers import add_photo, listing, retail_shop, supplier_shop

pytestmark = pytest.mark.django_db


def test_demo_fingerprints_photos_and_shows_a_flagged_copy():
    old = ProductPhotoFactory()  # stored before fingerprinting existed
    supplier = supplier_shop(name=SUPPLIER)
    copier = retail_shop(name=COPIER)
    original = listing(supplier)
    add_photo(original, "clock_motion")

    assert seed_sameitem() >= 1
    assert PhotoFingerprint.objects.filter(photo=old).exists()
    case = PhotoRightsCase.objects.get()
    assert (case.shop, case.supplier, case.state) == (copier, supplier, CaseState.OPEN)
    assert selectors.identical_shop_count(product=original) == 1

    assert seed_sameitem() == 0
    assert PhotoRightsCase.objects.count() == 1
