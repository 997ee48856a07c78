"""Test helpers: a buyer, a shop with a customer-service agent, their conversation."""

from evillage.accounts.tests.factories import UserFactory
from evillage.messaging.models import Conversation
from evillage.messaging.services import conversation_open
from evillage.shops.models import ShopStaff, StaffRole
from evillage.shops.tests.factories import ShopFactory


def agent_of(shop, role: str = StaffRole.CUSTOMER_SERVICE):
    """A staff member of the shop (customer service unless told otherwise)."""
    user = UserFactory()
    ShopStaff.objects.create(shop=shop, user=user, role=role)
    return user


def conversation(*, buyer=None, shop=None) -> Conversation:
    return conversation_open(user=buyer or UserFactory(), shop=shop or ShopFactory()).conversation
