"""Import newspaper page files: decode, parse, and write issues, pages, articles, bylines, organisations and tags."""

from __future__ import annotations

import codecs
import datetime
import difflib
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
from django.db.models import Count
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
from .parsing.places import Place, place_from_path

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
# Two articles are one story in two versions of a page when their headings and opening are this similar
# (difflib ratio over kicker, title, subtitle and the first paragraph's start; 1.0 for equal titles).
MATCH_THRESHOLD = 0.6
MATCH_OPENING_CHARS = 120
# The two parts of a continued story need this title similarity when the other page has several candidates.
CONTINUATION_THRESHOLD = 0.5


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
    place: Place = field(default_factory=Place)
    # What an editor should look at: kept hand-edited articles, removed or kept stories, a likely earlier version.
    notes: list[str] = field(default_factory=list)
    # Articles a re-import would have deleted but kept, because the importer may not delete (allow_delete=False).
    articles_kept: list[int] = field(default_factory=list)
    # Index entries built with the parse, one per article of `page` (None: the writer builds them).
    entries: list | None = None

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
    # Index entries the writer built itself: names it resolved differ from what the parse side knew.
    entries_rebuilt: int = 0

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

    @property
    def notes(self) -> list[tuple[str, str]]:
        return [(result.source, note) for result in self.files for note in result.notes]

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
            # Archives keep one folder per day (2023-03-01/01.txt): the whole tree is read, its paths kept.
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
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
    Stories that vanish from a replaced page are deleted only with allow_delete (the delete permission).
    With allow_delete=False, articles a changed page no longer has are kept and listed in `articles_kept`.
    """
    max_bytes = max_bytes or max_bytes_setting()
    items = collect_sources(paths, max_bytes=max_bytes, stdin=stdin) + [_sized(s, max_bytes) for s in sources]
    report = ImportReport(dry_run=dry_run)
    if not items:
        return report
    writer = PageWriter(report, draft=draft, allow_delete=allow_delete)
    gazetteer = writer.gazetteer()
    known_people = writer.known_people()
    tags_before = Tag.objects.count()
    # Pages already in the database are recognised by their hash before the costly parse, so rerunning an
    # interrupted import of a large folder goes straight to the files it had not reached. The writer checks
    # again under its lock; a dry run parses everything, as it reports the parse.
    known = frozenset() if dry_run else frozenset(Page.objects.values_list("content_hash", flat=True))
    knowledge = ParseKnowledge(gazetteer, known, known_people, None if dry_run else IndexNames.load(gazetteer))
    prepared = _prepare_all(items, knowledge, workers)
    with batched_bumps(CACHE_BUMP_SECONDS):
        try:
            for done, result in enumerate(prepared, start=1):
                if result.ok and result.page is not None:
                    if dry_run:
                        result.outcome = "parsed"
                    else:
                        _write(writer, result)
                result.entries = None
                if not keep_pages:
                    result.page = None  # a large archive keeps counts and anomalies, not every parse
                report.files.append(result)
                if progress:
                    progress(done, len(items), result)
        finally:
            # Also when an error ends the run: the aliases the written files added reach their older articles.
            writer.reindex_named()
            if not dry_run:
                from . import subject_facets
                from .search import fold_term_changes

                fold_term_changes()  # the kept words' counts take in what this import changed
                subject_facets.drop_stale()  # and the subjects' kept facets it changed are removed
    report.tags_created = Tag.objects.count() - tags_before
    return report


@dataclass(frozen=True)
class ParseKnowledge:
    """What parsing needs of the database, read once at the start of an import and handed to the parse workers."""

    # Names and aliases editors keep, mapped to full names (PageWriter.gazetteer()).
    gazetteer: Mapping[str, str]
    # Content hashes of the pages already imported: those files are not parsed again.
    known: Collection[str] = frozenset()
    # Names of the people already in the database, to cut names run together (PageWriter.known_people()).
    known_people: Collection[str] = frozenset()
    # With names, each article's index entry is built with the parse (FileResult.entries); the writer stores it.
    names: IndexNames | None = None


def prepare(item: Source | FileResult, knowledge: ParseKnowledge) -> FileResult:
    """Read, decode and parse one source (unless its hash is known); pure work that may run in a worker process."""
    if isinstance(item, FileResult):
        return item
    result = FileResult(item.name)
    try:
        text, result.encoding = decode_page(item.read())
        result.digest = content_hash(text)
        if result.digest in knowledge.known:
            result.outcome = "unchanged"
            return result
        page = result.page = parsing.parse_page(
            text, gazetteer=knowledge.gazetteer, known_people=knowledge.known_people
        )
        _refuse_blank_titles(page)
    except OSError as error:
        result.outcome, result.error = "failed", f"cannot read: {error.strerror or error}"
        return result
    except (ImportFailure, parsing.ParseError) as error:
        result.outcome, result.error = "failed", str(error)
        return result
    result.articles = len(page.articles)
    if knowledge.names is not None:
        result.entries = knowledge.names.entries(page)
    result.place = page_place(page, item.name)
    result.anomalies = list(page.anomalies) + [
        f"《{article.title}》{anomaly}" for article in page.articles for anomaly in article.anomalies
    ]
    return result


def page_place(page: parsing.ParsedPage, source: str) -> Place:
    """Issue date and page number: what the page's text states, else what its path states (docs/parsing.md)."""
    from_path = place_from_path(source) if source != STDIN_NAME else Place()
    stated = page.issue_date if page.issue_date and not page.issue_date_inferred else None
    return Place(date=stated or from_path.date, page=page.page_number or from_path.page)


