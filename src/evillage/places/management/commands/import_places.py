from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evillage.core.errors import DomainError
from evillage.places import services
from evillage.places.management.commands._progress import CommandProgress
from evillage.places.models import Country


class Command(BaseCommand):
    help = (
        "Import administrative divisions (China: provinces, cities, areas, streets, villages; "
        "Indonesia: provinces, regencies, districts, villages) from CSV files, gzipped or not. "
        "Re-running updates names, parents and coordinates and keeps households."
    )

    def add_arguments(self, parser):
        parser.add_argument("--country", required=True, choices=[c.value for c in Country])
        parser.add_argument("--source", required=True, type=Path, help="folder of the CSV files")
        parser.add_argument(
            "--coords", type=Path, help="adcodes.csv: coordinates of Chinese provinces to counties"
        )

    def handle(self, *args, country, source, coords, **options):
        try:
            with CommandProgress(self.stdout) as progress:
                result = services.places_import(
                    country=country, source=source, coords=coords, progress=progress
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("%(level)-10s %(rows)9s %(created)9s %(updated)9s %(unchanged)9s")
            % {
                "level": _("level"),
                "rows": _("rows"),
                "created": _("created"),
                "updated": _("updated"),
                "unchanged": _("unchanged"),
            }
        )
        for s in result.levels:
            self.stdout.write(
                f"{s.label:<10} {s.rows:>9,} {s.created:>9,} {s.updated:>9,} {s.unchanged:>9,}"
            )
        if result.coords:
            self.stdout.write(
                _("Coordinates: %(matched)d places set, %(unmatched)d rows matched no place.")
                % {"matched": result.coords.matched, "unmatched": result.coords.unmatched}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(rows)d places of %(country)s in %(seconds).1f s.")
                % {"rows": result.rows, "country": country, "seconds": result.seconds}
            )
        )
