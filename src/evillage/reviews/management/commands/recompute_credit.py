from django.core.management.base import BaseCommand
from rich.console import Console

from evillage.reviews.services import credit_rebuild
from evillage.shops.models import Shop


class Command(BaseCommand):
    help = (
        "Rescore every review under the credit rules and rebuild each shop's stored credit "
        "from them; prints every shop whose stored figures had drifted (and fixes it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shop", help="only this shop (its public id)")

    def handle(self, *args, **options):
        shops = Shop.objects.all()
        if options["shop"]:
            shops = shops.filter(public_id=options["shop"])
        console = Console(file=self.stdout)
        with console.status("recomputing seller credit…"):
            drifts = credit_rebuild(shops=shops)
        names = dict(
            Shop.objects.filter(pk__in=[d.shop_id for d in drifts]).values_list("pk", "name")
        )
        for drift in drifts:
            self.stderr.write(
                f"drift: shop {names.get(drift.shop_id, drift.shop_id)} "
                f"stored score={drift.stored.score} goods={drift.stored.goods} "
                f"neutrals={drift.stored.neutrals} bads={drift.stored.bads}; "
                f"computed score={drift.computed.score} goods={drift.computed.goods} "
                f"neutrals={drift.computed.neutrals} bads={drift.computed.bads}; "
                f"reviews rescored: {drift.reviews_changed} (fixed)"
            )
        self.stdout.write(
            f"credit recomputed for {shops.count()} shop(s); {len(drifts)} had drifted"
            + (" and were fixed" if drifts else "")
        )
