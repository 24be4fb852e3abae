"""`manage.py reindex`: rebuild the full-text search index of every article."""

from django.core.management.base import BaseCommand, CommandError

from articles.search import BATCH_SIZE, SearchIndexMissing, rebuild_search_index

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Re-segment every article and rewrite its search-index entry, in batches."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"articles per batch (default {BATCH_SIZE})"
        )

    def handle(self, *args, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        tty = self.stdout.isatty()
        progress = None
        if verbosity > 0:
            progress = self._bar if tty else self._line
        try:
            count = rebuild_search_index(batch_size=batch_size, progress=progress)
        except SearchIndexMissing as error:
            raise CommandError(str(error)) from error
        if verbosity > 0:
            if tty:
                self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"Reindexed {count} articles."))

    def _bar(self, done, total):
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        # A carriage return redraws the one line in place.
        self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stdout.flush()

    def _line(self, done, total):
        if done:
            self.stdout.write(f"indexed {done}/{total}")
