"""Related articles: those sharing the most tags and organisations, found in a bounded candidate set."""

from __future__ import annotations

from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from taggit.models import TaggedItem

from .models import Article

RELATED_LIMIT = 6
# Articles taken on each side of this one for each shared tag or organisation. 北京市总工会 is named in most
# articles: scoring every article that shares it took 200 ms at 22,000 articles and grows with the archive, while
# NEIGHBOURS per link keeps the work at (links × 2 × NEIGHBOURS) index entries however large the archive grows.
NEIGHBOURS = 100
# Candidates read back to drop drafts and break ties; more than the limit, as some may not be public.
CANDIDATES = 30


def related_articles(article: Article, *, limit: int = RELATED_LIMIT) -> list[Article]:
    """Published articles sharing the most tags and organisations with `article`, nearest in the archive first.

    Runs two queries whatever the size of the archive: the link rows near this article, then the candidates.
    Tags and organisations must be prefetched (Article.objects.with_labels()).
    """
    tag_ids = sorted(tag.pk for tag in article.tag_list())
    organisation_ids = sorted(organisation.pk for organisation in article.organisations.all())
    if not tag_ids and not organisation_ids:
        return []
    scores = _shared_link_counts(article.pk, tag_ids, organisation_ids)
    scores.pop(article.pk, None)
    if not scores:
        return []
    best = sorted(scores, key=lambda pk: (-scores[pk], abs(pk - article.pk)))[:CANDIDATES]
    found = list(Article.objects.published().filter(pk__in=best).select_related("issue"))
    for other in found:
        other.score = scores[other.pk]
    found.sort(key=lambda other: (-other.score, -(other.issue.date.toordinal() if other.issue.date else 0), -other.pk))
    return found[:limit]


def _shared_link_counts(pk: int, tag_ids: list[int], organisation_ids: list[int]) -> Counter[int]:
    """For articles near `pk` (by id, i.e. import order) on any shared link: how many links they share."""
    content_type = ContentType.objects.get_for_model(Article)
    tagged = TaggedItem.objects.filter(content_type=content_type).order_by()
    through = Article.organisations.through.objects.order_by()
    parts = []
    for tag_id in tag_ids:
        links = tagged.filter(tag_id=tag_id).values_list("object_id", flat=True)
        parts += [
            links.filter(object_id__lt=pk).order_by("-object_id")[:NEIGHBOURS],
            links.filter(object_id__gt=pk).order_by("object_id")[:NEIGHBOURS],
        ]
    for organisation_id in organisation_ids:
        links = through.filter(organisation_id=organisation_id).values_list("article_id", flat=True)
        parts += [
            links.filter(article_id__lt=pk).order_by("-article_id")[:NEIGHBOURS],
            links.filter(article_id__gt=pk).order_by("article_id")[:NEIGHBOURS],
        ]
    # QuerySet.union() cannot hold sliced parts on SQLite (supports_slicing_ordering_in_compound), so each part
    # is wrapped as a subquery, which both databases accept, and the parts are joined into one statement.
    statements, params = [], []
    for number, part in enumerate(parts):
        sql, part_params = part.query.sql_with_params()
        statements.append(f"SELECT * FROM ({sql}) AS part_{number}")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(statements), params)
        return Counter(row[0] for row in cursor.fetchall())
