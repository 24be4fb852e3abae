"""The newsroom's data: issues and their pages, articles, bylines, reporters and organisations."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager

from .routes import date_url, url_of

SLUG_MAX_LENGTH = 80
NON_BLANK_REGEX = "[^ \t\r\n\f\v\u3000]"


def readable_slug(text: str, fallback: str = "item") -> str:
    """Slug that keeps Chinese characters (plain slugify would return '' for a Chinese title)."""
    # https://docs.djangoproject.com/en/5.2/ref/utils/#django.utils.text.slugify
    slug = slugify(text, allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-_")
    return slug or fallback


def unique_slug(model, text: str, *, exclude_pk=None, fallback: str = "item") -> str:
    """A readable slug not yet used by another row of `model`, numbered -2, -3… on collision."""
    base = readable_slug(text, fallback)[: SLUG_MAX_LENGTH - 6]
    taken = set(model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


class Issue(models.Model):
    """One edition of the paper, holding one or more pages."""

    date = models.DateField("出版日期", null=True, blank=True, db_index=True)
    date_inferred = models.BooleanField(
        "日期为推断",
        default=True,
        help_text="导入时由正文推断的日期；编辑核实后取消勾选。",
    )
    number = models.CharField("期号", max_length=20, blank=True)
    import_ref = models.CharField("导入标识", max_length=80, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "期次"
        verbose_name_plural = "期次"
        ordering = [models.F("date").desc(nulls_last=True), "-pk"]
        # The article list's order starts with its issue's (filters.newest_first / oldest_first): with these
        # PostgreSQL walks issues in order and stops after one page of articles instead of sorting the archive
        # (170 ms → 2 ms at 147,000 articles, docs/site.md).
        indexes = [
            models.Index(models.F("date").desc(nulls_last=True), models.F("id").desc(), name="issue_newest_first"),
            models.Index(models.F("date").asc(nulls_last=True), models.F("id").asc(), name="issue_oldest_first"),
        ]

    def __str__(self):
        if self.date is None:
            return self.label
        return f"{self.label} 第{self.number}期" if self.number else self.label

    def get_absolute_url(self):
        # Readers know an issue by its date; an undated one keeps the id URL.
        if self.date:
            return date_url("articles:issue_by_date", self.date)
        return url_of("articles:issue_detail", self.pk)

    @property
    def label(self) -> str:
        """2023年3月1日; an undated issue is named by its number, or by its id when that is unknown too."""
        if self.date:
            return f"{self.date.year}年{self.date.month}月{self.date.day}日"
        return f"第{self.number}期（日期未注明）" if self.number else f"编号{self.pk}（日期未注明）"


class Page(models.Model):
    """One printed page (版面) of an issue, as imported from one text file."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="pages", verbose_name="期次")
    number = models.PositiveSmallIntegerField("版次", null=True, blank=True)
    banner = models.CharField("栏目", max_length=200, blank=True)
    source_name = models.CharField("源文件", max_length=255, blank=True)
    # Stable across edits of the source file; article import references hang off it.
    import_ref = models.CharField("导入标识", max_length=80, unique=True)
    # Hash of the normalised text: the same page in another encoding or with other line endings matches.
    content_hash = models.CharField("内容指纹", max_length=64, unique=True)
    encoding = models.CharField("编码", max_length=20, blank=True)
    header_text = models.TextField("版头", blank=True, help_text="版面页眉（日期、版次、责编等），按原样每行一条。")
    unassigned_text = models.TextField(
        "未归属文字", blank=True, help_text="导入时无法归入任何文章的文字，按原样保留，请编辑核对。"
    )
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "版面"
        verbose_name_plural = "版面"
        ordering = ["issue", models.F("number").asc(nulls_last=True), "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="page_number_unique_in_issue"),
        ]

    def __str__(self):
        number = f"第{self.number}版" if self.number else "版次未定"
        return f"{self.issue} {number} {self.banner}".strip()

    def get_absolute_url(self):
        return self.url_in(self.issue)

    def url_in(self, issue):
        """/issues/2023/03/01/3/ (given the page's issue, often at hand); a page without a number goes by its id."""
        if self.number is None:
            return url_of("articles:page_detail", self.pk)
        if issue.date:
            return date_url("articles:page_by_date", issue.date, self.number)
        return url_of("articles:issue_page", issue.pk, self.number)


