"""Supplier photo rights, from registration to hiding, appeals and licences."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.models import ProductPhoto, ProductStatus
from evillage.catalog.selectors import product_photos
from evillage.catalog.services import photo_remove
from evillage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.tests.factories import fund_wallet, item, ship_to
from evillage.sameitem.models import CaseState, PhotoClaim, PhotoRightsCase
from evillage.sameitem.services import case_appeal, case_decide, case_hide, rights_sweep
from evillage.sameitem.tests.helpers import (
    add_photo,
    add_photos,
    listing,
    retail_shop,
    supplier_shop,
    upload,
)
from evillage.sourcing.models import DropshipLink

pytestmark = pytest.mark.django_db


def later(days: float) -> timezone.datetime:
    return timezone.now() + timedelta(days=days)


def buy_from(shop, supplier) -> None:
    """The shop's owner buys one item of the supplier's and pays: a wholesale order."""
    sku = listing(supplier, price=3000).skus.get()
    fund_wallet(shop.owner, 10_000)
    checkout = checkout_create(buyer=shop.owner, items=[item(sku)], ship_to=ship_to(shop.owner))
    checkout_pay_wallet(checkout=checkout, buyer=shop.owner)


def drop_ship_from(shop, supplier) -> None:
    DropshipLink.objects.create(
        retail_sku=listing(shop).skus.get(), supplier_sku=listing(supplier).skus.get()
    )


@pytest.fixture
def supplier():
    return supplier_shop()


@pytest.fixture
def original(supplier):
    """The supplier's photo of its product, the first of its kind: registered."""
    return add_photo(listing(supplier), "chelsea")


def copy_of(shop, name: str = "chelsea") -> ProductPhoto:
    """The shop lists the same picture, resized and recompressed (a draft, so that its
    only photo may be removed)."""
    return add_photo(listing(shop, status=ProductStatus.DRAFT), name, scale=0.75, quality=70)


def test_supplier_photo_is_registered(original, supplier):
    """The first upload of a picture by a supplier is registered as the supplier's."""
    claim = PhotoClaim.objects.get()
    assert claim.photo == original and claim.supplier == supplier


def test_supplier_copying_an_earlier_photo_registers_nothing(supplier):
    """A supplier uploading a picture another shop had first does not own it."""
    add_photo(listing(retail_shop()), "coffee")
    add_photo(listing(supplier), "coffee", scale=0.8)
    assert not PhotoClaim.objects.exists()


def test_retail_photo_is_never_registered():
    add_photo(listing(retail_shop()), "rocket")
    assert not PhotoClaim.objects.exists()


def test_shop_buying_from_supplier_is_licensed(original, supplier):
    """A shop with a paid wholesale order at the supplier may use its photo: the use is
    recorded as licensed, nothing is flagged, and the sweep never hides it."""
    shop = retail_shop()
    buy_from(shop, supplier)
    photo = copy_of(shop)
    case = PhotoRightsCase.objects.get(photo=photo)
    assert case.state == CaseState.LICENSED and case.deadline is None
    assert [e.action for e in case.events.all()] == ["licensed"]
    rights_sweep(now=later(30))
    photo.refresh_from_db()
    assert photo.hidden_at is None


def test_drop_shipping_shop_is_licensed(original, supplier):
    shop = retail_shop()
    drop_ship_from(shop, supplier)
    assert PhotoRightsCase.objects.get(photo=copy_of(shop)).state == CaseState.LICENSED


def test_unrelated_photo_opens_no_case(original):
    copy_of(retail_shop(), "astronaut")
    assert not PhotoRightsCase.objects.exists()


def test_unlicensed_copy_is_flagged_then_hidden_and_blocked(original, supplier, settings):
    """A copier without a licence is flagged with a deadline (the grace period); the photo
    stays until the deadline, is hidden by the sweep after it (once, however often the
    sweep runs), and the same picture cannot be uploaded again by that shop."""
    settings.PHOTO_RIGHTS_GRACE_DAYS = 3
    shop = retail_shop()
    photo = copy_of(shop)
    case = PhotoRightsCase.objects.get()
    assert (case.shop, case.supplier, case.photo, case.state) == (
        shop,
        supplier,
        photo,
        CaseState.OPEN,
    )
    assert later(2.9) < case.deadline < later(3.1)

    assert rights_sweep(now=later(2)).hidden == 0
    photo.refresh_from_db()
    assert photo.hidden_at is None

    assert rights_sweep(now=later(3.5)).hidden == 1
    assert rights_sweep(now=later(3.6)).hidden == 0
    photo.refresh_from_db()
    case.refresh_from_db()
    assert case.state == CaseState.HIDDEN and photo.hidden_at is not None
    assert product_photos(product=photo.product) == []
    assert [e.action for e in case.events.all()] == ["flagged", "hidden"]

    product = listing(shop, status=ProductStatus.DRAFT)
    with pytest.raises(Conflict) as refused:
        add_photos(product, upload("chelsea", scale=0.5))
    assert refused.value.code == "photo_rights_blocked"
    assert supplier.name in refused.value.message
    assert not product.photos.exists()
    # Another picture is fine.
    add_photo(product, "rocket")


