from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from evillage.demo.seeding import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo (real villages, 31 shops, 310 products); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--insecure-demo",
            action="store_true",
            help="load it even with DEBUG off (its logins and password are public)",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["insecure_demo"]:
            raise CommandError(
                "The demo creates an administrator whose password is published. "
                "It refuses to load while DEBUG is off; pass --insecure-demo to load it anyway."
            )
        console = Console(file=self.stdout)
        say = console.print if options["verbosity"] > 1 else (lambda _: None)
        with console.status("loading the demo…"):
            report = seed_demo(say=say)
        console.print(
            f"demo: {report.users} users, {report.shops} shops, {report.products} products, "
            f"{report.photos} photos, {report.orders} orders added"
            + (" (already loaded)" if not report.shops else "")
        )
        table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
        for column in ("who", "login", "start at"):
            table.add_column(column)
        for row in report.logins:
            table.add_row(*row)
        console.print(table)
