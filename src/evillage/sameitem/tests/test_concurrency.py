"""Real commits and real threads: fingerprints written after the upload's commit, two
suppliers racing for one picture, two sweepers racing for one case (PostgreSQL)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from evillage.catalog.services import photos_add
from evillage.core.tests.threads import run_together
from evillage.sameitem import shared_index
from evillage.sameitem.fingerprint import query_fingerprints
from evillage.sameitem.models import CaseState, PhotoClaim, PhotoFingerprint, PhotoRightsCase
from evillage.sameitem.services import rights_sweep
from evillage.sameitem.tests.helpers import listing, picture, retail_shop, supplier_shop, upload

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
POSTGRES = pytest.mark.postgres


@TRANSACTIONAL
def test_fingerprints_are_written_after_the_real_commit():
    """Without any test help: the upload commits, then its fingerprints are stored and
    another process finds the photo."""
    product = listing(retail_shop())
    [photo] = photos_add(product=product, actor=product.shop.owner, uploads=[upload("coins")])
    assert PhotoFingerprint.objects.filter(photo=photo).exists()
    other_process = shared_index.SharedIndex()
    found = other_process.query(query_fingerprints(picture("coins")))
    assert [photo_id for photo_id, _d in found] == [photo.pk]


@TRANSACTIONAL
@POSTGRES
def test_two_suppliers_racing_for_one_picture():
    """Two suppliers upload the same picture at once: exactly one claim, and the other's
    photo is flagged against it."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    products = [listing(supplier_shop()) for _ in range(2)]
    uploads = [upload("ihc"), upload("ihc", scale=0.8)]

    def uploader(n):
        product = products[n]
        return lambda: len(
            photos_add(product=product, actor=product.shop.owner, uploads=[uploads[n]])
        )

    assert run_together([uploader(0), uploader(1)]) == [1, 1]
    claim = PhotoClaim.objects.get()
    case = PhotoRightsCase.objects.get()
    assert case.claim == claim and case.shop_id != claim.supplier_id
    assert case.state == CaseState.OPEN


@TRANSACTIONAL
@POSTGRES
def test_two_sweepers_hide_a_case_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    supplier = supplier_shop()
    product = listing(supplier)
    photos_add(product=product, actor=supplier.owner, uploads=[upload("retina")])
    copier = listing(retail_shop())
    photos_add(product=copier, actor=copier.shop.owner, uploads=[upload("retina", scale=0.7)])
    later = timezone.now() + timedelta(days=5)
    outcomes = run_together([lambda: rights_sweep(now=later).hidden for _ in range(3)])
    assert sorted(outcomes) == [0, 0, 1]
    case = PhotoRightsCase.objects.get()
    assert case.state == CaseState.HIDDEN
    assert case.events.filter(action="hidden").count() == 1
