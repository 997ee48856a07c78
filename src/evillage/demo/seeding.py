"""Load the demo: real villages, verified sellers, shops, products with pictures.

Deterministic (every random choice is seeded by a name) and idempotent: a second
run finds every person and shop by its login or name and adds nothing. Everything
goes through the same services a person's clicks go through, so the demo only
contains what the platform itself would accept.
"""

import datetime
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from stdnum.cn import ric

from evillage.accounts import services as accounts
from evillage.accounts.models import IdDocument, Role, User
from evillage.accounts.selectors import user_find_by_login, user_is_verified
from evillage.catalog import services as catalog
from evillage.catalog.models import Category, ProductStatus
from evillage.demo.content import LINES, VILLAGES, DemoShop, ProductLine
from evillage.demo.dropship import seed_dropship
from evillage.demo.messaging import seed_conversations
from evillage.demo.observatory import seed_observatory
from evillage.demo.orders import seed_orders
from evillage.demo.pictures import draw_product_picture
from evillage.demo.reviews import seed_reviews
from evillage.demo.sameitem import seed_sameitem
from evillage.demo.sourcing import seed_sourcing
from evillage.orders.services.checkout import ShipTo
from evillage.places.models import Place
from evillage.places.services import place_set_households, places_import_shipped
from evillage.shops import services as shops
from evillage.shops.models import Shop, ShopKind

DEMO_PASSWORD = "village-demo-2026"  # noqa: S105 - published demo logins
PRODUCTS_PER_SHOP = 10
OPERATOR_EMAIL = "operator@evillage.example"
OFFICIAL_EMAIL = "official@evillage.example"
BUYER_EMAILS = ("buyer@evillage.example", "pembeli@evillage.example")


@dataclass
class SeedReport:
    users: int = 0
    shops: int = 0
    products: int = 0
    photos: int = 0
    orders: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def seed_demo(*, say: Callable[[str], None] = lambda _: None) -> SeedReport:
    report = SeedReport()
    keys = {village.key for village in VILLAGES}
    found = set(Place.objects.filter(key__in=keys).values_list("key", flat=True))
    missing_countries = tuple(sorted({key.split("-")[0] for key in keys - found}))
    if missing_countries:
        say(f"importing the shipped places of {', '.join(missing_countries)}")
        places_import_shipped(countries=missing_countries)
    operator = _staff_user(report, OPERATOR_EMAIL, "平台运营 Operator", Role.OPERATOR)
    official = _staff_user(report, OFFICIAL_EMAIL, "睢宁县商务局 Official", Role.OFFICIAL)
    for email in BUYER_EMAILS:
        _user(report, email=email, display_name=email.split("@")[0].title())
    report.logins += [
        ("operator", OPERATOR_EMAIL, "/admin/"),
        ("official", OFFICIAL_EMAIL, f"/places/{VILLAGES[0].key}/households/"),
        ("buyer", BUYER_EMAILS[0], "/"),
    ]
    owners: dict[str, User] = {}
    listings: list[_Listing] = []
    for village_data in VILLAGES:
        village = Place.objects.get(key=village_data.key)
        if village.households != village_data.households:
            place_set_households(place=village, households=village_data.households, by=official)
        for shop_data in village_data.shops:
            owner = owners.get(shop_data.owner_name)
            if owner is None:
                owner = _seller(report, len(owners) + 1, shop_data, village, operator)
                owners[shop_data.owner_name] = owner
            say(f"shop {shop_data.name}")
            shop = _shop(report, shop_data, owner, village, operator)
            listings.append(_Listing(shop_data, shop, owner, random.Random(shop_data.name)))
    # Products go round the shops, so "newest" lists show every village, not the last one.
    for index in range(PRODUCTS_PER_SHOP):
        for listing in listings:
            _product(report, listing, index)
    _orders(report, [listing.shop for listing in listings], say)
    report.orders += seed_sourcing(say=say)  # wholesale terms, a seller's wholesale order
    report.orders += seed_dropship(buyer_email=BUYER_EMAILS[0], say=say)
    buyers = [u for u in map(lambda e: user_find_by_login(login=e), BUYER_EMAILS) if u]
    seed_conversations(buyers=buyers, shops=[listing.shop for listing in listings], say=say)
    seed_reviews(say=say)
    seed_sameitem(say=say)
    seed_observatory(say=say)
    first_seller = next(iter(owners.values()))
    report.logins.insert(2, ("seller", first_seller.phone, "/seller/"))
    return report


def _orders(report: SeedReport, shops: list[Shop], say: Callable[[str], None]) -> None:
    """The demo buyers' purchases: Chinese shops for one, Indonesian shops for the other."""
    retail = [shop for shop in shops if shop.kind != ShopKind.SUPPLIER]
    for email, currency, phone in zip(
        BUYER_EMAILS, ("CNY", "IDR"), ("13800138000", "+6281234567890"), strict=True
    ):
        buyer = user_find_by_login(login=email)
        in_currency = [shop for shop in retail if shop.currency == currency]
        if buyer is None or not in_currency:
            continue
        say(f"orders of {email}")
        address = ShipTo(
            place=in_currency[0].village.key,
            street="Jl. Merdeka 8" if currency == "IDR" else "东风路 8 号",
            name=buyer.display_name,
            phone=phone,
        )
        report.orders += seed_orders(buyer=buyer, shops=in_currency, ship_to=address)


def _user(
    report: SeedReport, *, email: str | None = None, phone: str | None = None, display_name: str
) -> User:
    user = user_find_by_login(login=email or phone)
    if user is None:
        user = accounts.user_register(
            phone=phone, email=email, password=DEMO_PASSWORD, display_name=display_name
        )
        report.users += 1
    return user


