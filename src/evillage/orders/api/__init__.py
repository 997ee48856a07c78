"""The orders JSON API: cart, checkouts and payment, orders, refunds and disputes.

Mounted at "/" by evillage.api, so the paths are /api/cart, /api/checkouts, /api/orders,
/api/shops/{id}/orders, /api/refunds/{id}/..., /api/disputes. Money-moving operations are
@idempotent (header Idempotency-Key) and stamp what they create with the claimed key.
"""

from ninja import Router

from evillage.orders.api import cart, checkouts, orders, refunds

router = Router()
router.add_router("/", cart.router)
router.add_router("/", checkouts.router)
router.add_router("/", orders.router)
router.add_router("/", refunds.router)

__all__ = ["router"]
