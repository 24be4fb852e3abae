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
    # What the list shows: the headline, its link and the issue date.
    shown = ("pk", "slug", "title", "issue__id", "issue__date")
    found = list(Article.objects.published().filter(pk__in=best).select_related("issue").only(*shown))
    for other in found:
        other.score = scores[other.pk]
    found.sort(key=lambda other: (-other.score, -(other.issue.date.toordinal() if other.issue.date else 0), -other.pk))
    return found[:limit]


def _shared_link_counts(pk: int, tag_ids: list[int], organisation_ids: list[int]) -> Counter[int]:
    """For articles near `pk` (by id, i.e. import order) on any shared link: how many links they share."""
    # Written as SQL: built with the ORM, the dozen or so parts of an article with many links took longer to compile
    # than to run. Each part is wrapped as a subquery, as SQLite takes no ORDER BY or LIMIT in a compound's parts.
    tagged = (TaggedItem._meta.db_table, "object_id", "tag_id", "content_type_id = %s AND ")
    linked = (Article.organisations.through._meta.db_table, "article_id", "organisation_id", "")
    statements, params = [], []
    content_type = ContentType.objects.get_for_model(Article).pk
    for (table, article, link, condition), link_ids in ((tagged, tag_ids), (linked, organisation_ids)):
        for link_id in link_ids:
            for comparison, order in (("<", "DESC"), (">", "ASC")):
                statements.append(
                    f"SELECT * FROM (SELECT {article} FROM {table} WHERE {condition}{link} = %s "
                    f"AND {article} {comparison} %s ORDER BY {article} {order} LIMIT %s) AS part_{len(statements)}"
                )
                params += ([content_type] if condition else []) + [link_id, pk, NEIGHBOURS]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(statements), params)
        return Counter(row[0] for row in cursor.fetchall())
