"""Backup and restore of the whole archive as JSON Lines, keeping primary keys so URLs survive a restore."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from taggit.models import Tag, TaggedItem

from .models import Article, Byline, Issue, Organisation, OrganisationAlias, Page, Reporter, ReporterAlias

FORMAT_VERSION = 1
BATCH = 500


class ArchiveError(ValueError):
    """A backup file that cannot be restored; the message names the line and the reason."""


@dataclass
class ArchiveCounts:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n


def _date(value):
    return value.isoformat() if value else None


def export_records() -> Iterator[dict]:
    """Every row of the archive, parents before children, streamed in primary-key order."""
    yield {"type": "meta", "format": FORMAT_VERSION}
    for issue in Issue.objects.order_by("pk").iterator(BATCH):
        yield {
            "type": "issue",
            "id": issue.pk,
            "date": _date(issue.date),
            "date_inferred": issue.date_inferred,
            "number": issue.number,
            "import_ref": issue.import_ref,
        }
    for page in Page.objects.order_by("pk").iterator(BATCH):
        yield {
            "type": "page",
            "id": page.pk,
            "issue": page.issue_id,
            "number": page.number,
            "banner": page.banner,
            "source_name": page.source_name,
            "import_ref": page.import_ref,
            "content_hash": page.content_hash,
            "encoding": page.encoding,
            "header_text": page.header_text,
            "unassigned_text": page.unassigned_text,
        }
    for reporter in Reporter.objects.order_by("pk").iterator(BATCH):
        yield {
            "type": "reporter",
            "id": reporter.pk,
            "name": reporter.name,
            "slug": reporter.slug,
            "kind": reporter.kind,
            "affiliation": reporter.affiliation,
        }
    for alias in ReporterAlias.objects.order_by("pk").iterator(BATCH):
        yield {
            "type": "reporter_alias",
            "reporter": alias.reporter_id,
            "name": alias.name,
            "affiliation": alias.affiliation,
        }
    for organisation in Organisation.objects.order_by("pk").iterator(BATCH):
        yield {
            "type": "organisation",
            "id": organisation.pk,
            "name": organisation.name,
            "slug": organisation.slug,
            "kind": organisation.kind,
            "parent": organisation.parent_id,
        }
    for alias in OrganisationAlias.objects.order_by("pk").iterator(BATCH):
        yield {"type": "organisation_alias", "organisation": alias.organisation_id, "name": alias.name}
    for tag in Tag.objects.order_by("pk").iterator(BATCH):
        yield {"type": "tag", "id": tag.pk, "name": tag.name, "slug": tag.slug}
    articles = Article.objects.order_by("pk").prefetch_related("bylines", "tags", "organisations")
    for article in articles.iterator(BATCH):
        yield {
            "type": "article",
            "id": article.pk,
            "issue": article.issue_id,
            "page": article.page_id,
            "position": article.position,
            "kicker": article.kicker,
            "title": article.title,
            "subtitle": article.subtitle,
            "slug": article.slug,
            "dateline": article.dateline,
            "body": article.body,
            "kind": article.kind,
            "event_date": _date(article.event_date),
            "credits": article.credits,
            "editor_note": article.editor_note,
            "continued_from_page": article.continued_from_page,
            "continues_on_page": article.continues_on_page,
            "continuation_id": article.continuation_id,
            "edited_by_hand": article.edited_by_hand,
            "import_key": article.import_key,
            "pending_import": article.pending_import,
            "pending_import_at": article.pending_import_at.isoformat() if article.pending_import_at else None,
            "status": article.status,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "import_ref": article.import_ref,
            "created_at": article.created_at.isoformat(),
            "updated_at": article.updated_at.isoformat(),
            "bylines": [
                {"reporter": b.reporter_id, "role": b.role, "label": b.label, "order": b.order}
                for b in article.bylines.all()
            ],
            "tags": sorted(tag.pk for tag in article.tags.all()),
            "organisations": sorted(org.pk for org in article.organisations.all()),
        }


def export_archive(stream: IO[str]) -> ArchiveCounts:
    """Write the archive to a text stream, one JSON object a line."""
    counts = ArchiveCounts()
    with transaction.atomic():  # one consistent snapshot (REPEATABLE READ on PostgreSQL while we read)
        for record in export_records():
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            counts.add(record["type"])
    return counts


def _records(lines: Iterable[str]) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ArchiveError(f"line {number}: not JSON ({error.msg})") from None
        if not isinstance(record, dict) or "type" not in record:
            raise ArchiveError(f"line {number}: not an archive record")
        yield number, record


def import_archive(lines: Iterable[str], *, progress: Callable[[str, int], None] | None = None) -> ArchiveCounts:
    """Restore a JSON Lines backup into an empty database, in one transaction."""
    if Article.objects.exists() or Issue.objects.exists() or Reporter.objects.exists():
        raise ArchiveError("the database is not empty: restore only into a freshly migrated database")
    counts = ArchiveCounts()
    pending: dict[str, list] = {}
    article_links: list[tuple[int, list[int], list[int]]] = []
    parents: list[tuple[int, int]] = []
    builders = _builders(parents, article_links)
    with transaction.atomic():
        from .cache import invalidate_everything
        from .search import index_updates_deferred, rebuild_search_index

        with index_updates_deferred():
            for number, record in _records(lines):
                kind = record["type"]
                if kind == "meta":
                    if record.get("format") != FORMAT_VERSION:
                        raise ArchiveError(f"line {number}: unsupported format {record.get('format')!r}")
                    continue
                if kind not in builders:
                    raise ArchiveError(f"line {number}: unknown record type {kind!r}")
                model, build = builders[kind]
                try:
                    pending.setdefault(kind, []).append(build(record))
                except (KeyError, TypeError, ValueError) as error:
                    raise ArchiveError(f"line {number}: bad {kind} record ({error})") from None
                if len(pending[kind]) >= BATCH:
                    _flush(kind, model, pending, article_links, counts)
            for kind, (model, _) in builders.items():
                _flush(kind, model, pending, article_links, counts)
            for child, parent in parents:
                Organisation.objects.filter(pk=child).update(parent_id=parent)
            _reset_sequences()
        rebuild_search_index()
        invalidate_everything()
    return counts


def _builders(parents: list, article_links: list) -> dict:
    def organisation(record):
        if record.get("parent"):
            parents.append((record["id"], record["parent"]))
        return Organisation(id=record["id"], name=record["name"], slug=record["slug"], kind=record["kind"])

    def article(record):
        article_links.append((record["id"], record["tags"], record["organisations"]))
        bylines = [
            Byline(
                article_id=record["id"],
                reporter_id=byline["reporter"],
                role=byline["role"],
                label=byline["label"],
                order=byline["order"],
            )
            for byline in record["bylines"]
        ]
        fields = {key: record[key] for key in record if key not in {"type", "id", "bylines", "tags", "organisations"}}
        fields["issue_id"] = fields.pop("issue")
        fields["page_id"] = fields.pop("page")
        instance = Article(id=record["id"], **fields)
        instance._restored_bylines = bylines
        return instance

    return {
        "issue": (Issue, lambda r: Issue(id=r["id"], **_fields(r))),
        "page": (Page, lambda r: Page(id=r["id"], issue_id=r["issue"], **_fields(r, "issue"))),
        "reporter": (Reporter, lambda r: Reporter(id=r["id"], **_fields(r))),
        "reporter_alias": (ReporterAlias, lambda r: ReporterAlias(reporter_id=r["reporter"], **_fields(r, "reporter"))),
        "organisation": (Organisation, organisation),
        "organisation_alias": (
            OrganisationAlias,
            lambda r: OrganisationAlias(organisation_id=r["organisation"], name=r["name"]),
        ),
        "tag": (Tag, lambda r: Tag(id=r["id"], name=r["name"], slug=r["slug"])),
        "article": (Article, article),
    }


def _fields(record: dict, *drop: str) -> dict:
    return {key: value for key, value in record.items() if key not in {"type", "id", *drop}}


def _flush(kind: str, model, pending: dict, article_links: list, counts: ArchiveCounts) -> None:
    rows = pending.pop(kind, [])
    if not rows:
        return
    if model is Article:
        # bulk_create skips save(), so slugs and publication times keep their stored values; the
        # auto_now timestamps would still be re-stamped, and feeds show them, so they are lifted meanwhile.
        with _stored_timestamps(Article, "created_at", "updated_at"):
            model.objects.bulk_create(rows)
        Byline.objects.bulk_create([byline for row in rows for byline in row._restored_bylines])
        through_orgs = Article.organisations.through
        ids = {row.pk for row in rows}
        links = [link for link in article_links if link[0] in ids]
        TaggedItem.objects.bulk_create(_tag_links(links))
        through_orgs.objects.bulk_create(
            [through_orgs(article_id=aid, organisation_id=oid) for aid, _, orgs in links for oid in orgs]
        )
        article_links[:] = [link for link in article_links if link[0] not in ids]
    else:
        model.objects.bulk_create(rows)
    counts.add(kind, len(rows))


@contextmanager
def _stored_timestamps(model, *names):
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _tag_links(links):
    content_type = ContentType.objects.get_for_model(Article)
    return [
        TaggedItem(content_type=content_type, object_id=article_id, tag_id=tag_id)
        for article_id, tags, _ in links
        for tag_id in tags
    ]


def _reset_sequences() -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(
        no_style(), [Issue, Page, Reporter, ReporterAlias, Organisation, OrganisationAlias, Tag, Article, Byline]
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
