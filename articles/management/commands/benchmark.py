"""`manage.py benchmark --articles N --json FILE`: the archive-scale benchmark against DATABASE_URL."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.devtools.benchmark import SECTIONS, BenchmarkOptions, format_table, run_benchmark


class Command(BaseCommand):
    help = "Generate an archive, then time import, search and pages against the database in DATABASE_URL."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--archive", type=Path, default=None, help="folder for the generated pages (reused)")
        parser.add_argument("--json", type=Path, default=None, help="write the figures here as JSON")
        parser.add_argument("--workers", type=int, default=0, help="parallel import processes (default: cores)")
        parser.add_argument("--page-seconds", type=int, default=10, help="wrk duration per page")
        parser.add_argument("--skip-import", action="store_true", help="measure search and pages on what is there")
        parser.add_argument(
            "--uncached-renders", type=int, default=40, help="uncached renders per page kind for pages.uncached_p95_ms"
        )
        parser.add_argument(
            "--only",
            nargs="+",
            choices=SECTIONS,
            default=list(SECTIONS),
            help="measure only these after the import (default: all)",
        )
        parser.add_argument(
            "--admin-rename",
            action="store_true",
            help="also time an admin rename of the most-named organisation and the index catching up (task queue)",
        )

    def handle(self, *args, **options):
        if options["articles"] < 1:
            raise CommandError("--articles must be at least 1", returncode=2)
        bench = BenchmarkOptions(
            articles=options["articles"],
            seed=options["seed"],
            archive=options["archive"],
            workers=options["workers"],
            page_seconds=options["page_seconds"],
            skip_import=options["skip_import"],
            uncached_renders=options["uncached_renders"],
            admin_rename=options["admin_rename"],
            sections=tuple(options["only"]),
        )
        try:
            result = run_benchmark(bench, log=lambda line: self.stderr.write(line))
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(format_table(result))
        if options["json"]:
            options["json"].write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            self.stderr.write(f"figures written to {options['json']}")
