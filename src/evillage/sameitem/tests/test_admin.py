"""Operators read cases, claims and events in the admin, and decide appeals there
through the service; nothing can be edited or deleted."""

import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import OperatorFactory
from evillage.catalog.models import ProductStatus
from evillage.sameitem.models import CaseState, PhotoRightsCase
from evillage.sameitem.services import case_appeal
from evillage.sameitem.tests.helpers import add_photo, listing, retail_shop, supplier_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def appealed():
    add_photo(listing(supplier_shop()), "chelsea")
    shop = retail_shop()
    add_photo(listing(shop, status=ProductStatus.DRAFT), "chelsea", scale=0.7)
    case = PhotoRightsCase.objects.get()
    return case_appeal(case=case, actor=shop.owner, text="I took it at my workshop.")


def test_admin_lists_and_shows_read_only(client, appealed):
    client.force_login(OperatorFactory())
    for name in ("photorightscase", "photoclaim", "photorightsevent"):
        assert client.get(reverse(f"admin:sameitem_{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:sameitem_photorightscase_change", args=[appealed.pk]))
    assert page.status_code == 200 and "I took it at my workshop." in page.text
    delete = reverse("admin:sameitem_photorightscase_delete", args=[appealed.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_admin_action_grants_the_appeal(client, appealed):
    client.force_login(OperatorFactory())
    answer = client.post(
        reverse("admin:sameitem_photorightscase_changelist"),
        {"action": "grant_appeal", "_selected_action": [appealed.pk]},
    )
    assert answer.status_code == 302
    appealed.refresh_from_db()
    assert appealed.state == CaseState.APPEAL_GRANTED
