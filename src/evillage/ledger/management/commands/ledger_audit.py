from django.core.management.base import BaseCommand, CommandError

from evillage.ledger.selectors import ledger_audit


class Command(BaseCommand):
    help = (
        "Recompute every ledger balance from its transfers, compare with the cached "
        "balances and check that each currency sums to zero. Exits non-zero on any problem."
    )

    def handle(self, *args, **options):
        result = ledger_audit()
        self.stdout.write(f"accounts checked: {result.accounts}")
        self.stdout.write(f"transfers: {result.transfers}")
        for currency, total in result.totals.items():
            self.stdout.write(f"total {currency}: {total}")
        for mismatch in result.mismatches:
            account = mismatch.account
            owner = account.owner.public_id if account.owner else "-"
            self.stderr.write(
                f"balance mismatch: account {account.public_id} kind={account.kind} "
                f"currency={account.currency} owner={owner} "
                f"cached={mismatch.cached} computed={mismatch.computed}"
            )
        for currency in result.unbalanced_currencies:
            self.stderr.write(f"unbalanced: {currency} sums to {result.totals[currency]}, not 0")
        if result.negative_wallets:
            self.stderr.write(f"negative wallets: {result.negative_wallets}")
        if result.currency_mismatches:
            self.stderr.write(
                f"transfers in a currency other than their accounts': {result.currency_mismatches}"
            )
        if not result.ok:
            raise CommandError("ledger audit failed")
        self.stdout.write(self.style.SUCCESS("ledger audit: books balance"))
