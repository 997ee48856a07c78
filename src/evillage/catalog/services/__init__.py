"""Writes for the seller side of the catalogue: products, variants (SKUs), photos.

Rules every function keeps:
- the actor must be on the shop's staff (otherwise NotFound: another seller's drafts
  are not even confirmed to exist) and allowed to manage products (otherwise
  PermissionDenied); see shops.selectors for who may do what;
- all checks run before anything is written, inside one transaction, so bad input
  changes nothing;
- Product.price_min/price_max always equal the price range of the active SKUs.
"""

from evillage.catalog.services._rules import MAX_SKUS, MAX_STOCK, SkuInput
from evillage.catalog.services.photos import photo_add, photo_move, photo_remove, photos_add
from evillage.catalog.services.products import (
    product_ban,
    product_create,
    product_set_status,
    product_unban,
    product_update,
)
from evillage.catalog.services.skus import sku_add, sku_remove, sku_set_stock, sku_update

__all__ = [
    "MAX_SKUS",
    "MAX_STOCK",
    "SkuInput",
    "photo_add",
    "photo_move",
    "photo_remove",
    "photos_add",
    "product_ban",
    "product_create",
    "product_set_status",
    "product_unban",
    "product_update",
    "sku_add",
    "sku_remove",
    "sku_set_stock",
    "sku_update",
]