def _refuse_blank_titles(page: parsing.ParsedPage) -> None:
    for number, article in enumerate(page.articles, start=1):
        if not article.title.strip(" \t\r\n\f\v\u3000"):
            opening = "".join(article.body)[:20] or (article.dateline or "")[:20]
            raise ImportFailure(
                f"article {number} of {len(page.articles)} has an empty title (its text begins 「{opening}」); "
                "nothing was imported from this file"
            )


def _prepare_all(items: list, knowledge: ParseKnowledge, workers: int) -> Iterator[FileResult]:
    if workers <= 1 or len(items) < 2:
        return (prepare(item, knowledge) for item in items)
    return _prepare_in_parallel(items, knowledge, workers)


_worker_knowledge = ParseKnowledge(gazetteer={})


def _init_worker(knowledge: ParseKnowledge, user_terms: list[str]) -> None:
    global _worker_knowledge
    _worker_knowledge = knowledge
    parsing.add_user_terms(user_terms)


def _prepare_in_worker(item) -> FileResult:
    return prepare(item, _worker_knowledge)


def _prepare_in_parallel(items: list, knowledge: ParseKnowledge, workers: int) -> Iterator[FileResult]:
    """Parse in `workers` processes, in order, with a bounded window so parsed pages never pile up in memory."""
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    user_terms = list(knowledge.gazetteer) + list(Reporter.objects.values_list("name", flat=True).distinct())
    # The children must not share this process's database connection.
    connections.close_all()
    window = workers * 4
    with context.Pool(workers, initializer=_init_worker, initargs=(knowledge, user_terms)) as pool:
        pending: deque = deque()
        queue = iter(items)
        for item in islice(queue, window):
            pending.append(pool.apply_async(_prepare_in_worker, (item,)))
        while pending:
            result = pending.popleft().get()
            for item in islice(queue, 1):
                pending.append(pool.apply_async(_prepare_in_worker, (item,)))
            yield result


