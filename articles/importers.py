"""Import newspaper page files: decode, parse, and write issues, pages, articles, bylines, organisations and tags."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import logging
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from . import parsing
from .cache import batched_bumps
from .models import (
    Article,
    Byline,
    Issue,
    Organisation,
    OrganisationAlias,
    Page,
    Reporter,
    ReporterAlias,
    readable_slug,
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
# Cached public pages are invalidated at most this often while an import runs, and once when it ends
# (cache.batched_bumps): readers see new pages within seconds, and the cache keeps serving in between.
CACHE_BUMP_SECONDS = 5.0
# Printed pages go to press in the early morning; an archive page without a time is dated then.
PRESS_TIME = datetime.time(6, 0)


class ImportFailure(Exception):
    """A file that cannot be imported; the message says why, without the file name."""


@dataclass(frozen=True)
class SourceFile:
    """A page file to import: its display name and raw bytes."""

    name: str
    data: bytes

    def read(self) -> bytes:
        return self.data


@dataclass(frozen=True)
class PathSource:
    """A page file on disk, read only when its turn comes (an archive is streamed, never loaded whole)."""

    name: str
    path: Path

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class FileResult:
    source: str
    outcome: str = ""  # created, updated, unchanged, parsed (dry run) or failed
    encoding: str = ""
    error: str = ""
    digest: str = ""
    page: parsing.ParsedPage | None = None
    articles: int = 0
    anomalies: list[str] = field(default_factory=list)
    articles_created: int = 0
    articles_updated: int = 0
    articles_deleted: int = 0
    # Articles a re-import would have deleted but kept, because the importer may not delete (allow_delete=False).
    articles_kept: list[int] = field(default_factory=list)

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
        return sum(result.articles for result in self.files)

    @property
    def anomalies(self) -> list[tuple[str, str]]:
        return [(result.source, anomaly) for result in self.files for anomaly in result.anomalies]

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

Source = SourceFile | PathSource


def collect_sources(paths: Iterable[str | Path], *, max_bytes: int, stdin=None) -> list[Source | FileResult]:
    """Expand files and folders into sources (not yet read); a path that cannot be used becomes a failed result."""
    collected: list[Source | FileResult] = []
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
            collected.extend(_checked(p, max_bytes) for p in files)
        elif path.exists():
            collected.append(_checked(path, max_bytes))
        else:
            collected.append(FileResult(raw, outcome="failed", error="no such file or folder"))
    return collected


def _checked(path: Path, max_bytes: int) -> Source | FileResult:
    try:
        size = path.stat().st_size
    except OSError as error:
        return FileResult(str(path), outcome="failed", error=f"cannot read: {error.strerror or error}")
    if size > max_bytes:
        return FileResult(str(path), outcome="failed", error=_too_big(size, max_bytes))
    return PathSource(str(path), path)


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
    allow_delete: bool = True,
    max_bytes: int | None = None,
    stdin=None,
    workers: int = 1,
    keep_pages: bool = True,
    progress: Callable[[int, int, FileResult], None] | None = None,
) -> ImportReport:
    """Import page files, one transaction per file; bad files are reported and leave nothing behind.

    With workers > 1, decoding and parsing (jieba) run in that many processes while this one writes.
    With allow_delete=False, articles a changed page no longer has are kept and listed in `articles_kept`.
    """
    max_bytes = max_bytes or max_bytes_setting()
    items = collect_sources(paths, max_bytes=max_bytes, stdin=stdin) + [_sized(s, max_bytes) for s in sources]
    report = ImportReport(dry_run=dry_run)
    if not items:
        return report
    writer = PageWriter(report, draft=draft, allow_delete=allow_delete)
    gazetteer = writer.gazetteer()
    tags_before = Tag.objects.count()
    # Pages already in the database are recognised by their hash before the costly parse, so rerunning an
    # interrupted import of a large folder goes straight to the files it had not reached. The writer checks
    # again under its lock; a dry run parses everything, as it reports the parse.
    known = frozenset() if dry_run else frozenset(Page.objects.values_list("content_hash", flat=True))
    prepared = _prepare_all(items, gazetteer, workers, known)
    with batched_bumps(CACHE_BUMP_SECONDS):
        for done, result in enumerate(prepared, start=1):
            if result.ok and result.page is not None:
                if dry_run:
                    result.outcome = "parsed"
                else:
                    _write(writer, result)
            if not keep_pages:
                result.page = None  # a large archive keeps counts and anomalies, not every parse
            report.files.append(result)
            if progress:
                progress(done, len(items), result)
    report.tags_created = Tag.objects.count() - tags_before
    return report


def prepare(item: Source | FileResult, gazetteer: Mapping[str, str], known: Collection[str] = ()) -> FileResult:
    """Read, decode and parse one source (unless its hash is `known`); pure work that may run in a worker process."""
    if isinstance(item, FileResult):
        return item
    result = FileResult(item.name)
    try:
        text, result.encoding = decode_page(item.read())
        result.digest = content_hash(text)
        if result.digest in known:
            result.outcome = "unchanged"
            return result
        page = result.page = parsing.parse_page(text, gazetteer=gazetteer)
    except OSError as error:
        result.outcome, result.error = "failed", f"cannot read: {error.strerror or error}"
        return result
    except (ImportFailure, parsing.ParseError) as error:
        result.outcome, result.error = "failed", str(error)
        return result
    result.articles = len(page.articles)
    result.anomalies = list(page.anomalies) + [
        f"《{article.title}》{anomaly}" for article in page.articles for anomaly in article.anomalies
    ]
    return result


def _prepare_all(
    items: list, gazetteer: Mapping[str, str], workers: int, known: frozenset[str]
) -> Iterator[FileResult]:
    if workers <= 1 or len(items) < 2:
        return (prepare(item, gazetteer, known) for item in items)
    return _prepare_in_parallel(items, gazetteer, workers, known)


_worker_gazetteer: Mapping[str, str] = {}
_worker_known: frozenset[str] = frozenset()


def _init_worker(gazetteer: Mapping[str, str], user_terms: list[str], known: frozenset[str]) -> None:
    global _worker_gazetteer, _worker_known
    _worker_gazetteer, _worker_known = gazetteer, known
    parsing.add_user_terms(user_terms)


def _prepare_in_worker(item) -> FileResult:
    return prepare(item, _worker_gazetteer, _worker_known)


def _prepare_in_parallel(
    items: list, gazetteer: Mapping[str, str], workers: int, known: frozenset[str]
) -> Iterator[FileResult]:
    """Parse in `workers` processes, in order, with a bounded window so parsed pages never pile up in memory."""
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    user_terms = list(gazetteer) + list(Reporter.objects.values_list("name", flat=True).distinct())
    # The children must not share this process's database connection.
    connections.close_all()
    window = workers * 4
    with context.Pool(workers, initializer=_init_worker, initargs=(dict(gazetteer), user_terms, known)) as pool:
        pending: deque = deque()
        queue = iter(items)
        for item in islice(queue, window):
            pending.append(pool.apply_async(_prepare_in_worker, (item,)))
        while pending:
            result = pending.popleft().get()
            for item in islice(queue, 1):
                pending.append(pool.apply_async(_prepare_in_worker, (item,)))
            yield result


def _write(writer: PageWriter, result: FileResult) -> None:
    try:
        with transaction.atomic():
            writer.write(result)
    except ImportFailure as error:
        result.outcome, result.error = "failed", str(error)
    except (IntegrityError, DatabaseError) as error:
        logger.exception("database error importing %s", result.source)
        result.outcome, result.error = "failed", f"database refused the page: {error}".splitlines()[0]
    if not result.ok:
        result.articles_created = result.articles_updated = result.articles_deleted = 0
        result.articles_kept = []
        writer.forget()


@dataclass
class ArticleLinks:
    """One article's people (reporter, as credited, byline order), organisation ids and tag ids."""

    bylines: list[tuple[Reporter, parsing.Person, int]] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    tag_ids: list[int] = field(default_factory=list)

    @property
    def people(self) -> list[str]:
        """One name per byline, as the index lists them."""
        return [reporter.name for reporter, _, _ in self.bylines]


