"""Import newspaper page files: `manage.py import_seeds [PATH ...]` (files, folders or - for standard input)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from articles import revisions
from articles.importers import FileResult, ImportReport, import_pages


class Command(BaseCommand):
    help = "Import page text files (default: seeds/). Exit 0 when all imported, 1 when any failed, 2 on usage errors."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", default=["seeds/"], help="files, folders, or - for standard input")
        parser.add_argument("--dry-run", action="store_true", help="parse and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print the parse as JSON on standard output")
        parser.add_argument("--draft", action="store_true", help="new articles arrive as drafts, not published")
        parser.add_argument(
            "--no-revisions",
            action="store_true",
            help="keep no version of each written article (bulk archive loads; see docs/editing.md)",
        )
        parser.add_argument("--max-bytes", type=int, default=None, help="size limit per file (default 5 MB)")
        parser.add_argument(
            "--workers", type=int, default=1, help="parse in this many processes while one writes (e.g. the core count)"
        )

    def handle(self, *args, paths, dry_run, json, draft, no_revisions, max_bytes, workers, **options):
        if paths.count("-") > 1:
            raise CommandError("standard input (-) can be given only once", returncode=2)
        if max_bytes is not None and max_bytes <= 0:
            raise CommandError("--max-bytes must be a positive number of bytes", returncode=2)
        if workers < 1:
            raise CommandError("--workers must be at least 1", returncode=2)
        # With --json, standard output carries only the JSON; progress and summary go to standard error.
        out = self.stderr if json else self.stdout
        report = import_pages(
            paths=paths,
            dry_run=dry_run,
            draft=draft,
            max_bytes=max_bytes,
            stdin=sys.stdin.buffer if "-" in paths else None,
            workers=workers,
            keep_pages=json,
            progress=Progress(out),
        )
        if not dry_run and not no_revisions:
            revisions.record_import(report)
        if json:
            self.stdout.write(dump_json(report.as_json()))
        for source, anomaly in report.anomalies:
            out.write(f"anomaly: {source}: {anomaly}")
        for source, note in report.notes:
            out.write(f"note: {source}: {note}")
        out.write(summary(report))
        if not report.ok:
            raise SystemExit(1)


def dump_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


class Progress:
    """A bar that redraws in place on a terminal; one plain line per file otherwise."""

    def __init__(self, out):
        self.out = out
        self.tty = hasattr(out, "isatty") and out.isatty()

    def __call__(self, done: int, total: int, result: FileResult) -> None:
        line = describe(result)
        if self.tty:
            width = 30
            filled = width * done // total
            bar = "#" * filled + "-" * (width - filled)
            self.out.write(f"\r[{bar}] {done}/{total} {result.source[-40:]:<40}", ending="")
            if done == total:
                self.out.write("")
            if not result.ok:
                self.out.write(f"\n{line}")
        else:
            self.out.write(line)


def describe(result: FileResult) -> str:
    if not result.ok:
        return f"error: {result.source}: {result.error}"
    articles = result.articles
    encoding = f", {result.encoding}" if result.encoding and result.encoding != "utf-8" else ""
    return f"{result.outcome}: {result.source} ({articles} articles{encoding})"


def summary(report: ImportReport) -> str:
    mode = "dry run, nothing written: " if report.dry_run else ""
    files = (
        f"{len(report.files)} files ({report.count('created')} created, {report.count('updated')} updated, "
        f"{report.count('unchanged')} unchanged, {report.count('parsed')} parsed, {len(report.failed)} failed)"
    )
    if report.dry_run:
        rest = f"{report.articles_parsed} articles parsed"
    else:
        rest = (
            f"issues {report.issues_created} created, {report.issues_updated} updated; "
            f"articles {report.articles_created} created, {report.articles_updated} updated; "
            f"people {report.people_created} created; organisations {report.organisations_created} created; "
            f"tags {report.tags_created} created"
        )
    return f"{mode}{files}; {rest}; {len(report.anomalies)} anomalies"