@dataclass
class IndexNames:
    """The parse side's copy of the names an index entry lists, to build entries where the page is parsed.

    It resolves a page's people and organisations as PageWriter does, from the rows at the start of the import
    plus the aliases the pages it has parsed declare (the writer creates those). Whatever it gets wrong (a page
    another worker parsed declared an alias, another process added a name) the writer notices by the entry's
    fingerprint and builds that entry itself.
    """

    # Every organisation name and alias -> the organisation's name (PageWriter.gazetteer()).
    organisations: dict[str, str]
    # An organisation's name -> its aliases.
    aliases: dict[str, list[str]]
    # A reporter alias's (name, affiliation) -> the reporter's, where no reporter has that name and affiliation.
    people: dict[tuple[str, str], tuple[str, str]]
    # Names resolved during this import: PageWriter takes a page's alias declarations at a name's first resolution.
    seen: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, gazetteer: Mapping[str, str]) -> IndexNames:
        """The names as the database holds them now."""
        aliases: dict[str, list[str]] = {}
        for alias, name in OrganisationAlias.objects.values_list("name", "organisation__name"):
            aliases.setdefault(name, []).append(alias)
        own = set(Reporter.objects.values_list("name", "affiliation"))
        rows = ReporterAlias.objects.values_list("name", "affiliation", "reporter__name", "reporter__affiliation")
        people = {(name, where): (reporter, at) for name, where, reporter, at in rows if (name, where) not in own}
        return cls(organisations=dict(gazetteer), aliases=aliases, people=people)

    def entries(self, page: parsing.ParsedPage) -> list:
        """Each article's index entry (search.PreparedEntry), after learning the aliases the page declares."""
        from .search import IndexSource

        alias_names = {alias for aliases in self.aliases.values() for alias in aliases}
        linked = []
        for parsed in page.articles:
            names = []
            for name in parsed.organisations:
                full = self.organisations.setdefault(name, name)
                if name not in self.seen:
                    self.seen.add(name)
                    for short, declared in parsed.aliases.items():
                        if declared == full and short != full and short not in alias_names:
                            alias_names.add(short)
                            self.aliases.setdefault(full, []).append(short)
                            self.organisations.setdefault(short, full)
                names.append(full)
            linked.append(dict.fromkeys(names))
        entries = []
        for parsed, names in zip(page.articles, linked, strict=True):
            seen, people = set(), []
            for person in parsed.people:
                reporter = (person.name, person.affiliation or "")
                reporter = self.people.get(reporter, reporter)
                if (reporter, person.role) not in seen:
                    seen.add((reporter, person.role))
                    people.append(reporter[0])
            source = IndexSource(
                pk=0,
                title=parsed.title,
                kicker=parsed.kicker or "",
                subtitle=parsed.subtitle or "",
                dateline=parsed.dateline or "",
                body="\n".join(parsed.body),
                tags=parsed.tags,
                people=people,
                organisations=[(full, self.aliases.get(full, ())) for full in names],
                segmented=parsed.tokens,
            )
            entries.append(source.entry())
        return entries


def _write(writer: PageWriter, result: FileResult) -> None:
    try:
        with transaction.atomic():
            writer.write(result)
        writer.committed()
    except ImportFailure as error:
        result.outcome, result.error = "failed", str(error)
    except (IntegrityError, DatabaseError) as error:
        logger.exception("database error importing %s", result.source)
        result.outcome, result.error = "failed", f"database refused the page: {error}".splitlines()[0]
    if not result.ok:
        result.articles_created = result.articles_updated = result.articles_deleted = 0
        result.notes = []
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


@dataclass
class ArticlePlan:
    """What an import does to a page's articles: create, update, keep (edited by hand) or remove."""

    written: list[tuple[Article, parsing.ParsedArticle]] = field(default_factory=list)
    new: list[Article] = field(default_factory=list)
    changed: list[Article] = field(default_factory=list)
    kept: list[Article] = field(default_factory=list)
    gone: list[Article] = field(default_factory=list)


# Serialises page writes across processes on PostgreSQL, so two imports of one folder never race to create
# the same page, person, organisation or tag (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS).
IMPORT_LOCK_KEY = 0x6E657773  # "news"