# Serialises page writes across processes on PostgreSQL, so two imports of one folder never race to create
# the same page, person, organisation or tag (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS).
IMPORT_LOCK_KEY = 0x6E657773  # "news"


class PageWriter:
    """Writes one parsed page in a fixed number of batched queries; caches people, organisations and tags."""

    def __init__(self, report: ImportReport, *, draft: bool, allow_delete: bool = True):
        self.report = report
        self.draft = draft
        self.allow_delete = allow_delete
        self.forget()

    def forget(self) -> None:
        """Drop the caches (after a rolled-back file, whose new rows no longer exist)."""
        self._reporters: dict[tuple[str, str], Reporter] = {}
        self._organisations: dict[str, Organisation] = {}
        self._tags: dict[str, int] = {}
        self._tag_slugs: set[str] | None = None
        self._issues: dict[str, Issue] = {}
        # Short names already stored as an alias (of whichever organisation): asked of the database once each.
        self._aliases: set[str] = set()

    def gazetteer(self) -> dict[str, str]:
        """Names and aliases editors keep in the admin, mapped to full names, merged over the parser's defaults."""
        names = {name: name for name in Organisation.objects.values_list("name", flat=True)}
        names.update(dict(OrganisationAlias.objects.values_list("name", "organisation__name")))
        parsing.add_user_terms(list(names) + list(Reporter.objects.values_list("name", flat=True).distinct()))
        return names

    def write(self, result: FileResult) -> None:
        from .cache import bump_content_version
        from .search import (
            IndexSource,
            entries_in_row,
            index_articles,
            index_updates_deferred,
            mark_indexed,
            prepare_entries,
            update_search_index,
        )

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        parsed = result.page
        if Page.objects.filter(content_hash=result.digest).exists():
            result.outcome = "unchanged"
            return
        display_name = Path(result.source).name
        page = Page.objects.select_for_update().filter(source_name=display_name).first()
        result.outcome = "updated" if page else "created"
        if page is None:
            page = Page(import_ref=result.digest[:40], source_name=display_name)
        old_issue_id = page.issue_id
        page.issue = self._issue(parsed, page.import_ref)
        page.number = parsed.page_number
        page.banner = parsed.banner[:200]
        page.content_hash = result.digest
        page.encoding = result.encoding
        self._check_page_number_free(page)
        page.save()
        if old_issue_id and old_issue_id != page.issue_id:
            Issue.objects.filter(pk=old_issue_id, pages__isnull=True).delete()

        bump_content_version()  # bulk writes send no signals
        with index_updates_deferred() as touched:
            links = self._resolve_links(parsed.articles)
            articles, new, stale = self._articles(page, parsed.articles, result)
            # The parse's own words go to the index, so each article is segmented once (docs/search.md).
            sources = [
                IndexSource.of(
                    article,
                    tags=parsed_article.tags,
                    people=link.people,
                    organisation_ids=link.organisation_ids,
                    segmented=parsed_article.tokens,
                )
                for article, parsed_article, link in zip(articles, parsed.articles, links, strict=True)
            ]
            prepare_entries(sources)
            in_row = entries_in_row()
            if in_row:
                # New rows carry their index entry in the INSERT instead of being written twice.
                for article, source in zip(articles, sources, strict=True):
                    if article.pk is None:
                        article.search_document, article.search_vector = source.prepared[:2]
            self._save_articles(articles, new, stale, result)
            self._write_links(articles, links, replace=result.outcome == "updated")
        for article, source in zip(articles, sources, strict=True):
            source.pk = article.pk
        stored = {article.pk for article in new} if in_row else set()
        index_articles(source for source in sources if source.pk not in stored)
        mark_indexed(stored)
        gone = touched - {article.pk for article in articles}
        if gone:
            update_search_index(gone)  # rows of articles the new text no longer has, or whose names changed

    def _check_page_number_free(self, page: Page) -> None:
        if page.number is None:
            return
        clash = Page.objects.filter(issue=page.issue, number=page.number).exclude(pk=page.pk).first()
        if clash:
            raise ImportFailure(f"page {page.number} of {page.issue} was already imported from {clash.source_name}")

    def _issue(self, parsed: parsing.ParsedPage, page_ref: str) -> Issue:
        # An undated page is its own issue until an editor moves it.
        ref = f"date:{parsed.issue_date.isoformat()}" if parsed.issue_date else f"page:{page_ref}"
        issue = self._issues.get(ref)
        if issue is None:
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
            self._issues[ref] = issue
        if issue.date_inferred and not parsed.issue_date_inferred:
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

    def _articles(
        self, page: Page, parsed_articles: list[parsing.ParsedArticle], result: FileResult
    ) -> tuple[list[Article], list[Article], list[Article]]:
        """The page's articles in print order, filled in but not saved; which of them are new; which are gone."""
        existing = {}
        if result.outcome == "updated":
            existing = {article.import_ref: article for article in Article.objects.filter(page=page)}
        now = timezone.now()
        new, ordered = [], []
        for position, parsed in enumerate(parsed_articles, start=1):
            ref = f"{page.import_ref}:{position}"
            article = existing.pop(ref, None)
            if article is None:
                # Editors' publishing decisions survive a re-import; only new articles get a status here.
                article = Article(import_ref=ref, created_at=now)
                if self.draft:
                    article.status = Article.Status.DRAFT
                else:
                    article.status = Article.Status.PUBLISHED
                    article.published_at = self._published_at(page.issue)
                new.append(article)
            article.issue = page.issue
            article.page = page
            article.position = position
            article.kicker = parsed.kicker or ""
            article.title = parsed.title
            article.subtitle = parsed.subtitle or ""
            article.dateline = parsed.dateline or ""
            article.body = "\n".join(parsed.body)
            article.kind = parsed.kind
            article.event_date = parsed.event_date
            article.slug = readable_slug(parsed.title, fallback="article")
            article.updated_at = now
            ordered.append(article)
        return ordered, new, list(existing.values())

    def _save_articles(
        self, articles: list[Article], new: list[Article], gone: list[Article], result: FileResult
    ) -> None:
        changed = [article for article in articles if article.pk is not None]
        # bulk_create skips save(); the fields save() would derive are set in _articles.
        Article.objects.bulk_create(new)
        if changed:
            Article.objects.bulk_update(changed, UPDATED_FIELDS)
        stale = [article.pk for article in gone]
        if stale and not self.allow_delete:
            result.articles_kept, stale = stale, []
        if stale:
            Article.objects.filter(pk__in=stale).delete()
        result.articles_created, result.articles_updated, result.articles_deleted = len(new), len(changed), len(stale)

    def _resolve_links(self, parsed_articles: list[parsing.ParsedArticle]) -> list[ArticleLinks]:
        """Each article's people, organisations and tags as rows (created when new), before the articles are saved."""
        tag_ids = self._tag_ids({name for parsed in parsed_articles for name in parsed.tags})
        resolved = []
        for parsed in parsed_articles:
            links = ArticleLinks()
            seen = set()
            for order, person in enumerate(parsed.people):
                reporter = self._reporter(person)
                if (reporter.pk, person.role) not in seen:
                    seen.add((reporter.pk, person.role))
                    links.bylines.append((reporter, person, order))
            organisations = {self._organisation(name, parsed.aliases).pk for name in parsed.organisations}
            links.organisation_ids = sorted(organisations)
            links.tag_ids = sorted({tag_ids[self._tag_key(name)] for name in parsed.tags})
            resolved.append(links)
        return resolved

    def _write_links(self, articles: list[Article], links: list[ArticleLinks], *, replace: bool) -> None:
        """Bylines, organisation links and tags of the saved articles, one batch each."""
        through_orgs = Article.organisations.through
        content_type = self._content_type()
        if replace:
            ids = [article.pk for article in articles]
            Byline.objects.filter(article_id__in=ids).delete()
            through_orgs.objects.filter(article_id__in=ids).delete()
            TaggedItem.objects.filter(content_type=content_type, object_id__in=ids).delete()
        bylines, org_links, tag_links = [], [], []
        for article, link in zip(articles, links, strict=True):
            bylines += [
                Byline(article=article, reporter=reporter, role=person.role, label=person.label, order=order)
                for reporter, person, order in link.bylines
            ]
            org_links += [through_orgs(article_id=article.pk, organisation_id=pk) for pk in link.organisation_ids]
            tag_links += [TaggedItem(content_type=content_type, object_id=article.pk, tag_id=pk) for pk in link.tag_ids]
        Byline.objects.bulk_create(bylines)
        through_orgs.objects.bulk_create(org_links)
        TaggedItem.objects.bulk_create(tag_links)

    @staticmethod
    def _content_type():
        return ContentType.objects.get_for_model(Article)

    @staticmethod
    def _tag_key(name: str) -> str:
        # TAGGIT_CASE_INSENSITIVE: "AED" and "aed" are one tag.
        return name.lower()

    def _tag_ids(self, names: set[str]) -> dict[str, int]:
        """Ids of these tags, creating the missing ones in one batch."""
        missing = {self._tag_key(name): name for name in names if self._tag_key(name) not in self._tags}
        if missing:
            for pk, name in Tag.objects.filter(name__in=list(missing.values())).values_list("pk", "name"):
                self._tags[self._tag_key(name)] = pk
            cased = {key: name for key, name in missing.items() if key not in self._tags and name.upper() != key}
            if cased:
                for pk, name in Tag.objects.filter(name__iregex=_iregex(cased)).values_list("pk", "name"):
                    self._tags.setdefault(self._tag_key(name), pk)
            fresh = [name for key, name in missing.items() if key not in self._tags]
            if fresh:
                if self._tag_slugs is None:
                    self._tag_slugs = set(Tag.objects.values_list("slug", flat=True))
                created = []
                for name in fresh:
                    slug = base = readable_slug(name, fallback="tag")
                    n = 1
                    while slug in self._tag_slugs:
                        slug, n = f"{base}_{n}", n + 1
                    self._tag_slugs.add(slug)
                    created.append(Tag(name=name, slug=slug))
                for tag in Tag.objects.bulk_create(created):
                    self._tags[self._tag_key(tag.name)] = tag.pk
        return {self._tag_key(name): self._tags[self._tag_key(name)] for name in names}

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
            if full == organisation.name and short != full and short not in self._aliases:
                OrganisationAlias.objects.get_or_create(name=short, defaults={"organisation": organisation})
                self._aliases.add(short)
        self._organisations[name] = organisation
        return organisation

    def _attach_parent(self, organisation: Organisation) -> None:
        # District unions sit under the municipal federation (北京市总工会), the paper's publisher.
        if organisation.kind == Organisation.Kind.DISTRICT_UNION:
            parent = Organisation.objects.filter(name="北京市总工会").first()
            if parent:
                organisation.parent = parent
                organisation.save(update_fields=["parent"])


UPDATED_FIELDS = [
    "issue",
    "page",
    "position",
    "kicker",
    "title",
    "subtitle",
    "dateline",
    "body",
    "kind",
    "event_date",
    "slug",
    "updated_at",
]


def _iregex(names: Mapping[str, str]) -> str:
    """A case-insensitive exact match for any of these names (only Latin letters have case)."""
    return "^(" + "|".join(re.escape(name) for name in names.values()) + ")$"


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
