import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import OperatorFactory
from evillage.ledger.models import Transfer
from evillage.ledger.tests.conftest import top_up

pytestmark = pytest.mark.django_db


def test_operators_can_read_the_books_but_not_write_them(client, wallet):
    transfer = top_up(wallet, 100)
    client.force_login(OperatorFactory())

    accounts = client.get(reverse("admin:ledger_account_changelist"), {"q": wallet.owner.phone})
    assert accounts.status_code == 200
    assert wallet.public_id in accounts.text
    transfers = client.get(reverse("admin:ledger_transfer_changelist"), {"kind__exact": "topup"})
    assert transfer.public_id in transfers.text

    assert client.get(reverse("admin:ledger_transfer_add")).status_code == 403
    assert client.get(reverse("admin:ledger_account_add")).status_code == 403
    detail = client.get(reverse("admin:ledger_transfer_change", args=[transfer.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.text
    delete = client.post(reverse("admin:ledger_transfer_delete", args=[transfer.pk]))
    assert delete.status_code == 403
    assert Transfer.objects.filter(pk=transfer.pk, amount=100).exists()
