import pytest
from django.core.management import CommandError, call_command

from evillage.accounts.models import Role, User
from evillage.accounts.selectors import user_is_verified
from evillage.catalog.models import Product, ProductPhoto, ProductStatus
from evillage.demo.seeding import DEMO_PASSWORD, seed_demo
from evillage.places.models import Place
from evillage.shops.models import Shop


@pytest.mark.django_db
def test_the_demo_is_a_real_marketplace_and_loading_it_twice_adds_nothing(client, capsys, settings):
    settings.DEBUG = True  # as under `make run`; pytest runs with DEBUG off
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "operator@evillage.example" in out and DEMO_PASSWORD in out

    assert Shop.objects.count() >= 30
    active = Product.objects.filter(status=ProductStatus.ACTIVE)
    assert active.count() >= 300
    assert not active.filter(photos__isnull=True).exists()
    # Shops sit in real villages of the shipped divisions, run by verified residents.
    dongfeng = Place.objects.get(key="cn-320324109002")
    assert dongfeng.name == "东风社区居委会" and dongfeng.households == 1420
    for shop in Shop.objects.select_related("owner", "village"):
        assert user_is_verified(user=shop.owner)
        assert shop.owner.residence_id == shop.village_id
    assert Shop.objects.filter(village__country="id", currency="IDR").count() == 3
    assert User.objects.get(email="operator@evillage.example").has_role(Role.OPERATOR)
    assert User.objects.get(email="official@evillage.example").has_role(Role.OFFICIAL)

    counts = (
        User.objects.count(),
        Shop.objects.count(),
        Product.objects.count(),
        ProductPhoto.objects.count(),
    )
    again = seed_demo()
    assert (again.users, again.shops, again.products, again.photos) == (0, 0, 0, 0)
    assert counts == (
        User.objects.count(),
        Shop.objects.count(),
        Product.objects.count(),
        ProductPhoto.objects.count(),
    )

    # The printed logins work.
    seller_login = next(login for who, login, _ in again.logins if who == "seller")
    response = client.post(
        "/accounts/login/", {"username": seller_login, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_demo_refuses_to_load_on_a_production_site(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--insecure-demo"):
        call_command("seed_demo")
    assert not User.objects.exists()