def _staff_user(report: SeedReport, email: str, display_name: str, role: str) -> User:
    user = _user(report, email=email, display_name=display_name)
    accounts.role_grant(user=user, role=role)
    return user


def _seller(
    report: SeedReport, number: int, shop: DemoShop, village: Place, operator: User
) -> User:
    chinese = village.country == "cn"
    phone = f"+86138{number:08d}" if chinese else f"+62812{number:08d}"
    user = _user(report, phone=phone, display_name=shop.owner_name)
    if user_is_verified(user=user):
        return user
    accounts.user_set_residence(user=user, village=village)
    number_typed = _chinese_id(village, number) if chinese else _nik(village, number)
    verification = accounts.verification_submit(
        user=user,
        legal_name=shop.owner_name,
        number=number_typed,
        document_type=IdDocument.CN_RESIDENT_ID if chinese else IdDocument.ID_NIK,
    )
    accounts.verification_approve(verification=verification, operator=operator)
    if shop.kind == "supplier":
        accounts.role_grant(user=user, role=Role.SUPPLIER)
    return user


def _chinese_id(village: Place, number: int) -> str:
    """A checksum-valid resident ID number registered in the village's county."""
    birth = datetime.date(1972, 1, 1) + datetime.timedelta(days=number * 331)
    first17 = f"{village.code[:6]}{birth:%Y%m%d}{number:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum wants a placeholder digit


def _nik(village: Place, number: int) -> str:
    """A well-formed NIK: district code, birth date (DDMMYY), serial."""
    birth = datetime.date(1980, 3, 1) + datetime.timedelta(days=number * 211)
    return f"{village.code[:6]}{birth:%d%m%y}{number:04d}"


@dataclass
class _Listing:
    """One shop's product generator; its random stream is the same on every run."""

    data: DemoShop
    shop: Shop
    owner: User
    rng: random.Random
    titles: set[str] = field(default_factory=set)


def _shop(report: SeedReport, data: DemoShop, owner: User, village: Place, operator: User) -> Shop:
    existing = Shop.objects.filter(name=data.name).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        shop = shops.shop_open(
            owner=owner,
            name=data.name,
            kind=data.kind,
            village=village,
            description=data.description,
        )
        if data.featured:
            shops.shop_set_featured(shop=shop, actor=operator, featured=True)
    report.shops += 1
    return shop


def _product(report: SeedReport, listing: _Listing, index: int) -> None:
    """Draw the index-th product of a shop; create it unless an earlier run did."""
    shop, rng = listing.shop, listing.rng
    line_name = listing.data.lines[index % len(listing.data.lines)]
    line = LINES[line_name]
    title = _title(line, rng, listing.titles)
    skus = _skus(line, shop.currency, rng)
    description = _description(shop, title, rng)
    picture_count = rng.randint(1, 3)
    if shop.products.filter(title=title).exists():
        return
    with transaction.atomic():
        product = catalog.product_create(
            shop=shop,
            actor=listing.owner,
            category=Category.objects.get(slug=line.category),
            title=title,
            description=description,
            skus=skus,
        )
        pictures = [
            SimpleUploadedFile(
                f"demo-{index}-{n}.jpg",
                draw_product_picture(line=line_name, seed=f"{shop.name}/{title}/{n}"),
                content_type="image/jpeg",
            )
            for n in range(picture_count)
        ]
        catalog.photos_add(product=product, actor=listing.owner, uploads=pictures)
        catalog.product_set_status(
            product=product, actor=listing.owner, status=ProductStatus.ACTIVE
        )
    report.products += 1
    report.photos += len(pictures)


def _skus(line: ProductLine, currency: str, rng: random.Random) -> list[catalog.SkuInput]:
    low, high = line.price_range
    base = rng.randint(low, high)
    step = max(1, base // 20)
    if currency == "IDR":
        base, step = round(base, -3), round(step, -3) or 1000  # rupiah prices end in thousands
    axes = tuple(axis for axis, _ in line.variant_axes)
    return [
        catalog.SkuInput(
            label=" / ".join(values),
            price=str(base + n * step),
            available=rng.choice((0, 3, 12, 40, 150, 600)) if n else rng.randint(5, 300),
            options=dict(zip(axes, values, strict=True)) if axes else {},
        )
        for n, values in enumerate(_variant_values(line, rng))
    ]


def _title(line: ProductLine, rng: random.Random, taken: set[str]) -> str:
    joiner = " " if line.nouns[0].isascii() else ""
    while True:
        title = joiner.join(rng.sample(line.qualifiers, 2)) + joiner + rng.choice(line.nouns)
        if title not in taken:
            taken.add(title)
            return title


def _variant_values(line: ProductLine, rng: random.Random) -> list[tuple[str, ...]]:
    if not line.variant_axes:
        return [("标准",)]
    axes = [
        rng.sample(values, rng.randint(1, min(3, len(values)))) for _, values in line.variant_axes
    ]
    return list(itertools.islice(itertools.product(*axes), 6))


def _description(shop: Shop, title: str, rng: random.Random) -> str:
    if shop.currency == "IDR":
        return (
            f"{title} dari {shop.name}.\nDibuat oleh pengrajin desa, dikirim dari "
            f"{shop.village.name}.\nCuci dengan tangan, jangan diperas."
        )
    promises = ("48小时内发货", "支持七天无理由退货", "产地直发，假一赔十", "运费险")
    return (
        f"{title}，{shop.name}自产自销。\n"
        f"{'，'.join(rng.sample(promises, 2))}。\n有问题请先联系客服。"
    )
