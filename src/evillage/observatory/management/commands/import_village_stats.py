from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evillage.core.errors import DomainError
from evillage.observatory import services


class Command(BaseCommand):
    help = (
        "Import village figures from a CSV (UTF-8 or GBK) or XLSX (the first sheet) of "
        "code, year, sales (minor units), merchants, households (may be empty). A row "
        "replaces its village's figures of that year; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--country", default="cn", choices=["cn", "id"])
        parser.add_argument("--currency", default="CNY")

    def handle(self, *args, file, country, currency, **options):
        try:
            rows = services.village_stats_import(path=file, country=country, currency=currency)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(_("Imported %(rows)d rows.") % {"rows": rows}))
