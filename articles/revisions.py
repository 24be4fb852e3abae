"""Versions of articles, people and organisations (django-reversion): what is kept, and readable diffs."""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.contrib.contenttypes.models import ContentType
from reversion.models import Version
from taggit.models import Tag, TaggedItem

from .models import Article, Byline, Organisation, OrganisationAlias, Reporter, ReporterAlias

ArticleOrganisation = Article.organisations.through

# An article's revision holds its bylines and tags too, so that one revert restores all of them together.
# The index columns are derived (articles/search/writer.py rebuilds them on save) and too large to keep per version.
reversion.register(Article, exclude=("search_document", "search_vector"), follow=("bylines", "tag_links"))
reversion.register(Byline)
reversion.register(TaggedItem)
# A person's or organisation's revision holds its aliases (and sub-organisations), not its articles: renaming
# 北京市总工会 would otherwise copy a link row per article into the revision inside the admin request. A merge
# adds the moved bylines and links to its own revision (services._snapshot_before_merge), so a revert undoes it.
reversion.register(Reporter, follow=("aliases",))
reversion.register(ReporterAlias)
reversion.register(Organisation, follow=("aliases", "children"))
reversion.register(OrganisationAlias)
reversion.register(ArticleOrganisation)

HEADING_FIELDS = [("kicker", "引题"), ("title", "主题"), ("subtitle", "副题")]
OTHER_FIELDS = [("dateline", "电头"), ("kind", "类型"), ("status", "状态"), ("published_at", "发布时间")]


def record(objects: Iterable, *, user=None, comment: str) -> int:
    """One revision per object, holding it as it is now with everything it follows; returns how many."""
    count = 0
    for obj in objects:
        with reversion.create_revision(manage_manually=True):
            if user is not None and user.is_authenticated:
                reversion.set_user(user)
            reversion.set_comment(comment[:1000])
            reversion.add_to_revision(obj)
        count += 1
    return count


def record_import(report, *, user=None) -> int:
    """A revision for each article that a written file created or updated, named after the file."""
    from .models import Page

    count = 0
    for result in report.files:
        if result.outcome not in {"created", "updated"}:
            continue
        page = Page.objects.filter(content_hash=result.digest).first()
        if page is None:
            continue
        label = "导入新建" if result.outcome == "created" else "导入更新"
        count += record(
            page.articles.order_by("position", "pk"), user=user, comment=f"{label}：{Path(result.source).name}"
        )
    return count


@dataclass
class Snapshot:
    """An article as a reader of the diff sees it: headings, paragraphs, people, tags, organisations."""

    fields: dict[str, str]
    paragraphs: list[str]
    bylines: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)


def _display(name: str, value) -> str:
    if value is None:
        return ""
    if name == "status":
        return Article.Status(value).label if value in Article.Status.values else str(value)
    if name == "kind":
        return Article.Kind(value).label if value in Article.Kind.values else str(value)
    return str(value)


def _paragraphs(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip()]


def _byline_text(role: str, name: str, label: str) -> str:
    role_label = Byline.Role(role).label if role in Byline.Role.values else role
    return f"{label or role_label} {name}"


def snapshot_of_version(version: Version) -> Snapshot:
    """The article as this version's revision holds it (bylines and tags from the same revision)."""
    data = version.field_dict
    fields = {name: _display(name, data.get(name)) for name, _ in HEADING_FIELDS + OTHER_FIELDS}
    related = list(version.revision.version_set.exclude(pk=version.pk))
    byline_type = ContentType.objects.get_for_model(Byline)
    tag_type = ContentType.objects.get_for_model(TaggedItem)
    byline_rows, tag_ids = [], []
    for other in related:
        if other.content_type_id == byline_type.pk:
            row = other.field_dict
            if str(row.get("article_id")) == str(version.object_id):
                byline_rows.append(row)
        elif other.content_type_id == tag_type.pk:
            row = other.field_dict
            if str(row.get("object_id")) == str(version.object_id):
                tag_ids.append(row["tag_id"])
    names = dict(Reporter.objects.filter(pk__in=[row["reporter_id"] for row in byline_rows]).values_list("pk", "name"))
    byline_rows.sort(key=lambda row: (row.get("order", 0), row.get("id", 0)))
    bylines = [
        _byline_text(
            row["role"], names.get(row["reporter_id"], f"（已删除的记者 #{row['reporter_id']}）"), row["label"]
        )
        for row in byline_rows
    ]
    tags = sorted(Tag.objects.filter(pk__in=tag_ids).values_list("name", flat=True))
    organisation_ids = data.get("organisations") or []
    organisations = sorted(Organisation.objects.filter(pk__in=organisation_ids).values_list("name", flat=True))
    return Snapshot(fields, _paragraphs(data.get("body") or ""), bylines, tags, organisations)


def snapshot_of_article(article: Article) -> Snapshot:
    """The article as it is stored now."""
    fields = {name: _display(name, getattr(article, name)) for name, _ in HEADING_FIELDS + OTHER_FIELDS}
    bylines = [
        _byline_text(byline.role, byline.reporter.name, byline.label)
        for byline in article.bylines.select_related("reporter").order_by("order", "pk")
    ]
    tags = sorted(article.tags.values_list("name", flat=True))
    organisations = sorted(article.organisations.values_list("name", flat=True))
    return Snapshot(fields, _paragraphs(article.body), bylines, tags, organisations)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ParagraphLine:
    """One row of the body diff: kept (collapsed to a count), removed or added."""

    kind: str  # same, removed, added, skipped
    text: str = ""
    number: int = 0


@dataclass
class Diff:
    headings: list[FieldChange]
    other: list[FieldChange]
    body: list[ParagraphLine]
    bylines_removed: list[str]
    bylines_added: list[str]
    tags_removed: list[str]
    tags_added: list[str]
    organisations_removed: list[str]
    organisations_added: list[str]

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.headings,
                self.other,
                [line for line in self.body if line.kind in {"removed", "added"}],
                self.bylines_removed,
                self.bylines_added,
                self.tags_removed,
                self.tags_added,
                self.organisations_removed,
                self.organisations_added,
            )
        )


def _body_diff(old: list[str], new: list[str], context: int = 1) -> list[ParagraphLine]:
    """Paragraph-level diff; unchanged runs longer than the context show as one skipped line."""
    lines = []
    for group in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(ParagraphLine("skipped"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [ParagraphLine("same", text, j1 + k + 1) for k, text in enumerate(new[j1:j2])]
                continue
            lines += [ParagraphLine("removed", text, i1 + k + 1) for k, text in enumerate(old[i1:i2])]
            lines += [ParagraphLine("added", text, j1 + k + 1) for k, text in enumerate(new[j1:j2])]
    return lines


def diff(old: Snapshot, new: Snapshot) -> Diff:
    def changes(pairs):
        return [
            FieldChange(label, old.fields[name], new.fields[name])
            for name, label in pairs
            if old.fields[name] != new.fields[name]
        ]

    def removed_added(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
        return [item for item in before if item not in after], [item for item in after if item not in before]

    bylines = removed_added(old.bylines, new.bylines)
    tags = removed_added(old.tags, new.tags)
    organisations = removed_added(old.organisations, new.organisations)
    return Diff(
        changes(HEADING_FIELDS),
        changes(OTHER_FIELDS),
        _body_diff(old.paragraphs, new.paragraphs),
        *bylines,
        *tags,
        *organisations,
    )