class Reporter(models.Model):
    """A person credited in bylines: a staff reporter (本报) or a correspondent."""

    class Kind(models.TextChoices):
        STAFF = "staff", "本报记者"
        CORRESPONDENT = "correspondent", "通讯员"
        EXTERNAL = "external", "外单位记者"

    name = models.CharField("姓名", max_length=50)
    slug = models.SlugField("网址名", max_length=SLUG_MAX_LENGTH, unique=True, allow_unicode=True)
    kind = models.CharField("身份", max_length=20, choices=Kind.choices, default=Kind.STAFF)
    affiliation = models.CharField("所属单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "记者"
        verbose_name_plural = "记者"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "affiliation"], name="reporter_unique_name_affiliation"),
        ]

    def __str__(self):
        return f"{self.name}（{self.affiliation}）" if self.affiliation else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Reporter, self.name, exclude_pk=self.pk, fallback="reporter")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_of("articles:reporter_detail", self.slug)


class ReporterAlias(models.Model):
    """Another spelling of a reporter's name, kept after a merge so that re-imports resolve to the survivor."""

    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE, related_name="aliases", verbose_name="记者")
    name = models.CharField("别名", max_length=50)
    affiliation = models.CharField("所属单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "记者别名"
        verbose_name_plural = "记者别名"
        constraints = [
            models.UniqueConstraint(fields=["name", "affiliation"], name="reporter_alias_unique"),
        ]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    """A trade union, enterprise, school or public body named in articles; with its aliases it is the gazetteer."""

    class Kind(models.TextChoices):
        FEDERATION = "federation", "总工会"
        DISTRICT_UNION = "district_union", "区级工会"
        UNION = "union", "基层工会"
        ENTERPRISE = "enterprise", "企业"
        SCHOOL = "school", "学校"
        GOVERNMENT = "government", "政府机关"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100, unique=True)
    slug = models.SlugField("网址名", max_length=SLUG_MAX_LENGTH, unique=True, allow_unicode=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级组织",
    )

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Organisation, self.name, exclude_pk=self.pk, fallback="organisation")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_of("articles:organisation_detail", self.slug)

    @property
    def article_links(self):
        """The rows linking articles to this organisation, so that a merge's revision can restore them."""
        return Article.organisations.through.objects.filter(organisation_id=self.pk)


class OrganisationAlias(models.Model):
    """A short name (市总工会 for 北京市总工会) that resolves to the full name."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="aliases", verbose_name="组织"
    )
    name = models.CharField("简称", max_length=100, unique=True)

    class Meta:
        verbose_name = "组织简称"
        verbose_name_plural = "组织简称"
        ordering = ["name"]

    def __str__(self):
        return self.name


def listing_prefetches() -> tuple[Prefetch, Prefetch]:
    """The credits and photos of list rows, for prefetch_related or prefetch_related_objects."""
    # As lists (to_attr): a related manager's prefetch clones and filters a queryset for every row, the largest
    # cost of a long list's render. Read them through Article.byline_list() and photo_list().
    return (
        Prefetch("bylines", queryset=Article.credit_order(), to_attr="prefetched_credits"),
        Prefetch("images", queryset=Article.photo_order(), to_attr="prefetched_photos"),
    )


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What readers may see: published, with a publication time that has come (by `now`, else the present)."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def unpublished(self, now=None):
        """What readers may not see: every article published(now) leaves out, read through article_status_published."""
        hidden = [status for status in Article.Status if status != Article.Status.PUBLISHED]
        later = Q(status=Article.Status.PUBLISHED, published_at__gt=now or timezone.now())
        return self.filter(Q(status__in=hidden) | later)

    def with_listing_relations(self):
        """Everything a list row shows, in a fixed number of queries."""
        return self.listing_rows().prefetch_related(*listing_prefetches())

    def listing_rows(self):
        """A list row's article, issue and page, without its credits and photos (see listing_prefetches)."""
        # The index columns are the widest of the row and no page shows them.
        return self.defer("search_document", "search_vector").select_related("issue", "page")

    def with_tag_lists(self):
        """A list row's relations plus its tags, for Article.tag_list() (the feeds)."""
        # As a list (to_attr): filling taggit's manager of each row built a filtered queryset per row, 8 ms of a
        # feed of 30 articles.
        return self.with_listing_relations().prefetch_related(Prefetch("tags", to_attr="prefetched_tags"))

    def with_labels(self):
        """A list row's relations plus the tags and organisations (an article's page, the API)."""
        # Not in with_listing_relations: HTML lists do not show them.
        return self.with_tag_lists().prefetch_related("organisations")

    def in_page_order(self):
        """As printed: by page, then by position on the page (undated pages last)."""
        return self.order_by(models.F("page__number").asc(nulls_last=True), "page_id", "position", "pk")


