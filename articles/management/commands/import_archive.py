"""Restore a backup made by export_archive into an empty, migrated database."""

from django.core.management.base import BaseCommand, CommandError

from articles.archive import ArchiveError, import_archive


class Command(BaseCommand):
    help = "Restore a JSON Lines archive (from export_archive) into an empty database, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON Lines backup")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as stream:
                counts = import_archive(stream)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        except (ArchiveError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from None
        summary = ", ".join(f"{kind} {n}" for kind, n in counts.counts.items())
        self.stdout.write(f"restored {summary}")
