"""Import newspaper page files: decode, parse, and write issues, pages, articles, bylines, organisations and tags."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from taggit.models import Tag

from . import parsing
from .models import (
    Article,
    Byline,
    Issue,
    Organisation,
    OrganisationAlias,
    Page,
    Reporter,
    ReporterAlias,
)

logger = logging.getLogger(__name__)

STDIN_NAME = "<stdin>"
# Magic numbers of files editors drop into an import folder by mistake.
BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"%PDF-": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Office document",
    b"RIFF": "a RIFF media file",
    b"\x7fELF": "an executable",
}
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Printed pages go to press in the early morning; an archive page without a time is dated then.
PRESS_TIME = datetime.time(6, 0)


class ImportFailure(Exception):
    """A file that cannot be imported; the message says why, without the file name."""


@dataclass(frozen=True)
class SourceFile:
    """A page file to import: its display name and raw bytes."""

    name: str
    data: bytes


@dataclass
class FileResult:
    source: str
    outcome: str = ""  # created, updated, unchanged, parsed (dry run) or failed
    encoding: str = ""
    error: str = ""
    page: parsing.ParsedPage | None = None
    articles_created: int = 0
    articles_updated: int = 0
    articles_deleted: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"


@dataclass
class ImportReport:
    dry_run: bool = False
    files: list[FileResult] = field(default_factory=list)
    issues_created: int = 0
    issues_updated: int = 0
    people_created: int = 0
    organisations_created: int = 0
    tags_created: int = 0

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.files if not result.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def count(self, outcome: str) -> int:
        return sum(1 for result in self.files if result.outcome == outcome)

    @property
    def articles_created(self) -> int:
        return sum(result.articles_created for result in self.files)

    @property
    def articles_updated(self) -> int:
        return sum(result.articles_updated for result in self.files)

    @property
    def articles_parsed(self) -> int:
        return sum(len(result.page.articles) for result in self.files if result.page)

    @property
    def anomalies(self) -> list[tuple[str, str]]:
        found = []
        for result in self.files:
            if result.page is None:
                continue
            found.extend((result.source, anomaly) for anomaly in result.page.anomalies)
            for article in result.page.articles:
                found.extend((result.source, f"《{article.title}》{anomaly}") for anomaly in article.anomalies)
        return found

    def as_json(self) -> dict:
        """The parse in the shape other tools read (see `import_seeds --json`)."""
        return {
            "files": [
                {"source": result.source, **parsing.page_to_dict(result.page)} for result in self.files if result.page
            ],
            "errors": [{"source": result.source, "error": result.error} for result in self.failed],
        }


def max_bytes_setting() -> int:
    return settings.NEWSROOM_IMPORT_MAX_BYTES


# --- finding and reading files -------------------------------------------------------------------------------


def collect_sources(paths: Iterable[str | Path], *, max_bytes: int, stdin=None) -> list[SourceFile | FileResult]:
    """Expand files and folders into sources; a path that cannot be read becomes a failed result."""
    collected: list[SourceFile | FileResult] = []
    for raw in paths:
        raw = str(raw)
        if raw == "-":
            data = (stdin.read(max_bytes + 1)) if stdin is not None else b""
            collected.append(_sized(SourceFile(STDIN_NAME, data), max_bytes))
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            if not files:
                collected.append(FileResult(raw, outcome="failed", error="folder holds no page files"))
            collected.extend(_read(p, max_bytes) for p in files)
        elif path.exists():
            collected.append(_read(path, max_bytes))
        else:
            collected.append(FileResult(raw, outcome="failed", error="no such file or folder"))
    return collected


def _read(path: Path, max_bytes: int) -> SourceFile | FileResult:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return FileResult(str(path), outcome="failed", error=_too_big(size, max_bytes))
        return SourceFile(str(path), path.read_bytes())
    except OSError as error:
        return FileResult(str(path), outcome="failed", error=f"cannot read: {error.strerror or error}")


def _sized(source: SourceFile, max_bytes: int) -> SourceFile | FileResult:
    if len(source.data) > max_bytes:
        return FileResult(source.name, outcome="failed", error=_too_big(len(source.data), max_bytes))
    return source


def _too_big(size: int, max_bytes: int) -> str:
    return f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (DJANGO_IMPORT_MAX_BYTES or --max-bytes)"


def decode_page(data: bytes) -> tuple[str, str]:
    """Decode page bytes as UTF-8 (BOM optional), UTF-16/32 with BOM, or GB18030; return (text, encoding)."""
    if not data.strip():
        raise ImportFailure("file is empty or blank")
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportFailure(f"binary data ({kind}), not page text")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise ImportFailure(f"corrupt {encoding} bytes at byte offset {error.start}") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFailure(f"binary data (NUL byte at byte offset {nul}), not page text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    # Valid multi-byte UTF-8 before the bad byte means a damaged UTF-8 file, not a GBK one.
    if any(byte >= 0x80 for byte in data[: utf8_error.start]):
        raise ImportFailure(f"corrupt UTF-8 bytes at byte offset {utf8_error.start}")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise ImportFailure(
            f"not UTF-8 (bad byte at offset {utf8_error.start}) nor GB18030 (bad byte at offset {error.start})"
        ) from None
    if _han_share(text) < 0.3:
        raise ImportFailure(f"not UTF-8 (bad byte at offset {utf8_error.start}) and not Chinese text in GB18030")
    return text, "gb18030"


def _han_share(text: str) -> float:
    letters = [ch for ch in text if not ch.isspace() and ch.isprintable()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff") / len(letters)


def content_hash(text: str) -> str:
    """Identity of a page: the hash of its normalised text, whatever its encoding, line endings or file name."""
    return hashlib.sha256(parsing.normalise_text(text).encode("utf-8")).hexdigest()


# --- the service ---------------------------------------------------------------------------------------------


def import_pages(
    *,
    paths: Iterable[str | Path] = (),
    sources: Iterable[SourceFile] = (),
    dry_run: bool = False,
    draft: bool = False,
    max_bytes: int | None = None,
    stdin=None,
    progress: Callable[[int, int, FileResult], None] | None = None,
) -> ImportReport:
    """Import page files, one transaction per file; bad files are reported and leave nothing behind."""
    max_bytes = max_bytes or max_bytes_setting()
    items = collect_sources(paths, max_bytes=max_bytes, stdin=stdin) + [_sized(s, max_bytes) for s in sources]
    report = ImportReport(dry_run=dry_run)
    writer = PageWriter(report, draft=draft)
    gazetteer = writer.gazetteer() if items else {}
    tags_before = Tag.objects.count()
    for done, item in enumerate(items, start=1):
        result = item if isinstance(item, FileResult) else _import_one(item, writer, gazetteer, dry_run)
        report.files.append(result)
        if progress:
            progress(done, len(items), result)
    report.tags_created = Tag.objects.count() - tags_before
    return report


def _import_one(source: SourceFile, writer: PageWriter, gazetteer: dict[str, str], dry_run: bool) -> FileResult:
    result = FileResult(source.name)
    try:
        text, result.encoding = decode_page(source.data)
        result.page = parsing.parse_page(text, gazetteer=gazetteer)
        if dry_run:
            result.outcome = "parsed"
            return result
        with transaction.atomic():
            writer.write(source.name, text, result)
    except (ImportFailure, parsing.ParseError) as error:
        result.outcome, result.error = "failed", str(error)
    except (IntegrityError, DatabaseError) as error:
        logger.exception("database error importing %s", source.name)
        result.outcome, result.error = "failed", f"database refused the page: {error}".splitlines()[0]
    return result


class PageWriter:
    """Writes one parsed page; caches reporters, organisations and tags across the files of one import."""

    def __init__(self, report: ImportReport, *, draft: bool):
        self.report = report
        self.draft = draft
        self._reporters: dict[tuple[str, str], Reporter] = {}
        self._organisations: dict[str, Organisation] = {}

    def gazetteer(self) -> dict[str, str]:
        """Names and aliases editors keep in the admin, mapped to full names, merged over the parser's defaults."""
        names = {name: name for name in Organisation.objects.values_list("name", flat=True)}
        names.update(dict(OrganisationAlias.objects.values_list("name", "organisation__name")))
        parsing.add_user_terms(list(names) + list(Reporter.objects.values_list("name", flat=True).distinct()))
        return names

    def write(self, source_name: str, text: str, result: FileResult) -> None:
        from .search import update_search_index

        parsed = result.page
        digest = content_hash(text)
        page = Page.objects.select_for_update().filter(content_hash=digest).first()
        if page is not None:
            result.outcome = "unchanged"
            return
        display_name = Path(source_name).name
        page = Page.objects.select_for_update().filter(source_name=display_name).first()
        result.outcome = "updated" if page else "created"
        if page is None:
            page = Page(import_ref=digest[:40], source_name=display_name)
        old_issue_id = page.issue_id
        page.issue = self._issue(parsed, page.import_ref)
        page.number = parsed.page_number
        page.banner = parsed.banner[:200]
        page.content_hash = digest
        page.encoding = result.encoding
        self._check_page_number_free(page)
        page.save()
        if old_issue_id and old_issue_id != page.issue_id:
            Issue.objects.filter(pk=old_issue_id, pages__isnull=True).delete()

        article_ids = []
        for position, parsed_article in enumerate(parsed.articles, start=1):
            article, created = self._article(page, position, parsed_article)
            article_ids.append(article.pk)
            if created:
                result.articles_created += 1
            else:
                result.articles_updated += 1
        stale = Article.objects.filter(page=page).exclude(pk__in=article_ids)
        result.articles_deleted = stale.count()
        stale.delete()
        update_search_index(article_ids)

    def _check_page_number_free(self, page: Page) -> None:
        if page.number is None:
            return
        clash = Page.objects.filter(issue=page.issue, number=page.number).exclude(pk=page.pk).first()
        if clash:
            raise ImportFailure(f"page {page.number} of {page.issue} was already imported from {clash.source_name}")

    def _issue(self, parsed: parsing.ParsedPage, page_ref: str) -> Issue:
        # An undated page is its own issue until an editor moves it.
        ref = f"date:{parsed.issue_date.isoformat()}" if parsed.issue_date else f"page:{page_ref}"
        issue, created = Issue.objects.get_or_create(
            import_ref=ref,
            defaults={
                "date": parsed.issue_date,
                "date_inferred": parsed.issue_date_inferred,
                "number": parsed.issue_number or "",
            },
        )
        if created:
            self.report.issues_created += 1
        elif issue.date_inferred and not parsed.issue_date_inferred:
            # A page that states the date confirms an issue that was only inferred.
            issue.date_inferred = False
            issue.number = issue.number or parsed.issue_number or ""
            issue.save(update_fields=["date_inferred", "number"])
            self.report.issues_updated += 1
        return issue

    def _published_at(self, issue: Issue):
        if issue.date:
            return timezone.make_aware(datetime.datetime.combine(issue.date, PRESS_TIME))
        return timezone.now()

    def _article(self, page: Page, position: int, parsed: parsing.ParsedArticle) -> tuple[Article, bool]:
        fields = {
            "issue": page.issue,
            "page": page,
            "position": position,
            "kicker": parsed.kicker or "",
            "title": parsed.title,
            "subtitle": parsed.subtitle or "",
            "dateline": parsed.dateline or "",
            "body": "\n".join(parsed.body),
            "kind": parsed.kind,
            "event_date": parsed.event_date,
        }
        ref = f"{page.import_ref}:{position}"
        article = Article.objects.filter(import_ref=ref).first()
        created = article is None
        if created:
            # Editors' publishing decisions survive a re-import; only new articles get a status here.
            article = Article(import_ref=ref)
            if self.draft:
                article.status = Article.Status.DRAFT
            else:
                article.status = Article.Status.PUBLISHED
                article.published_at = self._published_at(page.issue)
        for name, value in fields.items():
            setattr(article, name, value)
        article.save()
        self._bylines(article, parsed.people, replace=not created)
        article.organisations.set([self._organisation(name, parsed.aliases) for name in parsed.organisations])
        self._tags(article, parsed.tags)
        return article, created

    def _bylines(self, article: Article, people: list[parsing.Person], *, replace: bool) -> None:
        if replace:
            article.bylines.all().delete()
        seen = set()
        rows = []
        for order, person in enumerate(people):
            reporter = self._reporter(person)
            if (reporter.pk, person.role) in seen:
                continue
            seen.add((reporter.pk, person.role))
            rows.append(Byline(article=article, reporter=reporter, role=person.role, label=person.label, order=order))
        Byline.objects.bulk_create(rows)

    def _reporter(self, person: parsing.Person) -> Reporter:
        affiliation = person.affiliation or ""
        key = (person.name, affiliation)
        if key in self._reporters:
            return self._reporters[key]
        reporter = Reporter.objects.filter(name=person.name, affiliation=affiliation).first()
        if reporter is None:
            alias = ReporterAlias.objects.select_related("reporter").filter(name=person.name, affiliation=affiliation)
            reporter = alias.first().reporter if alias.exists() else None
        if reporter is None:
            if affiliation:
                kind = Reporter.Kind.EXTERNAL
            elif person.label.startswith("通讯员") or person.role == Byline.Role.CORRESPONDENT:
                kind = Reporter.Kind.CORRESPONDENT
            else:
                kind = Reporter.Kind.STAFF
            reporter = Reporter.objects.create(name=person.name, affiliation=affiliation, kind=kind)
            self.report.people_created += 1
        self._reporters[key] = reporter
        return reporter

    def _organisation(self, name: str, declared: dict[str, str]) -> Organisation:
        if name in self._organisations:
            return self._organisations[name]
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            alias = OrganisationAlias.objects.select_related("organisation").filter(name=name).first()
            organisation = alias.organisation if alias else None
        if organisation is None:
            organisation = Organisation.objects.create(name=name, kind=guess_organisation_kind(name))
            self.report.organisations_created += 1
            self._attach_parent(organisation)
        for short, full in declared.items():
            if full == organisation.name and short != full:
                OrganisationAlias.objects.get_or_create(name=short, defaults={"organisation": organisation})
        self._organisations[name] = organisation
        return organisation

    def _attach_parent(self, organisation: Organisation) -> None:
        # District unions sit under the municipal federation (北京市总工会), the paper's publisher.
        if organisation.kind == Organisation.Kind.DISTRICT_UNION:
            parent = Organisation.objects.filter(name="北京市总工会").first()
            if parent:
                organisation.parent = parent
                organisation.save(update_fields=["parent"])

    def _tags(self, article: Article, names: list[str]) -> None:
        article.tags.set(names, clear=True)


def guess_organisation_kind(name: str) -> str:
    """A first guess from the name's ending; editors correct it in the admin."""
    kinds = Organisation.Kind
    if name.endswith("总工会"):
        if name in {"北京市总工会", "中华全国总工会"}:
            return kinds.FEDERATION
        if any(marker in name for marker in ("区总工会", "县总工会", "开发区")):
            return kinds.DISTRICT_UNION
        return kinds.UNION
    if name.endswith(("工会", "工会联合会")):
        return kinds.UNION
    if name.endswith(("大学", "学院", "学校", "中学", "小学")):
        return kinds.SCHOOL
    if name.endswith(("集团", "公司", "分公司", "项目部", "铁矿", "厂")):
        return kinds.ENTERPRISE
    if name.endswith(("政府", "委员会", "街道", "办事处", "支队", "局", "委")):
        return kinds.GOVERNMENT
    return kinds.OTHER