class Article(models.Model):
    """A news story or photo-news item on a page."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审"
        PUBLISHED = "published", "已发布"

    class Kind(models.TextChoices):
        NEWS = "news", "新闻"
        PHOTO = "photo", "图片新闻"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="articles", verbose_name="期次")
    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, null=True, blank=True, related_name="articles", verbose_name="版面"
    )
    position = models.PositiveSmallIntegerField("版内顺序", default=1)

    kicker = models.CharField("引题", max_length=200, blank=True)
    title = models.CharField("主题", max_length=200)
    subtitle = models.CharField("副题", max_length=200, blank=True)
    slug = models.SlugField("网址名", max_length=SLUG_MAX_LENGTH, allow_unicode=True, blank=True)
    dateline = models.CharField("电头", max_length=200, blank=True)
    body = models.TextField("正文", help_text="每行一段。", blank=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.NEWS)
    event_date = models.DateField("事件日期", null=True, blank=True)
    credits = models.TextField("署名行", blank=True, help_text="图片、文字署名行，按原样每行一条。")
    editor_note = models.TextField("编者按", blank=True)
    continued_from_page = models.PositiveSmallIntegerField("上接版次", null=True, blank=True)
    continues_on_page = models.PositiveSmallIntegerField("下转版次", null=True, blank=True)
    # The other part of a story printed on two pages; each page keeps its own part (docs/parsing.md).
    continuation = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="续接文章",
    )

    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "发布时间", null=True, blank=True, help_text="晚于当前时间即为定时发布，届时才对读者可见。"
    )
    review_comment = models.TextField("审稿意见", blank=True, help_text="主编退回稿件时写给编辑的意见。")

    reporters = models.ManyToManyField(Reporter, through="Byline", related_name="articles", verbose_name="署名")
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="articles", verbose_name="相关组织")
    tags = TaggableManager("标签", blank=True)

    import_ref = models.CharField("导入标识", max_length=100, unique=True, null=True, blank=True, editable=False)
    # An import never overwrites or deletes an article an editor changed; it parks its text in pending_import.
    edited_by_hand = models.BooleanField("编辑改动过", default=False, editable=False)
    # Headings and opening as last imported: a re-import finds the story even after an editor rewrote it.
    import_key = models.TextField("导入匹配文本", blank=True, editable=False)
    pending_import = models.JSONField("待核对的导入文本", null=True, blank=True, editable=False)
    pending_import_at = models.DateTimeField("待核对导入时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # Maintained only by articles.search.update_search_index (see docs/search.md).
    search_document = models.TextField("检索文本", blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"
        ordering = ["-published_at", "-pk"]
        permissions = [("can_publish", "可以发布或撤回文章")]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_status_published"),
            # The admin's list, every status newest first (Meta.ordering), read backwards 50 rows at a time.
            models.Index(fields=["published_at", "id"], name="article_published_id"),
            models.Index(fields=["issue", "position"], name="article_issue_position"),
            models.Index(fields=["event_date"], name="article_event_date"),
            # 图片新闻 alone (?kind=photo), counted and listed newest first without reading the other articles.
            models.Index(fields=["kind", "status", "published_at"], name="article_kind_published"),
            GinIndex(fields=["search_vector"], name="article_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]) | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "published"]), name="article_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=["news", "photo"]), name="article_kind_valid"),
            # A title with at least one visible character; the regex runs on both databases (SQLite through
            # Django's REGEXP function). U+3000 is the full-width space.
            models.CheckConstraint(
                condition=~Q(title="") & Q(title__regex=NON_BLANK_REGEX), name="article_title_not_blank"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.slug = readable_slug(self.title, fallback="article")
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_of("articles:article_detail", self.pk, self.slug or "article")

    @staticmethod
    def credit_order():
        """Bylines as printed, with their people."""
        return Byline.objects.select_related("reporter").order_by("order", "pk")

    @staticmethod
    def photo_order():
        """Photos as placed, with their photographers."""
        return Image.objects.select_related("credit").order_by("order", "pk")

    def byline_list(self) -> list:
        """The bylines in print order: as with_listing_relations read them, else read now."""
        prefetched = getattr(self, "prefetched_credits", None)
        return list(self.credit_order().filter(article=self)) if prefetched is None else prefetched

    def photo_list(self) -> list:
        """The photos in order: as with_listing_relations read them, else read now."""
        prefetched = getattr(self, "prefetched_photos", None)
        return list(self.photo_order().filter(article=self)) if prefetched is None else prefetched

    def tag_list(self) -> list:
        """The article's tags by name (code point): taggit keeps no order, and a page must read the same each time.
        As with_tag_lists read them, else read now."""
        prefetched = getattr(self, "prefetched_tags", None)
        return sorted(self.tags.all() if prefetched is None else prefetched, key=lambda tag: tag.name)

    @property
    def tag_links(self):
        """This article's taggit rows, so that a revision (articles/revisions.py) holds its tags."""
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import TaggedItem

        return TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Article), object_id=self.pk)

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def headline(self) -> str:
        """Kicker, title and subtitle in reading order, for page titles and feeds."""
        return " ".join(part for part in (self.kicker, self.title, self.subtitle) if part)


