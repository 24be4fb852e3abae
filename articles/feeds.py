"""RSS 2.0 and Atom feeds of published articles: the latest, and per tag, reporter and organisation."""

import copy
import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.text import Truncator
from taggit.models import Tag

from . import images
from .cache import LISTS, article_key, depends_on
from .filters import newest_first
from .models import Article, Byline, Organisation, Reporter

FEED_LENGTH = 30
# The hour a morning paper is on the street, for feeds that need a time of day.
PRESS_TIME = datetime.time(6, 0)
DESCRIPTION_LENGTH = 200


def issue_datetime(issue):
    """The issue's date at press time in the site's time zone, or None for an undated issue."""
    return issue_datetime_of(issue.date)


def issue_datetime_of(date):
    """`date` at press time in the site's time zone (None stays None)."""
    if date is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(date, PRESS_TIME))


class LatestArticlesFeed(Feed):
    """The newest published articles."""

    request = None

    def __call__(self, request, *args, **kwargs):
        # Feed instances are shared by every thread; the per-request copy holds the request for absolute URLs.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def item_enclosures(self, article):
        """The first photo's medium JPEG rendition (feed readers know JPEG), once its renditions exist."""
        image = next(iter(article.photo_list()), None)
        rendition = images.enclosure_rendition(image) if image else None
        if rendition is None:
            return []
        url = self.request.build_absolute_uri(default_storage.url(rendition["name"]))
        return [Enclosure(url, str(rendition["bytes"]), "image/jpeg")]

    def title(self, subject=None):
        return f"{settings.NEWSROOM_SITE_NAME} 最新文章"

    def link(self, subject=None):
        return reverse("articles:article_list")

    def description(self, subject=None):
        return f"{settings.NEWSROOM_SITE_NAME}最新刊发的文章。"

    def articles(self, subject):
        return Article.objects.published()

    def items(self, subject=None):
        articles = list(newest_first(self.articles(subject).with_tag_lists())[:FEED_LENGTH])
        # New articles may join a minute late; a withdrawn or edited one leaves at once (docs/site.md, "Caching").
        depends_on(self.request, LISTS, *(article_key(article.pk) for article in articles))
        return articles

    def item_title(self, article):
        return article.headline

    def item_description(self, article):
        return Truncator(" ".join(article.paragraphs)).chars(DESCRIPTION_LENGTH)

    def item_pubdate(self, article):
        # The printed date, not the import's: an undated issue's article has none rather than an invented one.
        return issue_datetime(article.issue)

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return "、".join(f"{byline.get_role_display()} {byline.reporter.name}" for byline in article.byline_list())

    def item_categories(self, article):
        return [tag.name for tag in article.tag_list()]


class SubjectFeed(LatestArticlesFeed):
    """The newest published articles about one subject, looked up by the slug in the URL."""

    model = None
    kind_label = ""

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, subject=None):
        return f"{settings.NEWSROOM_SITE_NAME} {self.kind_label}：{subject.name}"

    def link(self, subject=None):
        return subject.get_absolute_url()

    def description(self, subject=None):
        return f"{settings.NEWSROOM_SITE_NAME}关于“{subject.name}”的最新文章。"


class TagFeed(SubjectFeed):
    model = Tag
    kind_label = "标签"

    def link(self, subject=None):
        return reverse("articles:tag_detail", args=[subject.slug])

    def articles(self, subject):
        return Article.objects.published().filter(tags=subject)


class ReporterFeed(SubjectFeed):
    model = Reporter
    kind_label = "记者"

    def articles(self, subject):
        return Article.objects.published().filter(
            Exists(Byline.objects.filter(article=OuterRef("pk"), reporter=subject))
        )


class OrganisationFeed(SubjectFeed):
    model = Organisation
    kind_label = "组织"

    def articles(self, subject):
        return Article.objects.published().filter(organisations=subject)


class AtomFeedMixin:
    feed_type = Atom1Feed

    def subtitle(self, subject=None):
        return self.description(subject)


class LatestArticlesAtomFeed(AtomFeedMixin, LatestArticlesFeed):
    pass


class TagAtomFeed(AtomFeedMixin, TagFeed):
    pass


class ReporterAtomFeed(AtomFeedMixin, ReporterFeed):
    pass


class OrganisationAtomFeed(AtomFeedMixin, OrganisationFeed):
    pass