def test_hidden_case_lifts_when_the_shop_starts_sourcing(original, supplier):
    """Once the shop buys from the supplier it may upload the picture again, and the
    sweep shows its hidden photo again (licensed)."""
    shop = retail_shop()
    photo = copy_of(shop)
    rights_sweep(now=later(4))
    buy_from(shop, supplier)
    add_photo(listing(shop, status=ProductStatus.DRAFT), "chelsea", scale=0.6)
    assert rights_sweep(now=later(5)).licensed == 1
    photo.refresh_from_db()
    assert photo.hidden_at is None
    case = PhotoRightsCase.objects.get(photo=photo)
    assert case.state == CaseState.LICENSED
    assert [e.action for e in case.events.order_by("pk")] == ["flagged", "hidden", "licensed"]


def test_licence_during_grace_period_closes_case(original, supplier):
    """A shop that starts drop-shipping from the supplier before the deadline keeps its
    photo: the sweep ends the case as licensed."""
    shop = retail_shop()
    photo = copy_of(shop)
    drop_ship_from(shop, supplier)
    result = rights_sweep(now=later(10))
    assert (result.licensed, result.hidden) == (1, 0)
    case = PhotoRightsCase.objects.get()
    photo.refresh_from_db()
    assert case.state == CaseState.LICENSED and photo.hidden_at is None


def test_deleting_the_flagged_photo_withdraws_the_case(original):
    shop = retail_shop()
    photo = copy_of(shop)
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo_remove(photo=photo, actor=shop.owner)
    assert rights_sweep().withdrawn == 1
    assert PhotoRightsCase.objects.get().state == CaseState.WITHDRAWN


def test_two_sweepers_hide_once(original):
    """The second of two sweepers finds the case moved and does nothing."""
    copy_of(retail_shop())
    case = PhotoRightsCase.objects.get()
    assert case_hide(case_id=case.pk, now=later(4)) is not None
    assert case_hide(case_id=case.pk, now=later(4)) is None
    assert case.events.filter(action="hidden").count() == 1


def test_appeal_granted_shows_the_photo_again(original):
    """The shop appeals after hiding; an operator grants: the photo is shown and the case
    closed. Each step is an event with who did it and why."""
    shop = retail_shop()
    photo = copy_of(shop)
    rights_sweep(now=later(4))
    case = PhotoRightsCase.objects.get()
    case = case_appeal(case=case, actor=shop.owner, text="I took this photo myself in 2019.")
    assert case.appeal_state == "pending" and case.state == CaseState.HIDDEN
    with pytest.raises(Conflict) as again:
        case_appeal(case=case, actor=shop.owner, text="And again, please look at it.")
    assert again.value.code == "appeal_exists"

    operator = OperatorFactory()
    case = case_decide(case=case, actor=operator, decision="grant", reason="Original EXIF seen.")
    photo.refresh_from_db()
    assert case.state == CaseState.APPEAL_GRANTED and photo.hidden_at is None
    # In id order: the sweep ran "four days later", after the appeal's real time.
    events = list(case.events.order_by("pk"))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("flagged", "", "open"),
        ("hidden", "open", "hidden"),
        ("appealed", "hidden", "hidden"),
        ("appeal_granted", "hidden", "appeal_granted"),
    ]
    assert events[2].actor == shop.owner and events[3].actor == operator
    assert events[3].reason == "Original EXIF seen."
    # A granted case no longer blocks the picture.
    add_photo(listing(shop, status=ProductStatus.DRAFT), "chelsea", scale=0.9)


def test_appeal_upheld_during_grace_hides_at_once(original):
    shop = retail_shop()
    photo = copy_of(shop)
    case = case_appeal(
        case=PhotoRightsCase.objects.get(), actor=shop.owner, text="It is a common picture."
    )
    case = case_decide(case=case, actor=OperatorFactory(), decision="uphold")
    photo.refresh_from_db()
    assert case.state == CaseState.HIDDEN and case.appeal_state == "upheld"
    assert photo.hidden_at is not None


def test_appeal_and_decision_checks(original):
    """Only the shop's owner appeals, with a real explanation; only operators decide, and
    only a pending appeal; nothing changes on a refusal."""
    shop = retail_shop()
    copy_of(shop)
    case = PhotoRightsCase.objects.get()
    with pytest.raises(NotFound):
        case_appeal(case=case, actor=UserFactory(), text="Not my shop but let me try.")
    with pytest.raises(ValidationFailed) as short:
        case_appeal(case=case, actor=shop.owner, text="mine")
    assert short.value.code == "appeal_length"
    with pytest.raises(PermissionDenied):
        case_decide(case=case, actor=shop.owner, decision="grant")
    with pytest.raises(Conflict) as nothing:
        case_decide(case=case, actor=OperatorFactory(), decision="grant")
    assert nothing.value.code == "no_pending_appeal"
    case.refresh_from_db()
    assert case.state == CaseState.OPEN and case.events.count() == 1


def test_closed_case_cannot_be_appealed(original, supplier):
    shop = retail_shop()
    buy_from(shop, supplier)
    copy_of(shop)
    with pytest.raises(Conflict) as closed:
        case_appeal(
            case=PhotoRightsCase.objects.get(), actor=shop.owner, text="Licensed already anyway."
        )
    assert closed.value.code == "case_closed"


def test_grace_period_is_a_setting(original, settings):
    settings.PHOTO_RIGHTS_GRACE_DAYS = 1
    copy_of(retail_shop())
    deadline = PhotoRightsCase.objects.get().deadline
    assert later(0.9) < deadline < later(1.1)
