"""The editors' admin, in Chinese: articles, issues, reporters, organisations, publishing and merging."""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from taggit.models import Tag

from . import services
from .admin_import import import_job_view, import_view
from .images import stored_name, validate_image_upload
from .models import (
    Article,
    Byline,
    Image,
    Issue,
    Organisation,
    OrganisationAlias,
    Page,
    Reporter,
    ReporterAlias,
)
from .tasks import reindex_in_background

admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME} 编辑后台"
admin.site.site_title = f"{settings.NEWSROOM_SITE_NAME} 编辑后台"
admin.site.index_title = "内容管理"

PUBLISH_PERMISSION = "articles.can_publish"
NO_PUBLISH_MESSAGE = "您没有发布权限：只有主编可以发布或撤回文章。"


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    autocomplete_fields = ["reporter"]
    fields = ["reporter", "role", "label", "order"]


class ImageForm(forms.ModelForm):
    """A photo upload checked by content (articles.images) before anything is stored."""

    class Meta:
        model = Image
        fields = ["file", "caption", "credit", "credit_text", "order"]
        widgets = {"caption": forms.Textarea(attrs={"rows": 2, "cols": 40})}
        # A plain file field: forms.ImageField would refuse an SVG with a generic message before clean_file names why.
        field_classes = {"file": forms.FileField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The photographer role: people credited as 摄影 in a byline, or already credited with a photo.
        photographers = Q(bylines__role=Byline.Role.PHOTOGRAPHER) | Q(images__isnull=False)
        if self.instance.credit_id:
            photographers |= Q(pk=self.instance.credit_id)
        self.fields["credit"].queryset = Reporter.objects.filter(photographers).distinct().order_by("name")
        self.fields["file"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,image/gif"

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and "file" in self.changed_data:
            kind = validate_image_upload(upload)
            upload.name = stored_name(upload.name, kind)
        return upload


class ImageInline(admin.StackedInline):
    model = Image
    form = ImageForm
    extra = 0
    ordering = ["order", "pk"]
    fields = ["file", "caption", "credit", "credit_text", "order"]


class TagFilter(admin.SimpleListFilter):
    """Filter by tag; taggit's manager is not a plain relation the stock filter can list."""

    title = "标签"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return Tag.objects.filter(article__isnull=False).distinct().order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class ArticleAdminForm(forms.ModelForm):
    """Refuses a status change from anyone without the publish permission."""

    request = None  # set per request by ArticleAdmin.get_form

    class Meta:
        model = Article
        fields = [
            "kicker",
            "title",
            "subtitle",
            "kind",
            "dateline",
            "body",
            "event_date",
            "issue",
            "page",
            "position",
            "status",
            "published_at",
            "tags",
            "organisations",
        ]

    def clean(self):
        cleaned = super().clean()
        user = getattr(self.request, "user", None)
        if user is None or user.has_perm(PUBLISH_PERMISSION):
            if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
                # Publishing without a time means "now"; the model's constraint needs the time before saving.
                cleaned["published_at"] = timezone.now()
            return cleaned
        old_status = self.instance.status if self.instance.pk else Article.Status.DRAFT
        new_status = cleaned.get("status", old_status)
        if new_status != old_status:
            self.add_error("status", NO_PUBLISH_MESSAGE)
        old_time = self.instance.published_at if self.instance.pk else None
        if "published_at" in cleaned and cleaned.get("published_at") != old_time:
            self.add_error("published_at", NO_PUBLISH_MESSAGE)
        return cleaned


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "issue", "status", "byline_names", "published_at"]
    list_display_links = ["title"]
    list_filter = [
        "status",
        "kind",
        ("issue", admin.RelatedOnlyFieldListFilter),
        TagFilter,
        ("organisations", admin.RelatedOnlyFieldListFilter),
        ("reporters", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["issue"]
    list_per_page = 50
    search_fields = ["title", "kicker", "subtitle", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["organisations", "issue", "page"]
    readonly_fields = ["import_ref", "slug", "created_at", "updated_at"]
    inlines = [BylineInline, ImageInline]
    actions = ["publish_articles", "unpublish_articles"]
    fieldsets = [
        (None, {"fields": ["kicker", "title", "subtitle", "slug", "kind"]}),
        ("正文", {"fields": ["dateline", "body", "event_date"]}),
        ("版面位置", {"fields": ["issue", "page", "position"]}),
        ("发布", {"fields": ["status", "published_at"]}),
        ("分类", {"fields": ["tags", "organisations"]}),
        ("导入信息", {"classes": ["collapse"], "fields": ["import_ref", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bylines__reporter")

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(partial(import_view, self)),
                name="articles_article_import",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(partial(import_job_view, self)),
                name="articles_article_import_job",
            ),
        ]
        return urls + super().get_urls()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    @admin.display(description="署名")
    def byline_names(self, obj):
        return "、".join(f"{b.get_role_display()} {b.reporter.name}" for b in obj.bylines.all())

    @admin.action(description="发布所选文章")
    def publish_articles(self, request, queryset):
        if not request.user.has_perm(PUBLISH_PERMISSION):
            self.message_user(request, NO_PUBLISH_MESSAGE, messages.ERROR)
            return
        count = services.publish(queryset)
        self.message_user(request, f"已发布 {count} 篇文章。", messages.SUCCESS)

    @admin.action(description="撤回所选文章（改为草稿）")
    def unpublish_articles(self, request, queryset):
        if not request.user.has_perm(PUBLISH_PERMISSION):
            self.message_user(request, NO_PUBLISH_MESSAGE, messages.ERROR)
            return
        count = services.unpublish(queryset)
        self.message_user(request, f"已撤回 {count} 篇文章。", messages.SUCCESS)


class ArticleInline(admin.TabularInline):
    model = Article
    extra = 0
    fields = ["page", "position", "title", "kind", "status"]
    readonly_fields = ["page", "title", "kind", "status"]
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("page").order_by("page__number", "page_id", "position")

    def has_add_permission(self, request, obj=None):
        return False


class PageInline(admin.TabularInline):
    model = Page
    extra = 0
    fields = ["number", "banner", "source_name", "encoding", "imported_at"]
    readonly_fields = ["source_name", "encoding", "imported_at"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "date", "date_inferred", "number", "page_count", "article_count"]
    list_filter = ["date_inferred"]
    search_fields = ["number", "pages__banner"]
    date_hierarchy = "date"
    readonly_fields = ["import_ref", "created_at"]
    inlines = [PageInline, ArticleInline]
    actions = ["confirm_dates"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(page_total=Count("pages", distinct=True), article_total=Count("articles", distinct=True))
        )

    @admin.display(description="版数", ordering="page_total")
    def page_count(self, obj):
        return obj.page_total

    @admin.display(description="文章数", ordering="article_total")
    def article_count(self, obj):
        return obj.article_total

    @admin.action(description="确认所选期次的日期")
    def confirm_dates(self, request, queryset):
        count = queryset.exclude(date=None).update(date_inferred=False)
        self.message_user(request, f"已确认 {count} 期的日期。", messages.SUCCESS)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "issue", "number", "banner", "source_name"]
    list_select_related = ["issue"]
    search_fields = ["banner", "source_name"]
    readonly_fields = ["import_ref", "content_hash", "encoding", "imported_at"]
    autocomplete_fields = ["issue"]


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, label="保留哪一条")

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = queryset


class MergeAdminMixin:
    """A merge action: pick the record to keep; the others' links and aliases move to it, then they go."""

    merge_service = None
    actions = ["merge_selected"]

    @admin.action(description="合并所选记录", permissions=["delete"])
    def merge_selected(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, "请至少选择两条记录进行合并。", messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, queryset=queryset)
        if "apply" in request.POST and form.is_valid():
            keep = form.cleaned_data["keep"]
            try:
                # The moved links' reindexing runs in a task; the request only enqueues it.
                with transaction.atomic(), reindex_in_background():
                    result = type(self).merge_service(keep, list(queryset.exclude(pk=keep.pk)))
            except services.MergeError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            details = "，".join(f"{key}={value}" for key, value in result.items())
            self.message_user(request, f"已合并到“{keep}”（{details}）。", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"合并{self.model._meta.verbose_name}",
            "opts": self.model._meta,
            "form": form,
            "objects": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "merge_selected",
        }
        return TemplateResponse(request, "admin/articles/merge.html", context)


class ReporterAliasInline(admin.TabularInline):
    model = ReporterAlias
    extra = 0


@admin.register(Reporter)
class ReporterAdmin(MergeAdminMixin, admin.ModelAdmin):
    merge_service = staticmethod(services.merge_reporters)
    ordering = ["name"]
    list_display = ["name", "kind", "affiliation", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "affiliation", "aliases__name"]
    inlines = [ReporterAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("bylines__article", distinct=True))

    @admin.display(description="文章数", ordering="article_total")
    def article_count(self, obj):
        return obj.article_total


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(MergeAdminMixin, admin.ModelAdmin):
    merge_service = staticmethod(services.merge_organisations)
    list_display = ["name", "kind", "parent", "alias_names", "article_count"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "aliases__name"]
    autocomplete_fields = ["parent"]
    inlines = [OrganisationAliasInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_total=Count("articles", distinct=True))
            .prefetch_related("aliases")
        )

    @admin.display(description="文章数", ordering="article_total")
    def article_count(self, obj):
        return obj.article_total

    @admin.display(description="简称")
    def alias_names(self, obj):
        return "、".join(alias.name for alias in obj.aliases.all())
