"""Score the parser on generated pages: `manage.py parse_quality --articles N [--variety V] [--json FILE]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.devtools.generator import build_people, iter_pages
from articles.devtools.parse_quality import evaluate
from articles.parsing import parse_page


class Command(BaseCommand):
    help = "Parse generated pages of every convention and print article F1 and people accuracy per convention."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=4000, help="articles to generate (default 4000)")
        parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
        parser.add_argument("--variety", type=float, default=0.6, help="share of other conventions (default 0.6)")
        parser.add_argument("--json", type=Path, dest="json_path", help="also write the figures as JSON to this file")

    def handle(self, *args, articles, seed, variety, json_path: Path | None, **options):
        if articles < 1 or not 0 <= variety <= 1:
            raise CommandError("--articles must be at least 1 and --variety between 0 and 1")
        reporters, correspondents = build_people(seed)
        report = evaluate(
            iter_pages(articles=articles, seed=seed, variety=variety),
            parse_page,
            known_people=[p.name for p in reporters + correspondents],
        )
        self.stdout.write(report.table())
        self.stdout.write(
            f"{report.pages} pages, {report.failed_pages} failed, "
            f"{len(report.conservation_failures)} not keeping every character"
        )
        if json_path is not None:
            json_path.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2), encoding="utf-8")
