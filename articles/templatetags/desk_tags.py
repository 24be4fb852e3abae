"""Template helpers for the editors' admin: the review block on the admin index."""

from django import template
from django.db.models import Count

from articles.models import Article

register = template.Library()


@register.simple_tag
def article_status_counts():
    """How many articles are in each status, in workflow order, from one grouped query."""
    counts = dict(Article.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return [{"value": value, "label": label, "count": counts.get(value, 0)} for value, label in Article.Status.choices]