class PageWriter:
    """Writes one parsed page in a fixed number of batched queries; caches people, organisations and tags."""

    def __init__(self, report: ImportReport, *, draft: bool, allow_delete: bool = True):
        self.report = report
        self.draft = draft
        self.allow_delete = allow_delete
        # Articles whose organisations gained an alias in a committed file (reindexed at the end of the import).
        self._named: set[int] = set()
        self.forget()

    def committed(self) -> None:
        """The file just written is committed: its alias re-index joins the import's."""
        self._named = (self._named | self._named_pending) - self._written
        self._named_pending, self._written = set(), set()

    def reindex_named(self) -> int:
        """Reindex, once for the whole import, the articles whose organisations gained aliases; batches commit."""
        from .cache import LISTS, bump_keys
        from .search import BATCH_SIZE, update_search_index

        ids, self._named = sorted(self._named), set()
        indexed = 0
        for start in range(0, len(ids), BATCH_SIZE):
            with transaction.atomic():
                indexed += update_search_index(ids[start : start + BATCH_SIZE])
        if indexed:
            bump_keys([LISTS])  # what searches find changed; the articles' own pages did not
        return indexed

    def forget(self) -> None:
        """Drop the caches (after a rolled-back file, whose new rows no longer exist)."""
        self._reporters: dict[tuple[str, str], Reporter] = {}
        self._organisations: dict[str, Organisation] = {}
        self._tags: dict[str, int] = {}
        self._tag_slugs: set[str] | None = None
        self._issues: dict[str, Issue] = {}
        # Short names already stored as an alias (of whichever organisation): asked of the database once each.
        self._aliases: set[str] = set()
        # The current page's organisation names looked up in one go (_look_up_organisations).
        self._found: dict[str, Organisation | None] = {}
        # The file being written: articles whose organisations gained an alias, and the articles it wrote.
        self._named_pending: set[int] = set()
        self._written: set[int] = set()

    def gazetteer(self) -> dict[str, str]:
        """Names and aliases editors keep in the admin, mapped to full names, merged over the parser's defaults."""
        names = {name: name for name in Organisation.objects.values_list("name", flat=True)}
        names.update(dict(OrganisationAlias.objects.values_list("name", "organisation__name")))
        parsing.add_user_terms(list(names) + list(Reporter.objects.values_list("name", flat=True).distinct()))
        return names

    @staticmethod
    def known_people() -> frozenset[str]:
        """Names of the people already in the database (reporters and their aliases), to cut names run together."""
        names = set(Reporter.objects.values_list("name", flat=True))
        names.update(ReporterAlias.objects.values_list("name", flat=True))
        return frozenset(names)

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
        place = result.place
        # A page is its text and its place; only a page at the same known place (date and number) is replaced.
        page = None
        if place.known:
            page = (
                Page.objects.select_for_update()
                .select_related("issue")
                .filter(issue__date=place.date, number=place.page)
                .order_by("pk")
                .first()
            )
        result.outcome = "updated" if page else "created"
        if page is not None:
            self._confirm_date(page.issue, parsed)
        else:
            page = Page(import_ref=result.digest[:40], number=place.page)
            page.issue = self._issue(parsed, place, page.import_ref)
            if not place.known:
                self._note_earlier_version(parsed, result)
                self._leave_taken_number(page, result)
        page.source_name = result.source[-255:]
        page.banner = parsed.banner[:200]
        page.header_text = "\n".join(parsed.header_lines)
        page.unassigned_text = "\n".join(parsed.unassigned)
        page.content_hash = result.digest
        page.encoding = result.encoding
        page.save()

        bump_content_version()  # bulk writes send no signals
        with index_updates_deferred() as touched:
            plan = self._articles(page, parsed.articles, result)
            written = plan.written
            links = self._resolve_links([parsed_article for _, parsed_article in written])
            articles = [article for article, _ in written]
            # The parse's own words go to the index, so each article is segmented once (docs/search.md).
            sources = [
                IndexSource.of(
                    article,
                    tags=parsed_article.tags,
                    people=link.people,
                    organisation_ids=link.organisation_ids,
                    segmented=parsed_article.tokens,
                )
                for (article, parsed_article), link in zip(written, links, strict=True)
            ]
            # Entries built with the parse are used where their fingerprints match the names resolved here.
            ahead = dict(zip(map(id, parsed.articles), result.entries or (), strict=False))
            self.report.entries_rebuilt += prepare_entries(sources, [ahead.get(id(p)) for _, p in written])
            in_row = entries_in_row()
            if in_row:
                # New rows carry their index entry in the INSERT instead of being written twice.
                for article, source in zip(articles, sources, strict=True):
                    if article.pk is None:
                        article.search_document, article.search_vector = source.prepared[:2]
            self._save_articles(plan, result)
            self._write_links(articles, links, replace=result.outcome == "updated")
            self._link_continuations(page, articles)
        for article, source in zip(articles, sources, strict=True):
            source.pk = article.pk
        stored = {article.pk for article in plan.new} if in_row else set()
        index_articles(source for source in sources if source.pk not in stored)
        mark_indexed(stored)
        self._written = {article.pk for article in articles}  # with every alias their organisations have now
        gone = touched - self._written
        if gone:
            update_search_index(gone)  # rows of articles the new text no longer has

    def _leave_taken_number(self, page: Page, result: FileResult) -> None:
        """A page of unknown place whose number is taken in its issue is stored without one: it replaces nothing."""
        if page.number is None:
            return
        clash = Page.objects.filter(issue=page.issue, number=page.number).first()
        if clash:
            result.notes.append(
                f"page {page.number} of {page.issue} is already {clash.source_name or f'page #{clash.pk}'}; "
                "this page's date is not known, so it was stored without a page number"
            )
            page.number = None

    def _note_earlier_version(self, parsed: parsing.ParsedPage, result: FileResult) -> None:
        """Name the stored page that shares most of these headlines: an editor decides which version to keep."""
        titles = {article.title for article in parsed.articles}
        row = (
            Article.objects.filter(title__in=titles, page__isnull=False)
            .values("page_id")
            .annotate(shared=Count("pk"))
            .order_by("-shared", "-page_id")
            .first()
        )
        if row and row["shared"] * 2 >= len(titles):
            earlier = Page.objects.select_related("issue").get(pk=row["page_id"])
            result.notes.append(
                f"looks like a new version of page #{earlier.pk} {earlier} ({earlier.source_name}): "
                f"{row['shared']} of {len(titles)} headlines are the same; its place (date and page number) "
                "is not known, so it was imported as a new page — an editor decides which to keep"
            )

    def _issue(self, parsed: parsing.ParsedPage, place: Place, page_ref: str) -> Issue:
        # A date from the text or the path places the page; an undated page is its own issue until an editor
        # moves it. A date read from a path or inferred from articles waits for an editor's confirmation.
        date = place.date or parsed.issue_date
        stated = date is not None and not parsed.issue_date_inferred and parsed.issue_date == date
        ref = f"date:{date.isoformat()}" if date else f"page:{page_ref}"
        issue = self._issues.get(ref)
        if issue is None:
            issue, created = Issue.objects.get_or_create(
                import_ref=ref,
                defaults={"date": date, "date_inferred": not stated, "number": parsed.issue_number or ""},
            )
            if created:
                self.report.issues_created += 1
            self._issues[ref] = issue
        self._confirm_date(issue, parsed)
        return issue

    def _confirm_date(self, issue: Issue, parsed: parsing.ParsedPage) -> None:
        """A page that states its issue's date confirms an issue whose date was only inferred."""
        if issue.date_inferred and not parsed.issue_date_inferred and parsed.issue_date == issue.date:
            issue.date_inferred = False
            issue.number = issue.number or parsed.issue_number or ""
            issue.save(update_fields=["date_inferred", "number"])
            self.report.issues_updated += 1

    def _published_at(self, issue: Issue):
        if issue.date:
            return timezone.make_aware(datetime.datetime.combine(issue.date, PRESS_TIME))
        return timezone.now()

    def _articles(self, page: Page, parsed_articles: list[parsing.ParsedArticle], result: FileResult) -> ArticlePlan:
        """The page's articles matched by content to the stored ones, filled in but not saved."""
        plan = ArticlePlan()
        existing = list(Article.objects.filter(page=page)) if result.outcome == "updated" else []
        matches = match_articles(existing, parsed_articles)
        taken_refs = {article.import_ref for article in existing}
        if existing:
            # Refs of this page's articles that an editor moved elsewhere are taken too.
            taken_refs |= set(
                Article.objects.filter(import_ref__startswith=f"{page.import_ref}:").values_list(
                    "import_ref", flat=True
                )
            )
        now = timezone.now()
        for position, parsed in enumerate(parsed_articles, start=1):
            article = matches.get(position - 1)
            if article is not None and article.edited_by_hand:
                # The editor's version stays; the imported text waits beside it for review.
                article.pending_import = pending_import(parsed)
                article.pending_import_at = now
                article.import_key = import_key(parsed)
                plan.kept.append(article)
                result.notes.append(f"kept editor's version of 《{article.title}》; the imported text awaits review")
                continue
            if article is None:
                # Editors' publishing decisions survive a re-import; only new articles get a status here.
                article = Article(import_ref=_free_ref(page.import_ref, position, taken_refs), created_at=now)
                if self.draft:
                    article.status = Article.Status.DRAFT
                else:
                    article.status = Article.Status.PUBLISHED
                    article.published_at = self._published_at(page.issue)
                plan.new.append(article)
            else:
                plan.changed.append(article)
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
            article.credits = "\n".join(parsed.credits)
            article.editor_note = parsed.editor_note or ""
            article.continued_from_page = parsed.continued_from
            article.continues_on_page = parsed.continues_on
            article.slug = readable_slug(parsed.title, fallback="article")
            article.import_key = import_key(parsed)
            article.updated_at = now
            plan.written.append((article, parsed))
        matched = {article.pk for article in matches.values()}
        for article in existing:
            if article.pk in matched:
                continue
            if article.edited_by_hand:
                result.notes.append(f"kept 《{article.title}》, edited by hand, which the new page no longer has")
            elif self.allow_delete:
                plan.gone.append(article)
                result.notes.append(f"removed 《{article.title}》, which the new page no longer has")
            else:
                result.articles_kept.append(article.pk)
                result.notes.append(
                    f"kept 《{article.title}》, which the new page no longer has "
                    "(removing it needs the delete permission)"
                )
        return plan

    def _save_articles(self, plan: ArticlePlan, result: FileResult) -> None:
        # bulk_create skips save(); the fields save() would derive are set in _articles.
        Article.objects.bulk_create(plan.new)
        if plan.changed:
            Article.objects.bulk_update(plan.changed, UPDATED_FIELDS)
        if plan.kept:
            Article.objects.bulk_update(plan.kept, ["pending_import", "pending_import_at", "import_key"])
        stale = [article.pk for article in plan.gone]
        if stale:
            from .cache import invalidate_articles

            invalidate_articles(stale)  # their own pages go too, not only the page they were on
            Article.objects.filter(pk__in=stale).delete()
        result.articles_created, result.articles_updated = len(plan.new), len(plan.changed)
        result.articles_deleted = len(stale)

    def _link_continuations(self, page: Page, articles: list[Article]) -> None:
        """Link the two parts of a story printed on two pages of one issue, whichever page came first."""
        if page.number is None:
            return
        for article in articles:
            if article.continuation_id is not None:
                continue
            if article.continues_on_page:
                other_part = {"page__number": article.continues_on_page, "continued_from_page": page.number}
            elif article.continued_from_page:
                other_part = {"page__number": article.continued_from_page, "continues_on_page": page.number}
            else:
                continue
            candidates = list(
                Article.objects.filter(issue_id=page.issue_id, continuation__isnull=True, **other_part).only(
                    "pk", "title", "continuation"
                )
            )
            other = _closest_title(article.title, candidates)
            if other is not None:
                article.continuation, other.continuation = other, article
                Article.objects.filter(pk=article.pk).update(continuation=other)
                Article.objects.filter(pk=other.pk).update(continuation=article)

    def _resolve_links(self, parsed_articles: list[parsing.ParsedArticle]) -> list[ArticleLinks]:
        """Each article's people, organisations and tags as rows (created when new), before the articles are saved."""
        tag_ids = self._tag_ids({name for parsed in parsed_articles for name in parsed.tags})
        self._look_up_organisations({name for parsed in parsed_articles for name in parsed.organisations})
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
        from .search import index_updates_deferred

        if name in self._organisations:
            return self._organisations[name]
        if name in self._found and (self._found[name] is not None or name not in self._aliases):
            organisation = self._found[name]
        else:
            # Not looked up with the page, or an alias this import may have added since.
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
                # The articles already naming the organisation need the alias in their entries: they are
                # reindexed once at the end of the import (reindex_named), not with each page adding one.
                with index_updates_deferred(propagate=False) as named:
                    OrganisationAlias.objects.get_or_create(name=short, defaults={"organisation": organisation})
                self._named_pending |= named
                self._aliases.add(short)
        self._organisations[name] = organisation
        return organisation

    def _look_up_organisations(self, names: set[str]) -> None:
        """The page's organisation names not met before, found by name or alias in two queries (None: not found)."""
        wanted = [name for name in names if name not in self._organisations]
        self._found: dict[str, Organisation | None] = dict.fromkeys(wanted)
        if not wanted:
            return
        for organisation in Organisation.objects.filter(name__in=wanted):
            self._found[organisation.name] = organisation
        missing = [name for name in wanted if self._found[name] is None]
        if missing:
            for alias in OrganisationAlias.objects.select_related("organisation").filter(name__in=missing):
                self._found[alias.name] = alias.organisation

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
    "credits",
    "editor_note",
    "continued_from_page",
    "continues_on_page",
    "import_key",
    "slug",
    "updated_at",
]