class Byline(models.Model):
    """A person's credit on an article, in one role; one person may hold several roles."""

    class Role(models.TextChoices):
        REPORTER = "reporter", "记者"
        CORRESPONDENT = "correspondent", "通讯员"
        PHOTOGRAPHER = "photographer", "摄影"
        UNSPECIFIED = "unspecified", "未注明"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines", verbose_name="文章")
    reporter = models.ForeignKey(Reporter, on_delete=models.PROTECT, related_name="bylines", verbose_name="记者")
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.REPORTER)
    label = models.CharField("署名称谓", max_length=20, blank=True, help_text="原文称谓，如“见习记者”。")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "署名"
        verbose_name_plural = "署名"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "reporter", "role"], name="byline_unique_role"),
            models.CheckConstraint(
                condition=Q(role__in=["reporter", "correspondent", "photographer", "unspecified"]),
                name="byline_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.reporter.name}"


class SubjectListing(models.Model):
    """One article under one subject (a person, a person in a role, an organisation, a tag), with the article's
    publication time while it is published: what the subject pages count and list, without reading articles."""

    # Written only by the database's triggers (migration 0014), from the bylines, organisation links and taggit
    # rows and the articles' status, whatever writes those; docs/site.md "Subject pages".

    class Kind(models.TextChoices):
        REPORTER = "reporter", "记者"
        ROLE = "role", "记者（角色）"
        ORGANISATION = "organisation", "组织"
        TAG = "tag", "标签"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    subject_id = models.BigIntegerField()
    # No constraint: the triggers remove the rows of a deleted article, and admin deletions need no permission here.
    # Indexed by subject_listing_article, which starts with it.
    article = models.ForeignKey(
        Article, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True, default="")  # the byline's role, for ROLE rows
    published_at = models.DateTimeField(null=True)  # None while the article is not published
    # The article's issue and its date: the first keys of a list's newest-first order (filters.newest_first).
    issue = models.ForeignKey(Issue, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    issue_date = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_id", "article", "role"], name="subject_listing_unique"),
        ]
        indexes = [
            # The facets of any list: every tag, person and organisation of its newest articles, from the index.
            models.Index(fields=["article", "kind", "subject_id"], name="subject_listing_article"),
            # On PostgreSQL it also carries issue_date (INCLUDE, migration 0015): the facet scope is read from it.
            models.Index(fields=["kind", "subject_id", "published_at", "article", "role"], name="subject_listing_time"),
            models.Index(
                F("kind"),
                F("subject_id"),
                F("issue_date").desc(nulls_last=True),
                F("issue").desc(),
                F("published_at"),
                name="subject_listing_issue",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id}: {self.article_id}"

    @classmethod
    def published(cls, kind: str, subject_id: int, now=None):
        """The rows of the subject's articles that readers may see (by `now`, else the present), as
        Article.objects.published()."""
        return cls.objects.filter(kind=kind, subject_id=subject_id, published_at__lte=now or timezone.now())


class SearchTermCount(models.Model):
    """How many articles hold a frequent search word whole, kept by triggers; see docs/search.md, "Counting"."""

    # A word as the index stores it (a lexeme of Article.search_vector).
    lexeme = models.TextField("词", primary_key=True)
    # With its SearchTermChange rows, never more than the articles that hold it: the count when it was recorded (at
    # most RECORD_LIMIT), plus every article that took the word since, minus every one that lost it (the triggers of
    # migrations 0017 and 0018, on PostgreSQL).
    articles = models.IntegerField("文章数")

    class Meta:
        verbose_name = "检索词文章数"
        verbose_name_plural = "检索词文章数"

    def __str__(self):
        return f"{self.lexeme}: {self.articles}"


class SearchTermChange(models.Model):
    """A change to a kept word's article count, written by the triggers and folded into SearchTermCount later."""

    # Appended, never updated: concurrent writers never wait for each other on a shared count row.
    lexeme = models.TextField("词")
    change = models.IntegerField("增减")

    class Meta:
        verbose_name = "检索词文章数变化"
        verbose_name_plural = "检索词文章数变化"
        indexes = [models.Index(fields=["lexeme"], name="search_term_change_lexeme")]

    def __str__(self):
        return f"{self.lexeme}: {self.change:+d}"


class SubjectFacets(models.Model):
    """What a reporter, organisation or tag page's facets count, recorded once; see docs/site.md, "Kept facets"."""

    # Valid while no SubjectFacetsChange names the subject and until `expires_at` (articles/subject_facets.py).
    kind = models.CharField("类别", max_length=12, choices=SubjectListing.Kind.choices)
    subject_id = models.BigIntegerField("对象")
    # [[kind, subject id, articles], …]: filters.subject_ranking over the subject's newest FACET_SCOPE articles.
    ranking = models.JSONField("排名")
    # [["2023-03-01", articles], …]: the issue months of those articles, newest first (filters.months_of).
    months = models.JSONField("月份")
    # The next publication time of a scheduled article of the subject: it joins the scope then.
    expires_at = models.DateTimeField("失效时间", null=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "对象页分面计数"
        verbose_name_plural = "对象页分面计数"
        constraints = [models.UniqueConstraint(fields=["kind", "subject_id"], name="subject_facets_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id}"


class SubjectFacetsChange(models.Model):
    """A mark that a subject's kept facets are stale, appended by the listing's triggers (migration 0019)."""

    # Appended, never updated or deleted by writers: concurrent writers never wait for each other on a kept row.
    kind = models.CharField("类别", max_length=12, choices=SubjectListing.Kind.choices)
    subject_id = models.BigIntegerField("对象")

    class Meta:
        verbose_name = "对象页分面变化"
        verbose_name_plural = "对象页分面变化"
        indexes = [models.Index(fields=["kind", "subject_id"], name="subject_facets_change")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id}"


class PageVersion(models.Model):
    """The version of one thing public pages show (an article, issue, person… or every list); see articles/cache.py."""

    key = models.CharField("键", max_length=40, primary_key=True)
    # The time of the last change in nanoseconds: a cached page whose parts changed after it was rendered is stale.
    number = models.BigIntegerField("版本", default=0)

    class Meta:
        verbose_name = "页面版本"
        verbose_name_plural = "页面版本"

    def __str__(self):
        return f"{self.key}={self.number}"


def image_upload_to(instance, filename: str) -> str:
    """Photos by upload month; the storage adds a suffix when a name is taken."""
    return timezone.now().strftime("photos/%Y/%m/") + filename


class Image(models.Model):
    """A photo shown with an article, with its caption, its credit and its renditions."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images", verbose_name="文章")
    file = models.ImageField("图片文件", upload_to=image_upload_to, width_field="width", height_field="height")
    width = models.PositiveIntegerField("宽", null=True, blank=True, editable=False)
    height = models.PositiveIntegerField("高", null=True, blank=True, editable=False)
    caption = models.TextField("图片说明", blank=True)
    credit = models.ForeignKey(
        Reporter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="images",
        verbose_name="摄影",
        help_text="本报摄影记者；不在名单里的作者写在“署名（文字）”里。",
    )
    credit_text = models.CharField("署名（文字）", max_length=100, blank=True, help_text="如“新华社发”或外来作者。")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    # Written by articles.images.make_renditions: [{"width", "height", "format", "name"}, …], name in the storage.
    renditions = models.JSONField("缩略图", default=list, blank=True, editable=False)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "图片"
        verbose_name_plural = "图片"
        ordering = ["order", "pk"]

    def __str__(self):
        return self.caption[:40] or self.file.name

    @property
    def credit_name(self) -> str:
        return self.credit.name if self.credit else self.credit_text


class ImportJob(models.Model):
    """One admin upload imported in the background: its state, progress and report."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "完成"
        FAILED = "failed", "出错"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="操作人"
    )
    token = models.CharField("上传批次", max_length=32)
    draft = models.BooleanField("导入为草稿", default=False)
    # The uploader's delete permission, decided in the request: a re-import removes vanished stories only with it.
    allow_delete = models.BooleanField("可删除文章", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    files_total = models.PositiveIntegerField("文件数", default=0)
    files_done = models.PositiveIntegerField("已处理", default=0)
    # The import's outcome: counts and per-file results (articles.tasks.report_summary).
    report = models.JSONField("导入报告", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"导入任务 #{self.pk}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
