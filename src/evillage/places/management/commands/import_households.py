from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evillage.core.errors import DomainError
from evillage.places import services
from evillage.places.models import Country


class Command(BaseCommand):
    help = "Set registered households from a CSV of code,households (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--country", default=Country.CHINA.value, choices=[c.value for c in Country]
        )

    def handle(self, *args, file, country, **options):
        if not file.is_file():
            raise CommandError(_("%(file)s does not exist.") % {"file": file})
        try:
            result = services.place_households_import(source=file, country=country)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)d rows: %(updated)d places updated, %(unchanged)d unchanged.")
                % {"rows": result.rows, "updated": result.updated, "unchanged": result.unchanged}
            )
        )