def _match_key(kicker: str | None, title: str, subtitle: str | None, opening: str) -> str:
    return "\n".join((kicker or "", title, subtitle or "", opening[:MATCH_OPENING_CHARS]))


def import_key(parsed: parsing.ParsedArticle) -> str:
    """What a later import of the page compares with: headings and the start of the first paragraph."""
    return _match_key(parsed.kicker, parsed.title, parsed.subtitle, parsed.body[0] if parsed.body else "")


def _similarity(left: str, right: str) -> float:
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    if matcher.real_quick_ratio() < MATCH_THRESHOLD or matcher.quick_ratio() < MATCH_THRESHOLD:
        return 0.0
    return matcher.ratio()


def match_articles(stored: list[Article], parsed: list[parsing.ParsedArticle]) -> dict[int, Article]:
    """Pair a page's new articles (by index) with its stored ones by content, best pairs first, never by position."""
    if not stored or not parsed:
        return {}
    # An article is compared as it stands and as it was last imported (an editor may have rewritten it).
    stored_keys = [
        (
            article.title,
            _match_key(article.kicker, article.title, article.subtitle, article.body.split("\n", 1)[0]),
            article.import_key,
        )
        for article in stored
    ]
    scored = []
    for index, new in enumerate(parsed):
        key = import_key(new)
        for position, (title, current, imported) in enumerate(stored_keys):
            if title == new.title or imported == key:
                score = 1.0
            else:
                score = max(_similarity(current, key), _similarity(imported, key) if imported else 0.0)
            if score >= MATCH_THRESHOLD:
                scored.append((score, index, position))
    matches: dict[int, Article] = {}
    used: set[int] = set()
    for _, index, position in sorted(scored, key=lambda item: (-item[0], item[1], item[2])):
        if index not in matches and position not in used:
            matches[index] = stored[position]
            used.add(position)
    return matches


def pending_import(parsed: parsing.ParsedArticle) -> dict:
    """The imported text of an article an editor has changed, kept for review beside the editor's version."""
    return {
        "kicker": parsed.kicker or "",
        "title": parsed.title,
        "subtitle": parsed.subtitle or "",
        "dateline": parsed.dateline or "",
        "body": list(parsed.body),
        "credits": list(parsed.credits),
        "people": [{"name": person.name, "role": person.role, "label": person.label} for person in parsed.people],
    }


def _free_ref(page_ref: str, position: int, taken: set[str]) -> str:
    ref, n = f"{page_ref}:{position}", 2
    while ref in taken:
        ref, n = f"{page_ref}:{position}-{n}", n + 1
    taken.add(ref)
    return ref


def _closest_title(title: str, candidates: list[Article]) -> Article | None:
    """The other part of a continued story: the only candidate, or the one whose title is close enough."""
    if len(candidates) == 1:
        return candidates[0]
    best, best_score = None, CONTINUATION_THRESHOLD
    for candidate in candidates:
        score = difflib.SequenceMatcher(None, title, candidate.title, autojunk=False).ratio()
        if score >= best_score:
            best, best_score = candidate, score
    return best


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
