"""Back up the archive: `manage.py export_archive FILE` (or - for standard output) as JSON Lines."""

import sys

from django.core.management.base import BaseCommand, CommandError

from articles.archive import export_archive


class Command(BaseCommand):
    help = "Write all issues, pages, articles, people, organisations and tags as JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("file", help="output file, or - for standard output")

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                counts = export_archive(sys.stdout)
            else:
                with open(file, "w", encoding="utf-8") as stream:
                    counts = export_archive(stream)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        summary = ", ".join(f"{kind} {n}" for kind, n in counts.counts.items() if kind != "meta")
        self.stderr.write(f"exported {summary}")
