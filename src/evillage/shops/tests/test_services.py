"""Opening and running shops, and their staff."""

import threading

import pytest
from django.db import connection

from evillage.accounts.models import Role, UserRole
from evillage.accounts.tests.factories import UserFactory, VerifiedSellerFactory
from evillage.catalog.tests.factories import image_upload
from evillage.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from evillage.places.models import Level
from evillage.places.tests.factories import PlaceFactory
from evillage.shops import services
from evillage.shops.models import Shop, ShopKind, ShopStaff, ShopStatus, StaffRole
from evillage.shops.selectors import (
    shop_staff_role,
    shops_of_user,
    user_can_manage_products,
    user_can_manage_shop,
)
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def open_shop(owner, **kwargs):
    args = {"name": "沙集实木家具", "kind": ShopKind.INDIVIDUAL, "village": owner.residence}
    args.update(kwargs)
    return services.shop_open(owner=owner, **args)


class TestShopOpen:
    def test_a_verified_seller_opens_a_shop_and_becomes_its_owner(self):
        seller = VerifiedSellerFactory()
        shop = open_shop(seller, description="  Oak and elm  ")
        assert (shop.owner, shop.status, shop.currency) == (seller, ShopStatus.OPEN, "CNY")
        assert shop.description == "Oak and elm"
        assert shop_staff_role(seller, shop) == StaffRole.OWNER
        assert user_can_manage_shop(user=seller, shop=shop)
        assert user_can_manage_products(user=seller, shop=shop)

    def test_an_unverified_user_cannot_open_a_shop(self):
        user = UserFactory(residence=PlaceFactory())
        with pytest.raises(PermissionDenied) as excinfo:
            open_shop(user)
        assert excinfo.value.code == "verification_required"
        assert not Shop.objects.exists()

    def test_an_indonesian_village_gives_a_rupiah_shop(self):
        desa = PlaceFactory(country="id", code="3309012001", name="Desa Sukamaju")
        seller = VerifiedSellerFactory(residence=desa)
        assert open_shop(seller, name="Batik Sukamaju").currency == "IDR"

    def test_the_place_must_be_a_village(self):
        seller = VerifiedSellerFactory()
        town = seller.residence.parent
        assert town.level == Level.TOWN
        with pytest.raises(DomainError) as excinfo:
            open_shop(seller, village=town)
        assert excinfo.value.code == "village_required"

    def test_names_are_unique_regardless_of_case(self):
        open_shop(VerifiedSellerFactory(), name="Oak House")
        with pytest.raises(Conflict) as excinfo:
            open_shop(VerifiedSellerFactory(), name="  oak   HOUSE ")
        assert (excinfo.value.code, excinfo.value.field) == ("shop_name_taken", "name")
        assert Shop.objects.count() == 1

    @pytest.mark.parametrize("name", ["", "x", "x" * 61])
    def test_bad_names(self, name):
        with pytest.raises(DomainError) as excinfo:
            open_shop(VerifiedSellerFactory(), name=name)
        assert excinfo.value.code == "bad_shop_name"

    def test_a_person_may_own_several_shops(self):
        seller = VerifiedSellerFactory()
        open_shop(seller, name="Shop one")
        open_shop(seller, name="Shop two", kind=ShopKind.ENTERPRISE)
        assert shops_of_user(user=seller).count() == 2

    def test_a_supplier_shop_needs_the_supplier_role(self):
        seller = VerifiedSellerFactory()
        with pytest.raises(PermissionDenied) as excinfo:
            open_shop(seller, kind=ShopKind.SUPPLIER)
        assert excinfo.value.code == "supplier_role_required"
        assert not seller.has_role(Role.SUPPLIER)
        UserRole.objects.create(user=seller, role=Role.SUPPLIER)
        assert open_shop(seller, kind=ShopKind.SUPPLIER).kind == ShopKind.SUPPLIER

    def test_unknown_kind(self):
        with pytest.raises(DomainError) as excinfo:
            open_shop(VerifiedSellerFactory(), kind="megastore")
        assert excinfo.value.code == "bad_kind"

    def test_the_logo_goes_through_the_photo_pipeline(self):
        shop = open_shop(VerifiedSellerFactory(), logo=image_upload(size=(900, 500)))
        from PIL import Image

        with shop.logo.open() as stored:
            image = Image.open(stored)
            assert (image.format, image.size) == ("JPEG", (300, 300))

    def test_a_broken_logo_refuses_the_whole_shop(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        with pytest.raises(DomainError) as excinfo:
            open_shop(VerifiedSellerFactory(), logo=SimpleUploadedFile("l.png", b"text"))
        assert (excinfo.value.code, excinfo.value.field) == ("photo_not_image", "logo")
        assert not Shop.objects.exists()


class TestShopUpdateAndStatus:
    def test_owner_renames_and_another_name_taken_changes_nothing(self):
        shop = ShopFactory(name="Alpha")
        ShopFactory(name="Beta")
        services.shop_update(shop=shop, actor=shop.owner, name="Gamma", description="new")
        assert Shop.objects.get(pk=shop.pk).name == "Gamma"
        with pytest.raises(Conflict):
            services.shop_update(shop=shop, actor=shop.owner, name="beta", description="other")
        shop.refresh_from_db()
        assert (shop.name, shop.description) == ("Gamma", "new")

    def test_others_and_customer_service_cannot_edit(self):
        shop = ShopFactory(name="Alpha")
        with pytest.raises(NotFound):
            services.shop_update(shop=shop, actor=VerifiedSellerFactory(), name="Mine")
        helper = UserFactory()
        ShopStaff.objects.create(shop=shop, user=helper, role=StaffRole.CUSTOMER_SERVICE)
        with pytest.raises(PermissionDenied):
            services.shop_update(shop=shop, actor=helper, name="Mine")
        assert not user_can_manage_products(user=helper, shop=shop)
        assert Shop.objects.get(pk=shop.pk).name == "Alpha"

    def test_close_reopen_and_suspension(self):
        shop = ShopFactory()
        services.shop_close(shop=shop, actor=shop.owner)
        assert shop.status == ShopStatus.CLOSED
        services.shop_reopen(shop=shop, actor=shop.owner)
        assert shop.status == ShopStatus.OPEN
        operator = UserFactory(with_roles=[Role.OPERATOR])
        with pytest.raises(PermissionDenied):
            services.shop_suspend(shop=shop, actor=shop.owner)
        services.shop_suspend(shop=shop, actor=operator)
        with pytest.raises(Conflict) as excinfo:
            services.shop_reopen(shop=shop, actor=shop.owner)
        assert excinfo.value.code == "shop_suspended"
        services.shop_reinstate(shop=shop, actor=operator)
        assert shop.status == ShopStatus.OPEN

    def test_the_owner_closing_with_a_stale_shop_does_not_lift_a_suspension(self):
        """The owner's page loaded the shop while it was open; an operator suspends it
        before the owner presses "close" (or "reopen")."""
        shop = ShopFactory()
        owners_copy = Shop.objects.get(pk=shop.pk)
        services.shop_suspend(shop=shop, actor=UserFactory(with_roles=[Role.OPERATOR]))
        for change in (services.shop_close, services.shop_reopen):
            with pytest.raises(Conflict) as excinfo:
                change(shop=owners_copy, actor=shop.owner)
            assert excinfo.value.code == "shop_suspended"
            assert Shop.objects.get(pk=shop.pk).status == ShopStatus.SUSPENDED
        assert owners_copy.status == ShopStatus.SUSPENDED  # refreshed for the caller

    def test_reinstating_a_shop_the_owner_closed_meanwhile_keeps_it_closed(self):
        shop = ShopFactory()
        operators_copy = Shop.objects.get(pk=shop.pk)  # seen open, not suspended
        services.shop_close(shop=shop, actor=shop.owner)
        services.shop_reinstate(shop=operators_copy, actor=UserFactory(with_roles=[Role.OPERATOR]))
        assert Shop.objects.get(pk=shop.pk).status == ShopStatus.CLOSED


class TestStaff:
    def test_owner_adds_customer_service_by_phone_and_removes_them(self):
        shop = ShopFactory()
        helper = UserFactory(phone="+8613912345678")
        member = services.staff_add(
            shop=shop, actor=shop.owner, login="13912345678", role="customer_service"
        )
        assert member.user == helper
        assert shop_staff_role(helper, shop) == StaffRole.CUSTOMER_SERVICE
        assert shops_of_user(user=helper).get() == shop
        services.staff_remove(shop=shop, actor=shop.owner, user=helper)
        assert shop_staff_role(helper, shop) is None

    def test_errors(self):
        shop = ShopFactory()
        UserFactory(phone="+8613912345678")
        with pytest.raises(NotFound) as excinfo:
            services.staff_add(
                shop=shop, actor=shop.owner, login="nobody@example.com", role="customer_service"
            )
        assert excinfo.value.code == "user_not_found"
        with pytest.raises(DomainError) as excinfo:
            services.staff_add(shop=shop, actor=shop.owner, login="+8613912345678", role="owner")
        assert excinfo.value.code == "bad_role"
        services.staff_add(
            shop=shop, actor=shop.owner, login="+8613912345678", role="customer_service"
        )
        with pytest.raises(Conflict) as excinfo:
            services.staff_add(
                shop=shop, actor=shop.owner, login="+8613912345678", role="customer_service"
            )
        assert excinfo.value.code == "already_staff"
        with pytest.raises(Conflict) as excinfo:
            services.staff_remove(shop=shop, actor=shop.owner, user=shop.owner)
        assert excinfo.value.code == "cannot_remove_owner"

    def test_only_the_owner_manages_staff(self):
        shop = ShopFactory()
        outsider = UserFactory(phone="+8613912345670")
        with pytest.raises(NotFound):
            services.staff_add(
                shop=shop, actor=outsider, login="+8613912345670", role="customer_service"
            )
        assert shop.staff.count() == 1

    def test_a_concurrent_add_of_the_same_person_is_already_staff_not_an_error(self, monkeypatch):
        """Another request inserts the membership between our check and our insert."""
        shop = ShopFactory()
        UserFactory(phone="+8613912345678")
        real_create = ShopStaff.objects.create

        def create_after_the_other_request(**kwargs):
            ShopStaff.objects.bulk_create([ShopStaff(**kwargs)])  # the other request wins
            return real_create(**kwargs)

        monkeypatch.setattr(ShopStaff.objects, "create", create_after_the_other_request)
        with pytest.raises(Conflict) as excinfo:
            services.staff_add(
                shop=shop, actor=shop.owner, login="+8613912345678", role="customer_service"
            )
        assert excinfo.value.code == "already_staff"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_adds_give_one_member_and_one_already_staff():
    shop = ShopFactory()
    UserFactory(phone="+8613912345678")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def add():
        try:
            start.wait()
            services.staff_add(
                shop=shop, actor=shop.owner, login="+8613912345678", role="customer_service"
            )
            outcomes.append("added")
        except DomainError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # what the test is about: no IntegrityError, no 500
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added", "already_staff"]
    assert shop.staff.count() == 2


def test_a_suspended_shop_is_frozen_for_its_owner_until_reinstated():
    """The owner cannot rename it or add staff, even from a page loaded before."""
    shop = ShopFactory(name="老孙实木")
    stale = Shop.objects.get(pk=shop.pk)
    operator = UserFactory(with_roles=[Role.OPERATOR])
    services.shop_suspend(shop=shop, actor=operator)
    helper = UserFactory(phone="+8613900001111")

    with pytest.raises(Conflict) as rename:
        services.shop_update(shop=stale, actor=shop.owner, name="新名字")
    with pytest.raises(Conflict) as add:
        services.staff_add(
            shop=stale, actor=shop.owner, login=helper.phone, role=StaffRole.CUSTOMER_SERVICE
        )

    assert rename.value.code == add.value.code == "shop_suspended"
    shop.refresh_from_db()
    assert shop.name == "老孙实木" and shop.staff.count() == 1

    services.shop_reinstate(shop=shop, actor=operator)
    services.shop_update(shop=shop, actor=shop.owner, name="新名字")
    assert Shop.objects.get(pk=shop.pk).name == "新名字"
