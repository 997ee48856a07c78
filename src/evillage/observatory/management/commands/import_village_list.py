from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evillage.core.errors import DomainError
from evillage.observatory import services


class Command(BaseCommand):
    help = (
        "Import AliResearch's published Taobao village list of one year (CSV in UTF-8 or "
        "GBK, or XLSX: the first sheet; columns province, city, county, town, village, "
        "optional specialty) and match the names to official division codes. Re-importing "
        "a year replaces it; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--report", type=Path, help="write the unmatched rows to this CSV")

    def handle(self, *args, file, year, report, **options):
        try:
            result = services.village_list_import(path=file, year=year)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _(
                "%(year)d: %(rows)d rows; %(villages)d matched to a village code (%(vrate).1f%%), "
                "%(places)d to at least a county code (%(prate).1f%%)."
            )
            % {
                "year": year,
                "rows": result.rows,
                "villages": result.matched_villages,
                "vrate": 100 * result.village_rate,
                "places": result.matched_places,
                "prate": 100 * result.place_rate,
            }
        )
        for name, count in result.methods.most_common():
            self.stdout.write(f"  {name:<22} {count:>6}")
        if report is not None:
            services.write_unmatched_report(result=result, path=report)
            self.stdout.write(_("Unmatched rows written to %(file)s.") % {"file": report})
        self.stdout.write(self.style.SUCCESS(_("Imported the %(year)d list.") % {"year": year}))
