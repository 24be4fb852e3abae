"""`manage.py loadtest`: hold many connections over a mix of public pages, optionally while an import runs."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.devtools.benchmark import run_load


class Command(BaseCommand):
    help = "Serve with gunicorn and load lists, searches, articles and issues from wrk on loopback."

    def add_arguments(self, parser):
        parser.add_argument("--connections", type=int, default=64)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument(
            "--workers", type=int, default=4, help="gunicorn workers (4, as docs/deploy/newsroom.service runs)"
        )
        parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread above 1)")
        parser.add_argument("--with-import", type=Path, default=None, help="import this folder during the load")
        parser.add_argument("--json", type=Path, default=None)
        parser.add_argument(
            "--access-log", type=Path, default=None, help="gunicorn's log: status, microseconds, request line"
        )

    def handle(self, *args, connections, seconds, workers, threads, with_import, access_log, **options):
        try:
            result = run_load(
                connections=connections,
                seconds=seconds,
                workers=workers,
                threads=threads,
                access_log=access_log,
                import_folder=with_import,
                log=lambda line: self.stderr.write(line),
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        text = json.dumps(result, ensure_ascii=False, indent=2)
        self.stdout.write(text)
        if options["json"]:
            options["json"].write_text(text + "\n", encoding="utf-8")
        if result["non_2xx"] or result["socket_errors"] or result["timeouts"] or result.get("import_exit_code", 0):
            raise SystemExit(1)
