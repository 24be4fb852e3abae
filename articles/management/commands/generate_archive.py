"""Write a synthetic archive of page files: `manage.py generate_archive --articles N --seed S --out DIR`."""

import argparse
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.devtools.generator import DEFAULT_VARIETY, generate_archive


def iso_date(value: str) -> date:
    """A YYYY-MM-DD command-line date."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from None


class Command(BaseCommand):
    help = "Generate a deterministic synthetic archive of daily issues as page files (same arguments, same bytes)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True, help="number of articles, exactly")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--out", type=Path, required=True, help="folder for the page files (created if missing)")
        parser.add_argument(
            "--start-date", type=iso_date, default=date(2013, 1, 1), help="date of the first issue (2013-01-01)"
        )
        parser.add_argument(
            "--variety",
            type=float,
            default=DEFAULT_VARIETY,
            help=f"share of articles in other workers' papers' conventions, 0 to 1 (default {DEFAULT_VARIETY})",
        )

    def handle(self, *args, articles, seed, out, start_date, variety, **options):
        if articles < 1:
            raise CommandError("--articles must be at least 1")
        if not 0 <= variety <= 1:
            raise CommandError("--variety must be between 0 and 1")
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} exists and is not a folder")
        # Leftovers of an earlier, larger run would mix with this archive; they are kept but reported.
        existing = sum(1 for _ in out.glob("*.txt")) if out.is_dir() else 0
        report = generate_archive(articles=articles, seed=seed, out=out, start_date=start_date, variety=variety)
        if existing:
            self.stderr.write(f"note: {out} already held {existing} page files; same-named ones were overwritten")
        self.stdout.write(
            f"{report.files} files, {report.issues} issues, {report.articles} articles, "
            f"{report.bytes} bytes ({report.bytes / 2**20:.1f} MiB) in {report.seconds:.1f} s"
        )
