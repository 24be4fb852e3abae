"""The editors' admin, in Chinese: articles, issues, reporters, organisations, publishing and merging."""

import datetime
from contextlib import contextmanager
from functools import partial

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import (
    AdminDateWidget,
    AdminSplitDateTime,
    AdminTextareaWidget,
    AdminTimeWidget,
    AutocompleteSelect,
)
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin
from reversion.models import Version
from taggit.models import TaggedItem

from . import revisions, search, services
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
UNASSIGNED_WARNING = "以下文字导入时未归入任何文章，按原样保留，请核对后移入相应文章或删除："
PENDING_WARNING = "导入的新文本：本文经编辑改动，导入未覆盖编辑的版本；请对照核对后手工采纳或忽略。"


def warning_panel(warning: str, lines) -> str:
    """A warning line above text shown as printed, one paragraph per line (escaped)."""
    return format_html(
        '<div class="warning-panel"><p><strong>⚠ {}</strong></p>{}</div>',
        warning,
        format_html_join("", "<p>{}</p>", ((line,) for line in lines)),
    )


NO_PUBLISH_MESSAGE = "您没有发布权限：只有主编可以发布或撤回文章。"
NO_REVERT_MESSAGE = "只有主编可以恢复旧版本。"
# What an editor may do with the status: write (草稿) and submit for review (待审), both ways.
EDITOR_STATUSES = frozenset({Article.Status.DRAFT, Article.Status.SUBMITTED})


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


class AutocompleteListFilter(admin.SimpleListFilter):
    """A list filter that is one autocomplete box (Django's own select2 widget), however many rows there are."""

    template = "admin/articles/autocomplete_filter.html"
    relation = ""  # the Article relation whose admin autocomplete the box asks

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def choices(self, changelist):
        # One entry: where to go with a choice made, and where to go when it is cleared.
        yield {"clear_url": changelist.get_query_string(remove=[self.parameter_name]), "selected": bool(self.value())}

    def selected_id(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None

    def widget_html(self):
        field = Article._meta.get_field(self.relation)
        choice = forms.ModelChoiceField(
            queryset=field.remote_field.model._default_manager.all(),
            required=False,
            widget=AutocompleteSelect(
                field,
                admin.site,
                attrs={"data-filter-param": self.parameter_name, "data-placeholder": f"输入{self.title}"},
            ),
        )
        return choice.widget.render(
            f"filter-{self.parameter_name}", self.selected_id(), attrs={"id": f"filter-{self.parameter_name}"}
        )

    def queryset(self, request, queryset):
        selected = self.selected_id()
        if selected is None:
            return queryset
        return queryset.filter(pk__in=self.article_ids(selected))


class IssueFilter(AutocompleteListFilter):
    title = "期次"
    parameter_name = "issue"
    relation = "issue"

    def queryset(self, request, queryset):
        selected = self.selected_id()
        return queryset if selected is None else queryset.filter(issue_id=selected)


class TagFilter(AutocompleteListFilter):
    title = "标签"
    parameter_name = "tag"
    relation = "tags"

    def article_ids(self, tag_id):
        return TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Article), tag_id=tag_id).values(
            "object_id"
        )


class ReporterFilter(AutocompleteListFilter):
    title = "署名记者"
    parameter_name = "reporter"
    relation = "reporters"

    def article_ids(self, reporter_id):
        # Through the bylines: one person in two roles is still one article.
        return Byline.objects.filter(reporter_id=reporter_id).values("article_id")


class OrganisationFilter(AutocompleteListFilter):
    title = "相关组织"
    parameter_name = "organisation"
    relation = "organisations"

    def article_ids(self, organisation_id):
        return Article.organisations.through.objects.filter(organisation_id=organisation_id).values("article_id")


class LineTextField(forms.CharField):
    """Text with LF line endings, as the importer stores it: the CRLF a browser sends is no change."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class SecondsSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, the time to the second (zh-hans shows minutes only)."""

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, [AdminDateWidget, AdminTimeWidget(format="%H:%M:%S")], attrs)


class ExactDateTimeField(forms.SplitDateTimeField):
    """Shown and read to the second; a stored time with microseconds counts as unchanged when shown unchanged."""

    widget = SecondsSplitDateTime

    def has_changed(self, initial, data):
        if isinstance(initial, datetime.datetime):
            initial = initial.replace(microsecond=0)
        return super().has_changed(initial, data)


class ArticleAdminForm(forms.ModelForm):
    """Exact round trip of an unchanged article; status moves limited by role (editors: 草稿 ↔ 待审)."""

    request = None  # set per request by ArticleAdmin.get_form

    body = LineTextField(label="正文", required=False, widget=AdminTextareaWidget, help_text="每行一段。")
    published_at = ExactDateTimeField(
        label="发布时间", required=False, help_text="晚于当前时间即为定时发布，届时才对读者可见。"
    )

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
            "credits",
            "editor_note",
            "continued_from_page",
            "continues_on_page",
            "continuation",
            "issue",
            "page",
            "position",
            "status",
            "published_at",
            "review_comment",
            "tags",
            "organisations",
        ]

    def clean_published_at(self):
        value = self.cleaned_data.get("published_at")
        stored = self.instance.published_at if self.instance.pk else None
        if value is not None and stored is not None and value == stored.replace(microsecond=0):
            return stored  # shown to the second, kept to the microsecond
        return value

    def clean(self):
        cleaned = super().clean()
        user = getattr(self.request, "user", None)
        old_status = self.instance.status if self.instance.pk else Article.Status.DRAFT
        new_status = cleaned.get("status", old_status)
        if user is None or user.has_perm(PUBLISH_PERMISSION):
            if new_status == Article.Status.PUBLISHED and not cleaned.get("published_at"):
                # Publishing without a time means "now"; the model's constraint needs the time before saving.
                cleaned["published_at"] = timezone.now().replace(microsecond=0)
            return cleaned
        # Only what the editor actually changed is checked: an unchanged save of a published article passes.
        if "status" in self.changed_data and not {old_status, new_status} <= EDITOR_STATUSES:
            self.add_error("status", NO_PUBLISH_MESSAGE)
        if "published_at" in self.changed_data:
            self.add_error("published_at", NO_PUBLISH_MESSAGE)
        return cleaned


class ReturnForm(forms.Form):
    comment = forms.CharField(label="退回意见", widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), max_length=2000)


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    change_list_template = "admin/articles/article/change_list.html"
    object_history_template = "admin/articles/article/object_history.html"
    list_display = ["title", "issue", "status", "byline_names", "published_at"]
    list_display_links = ["title"]
    list_filter = [
        "status",
        "kind",
        # Not date_hierarchy: its year links and first/last dates aggregate every matching row on each page view.
        ("published_at", admin.DateFieldListFilter),
        IssueFilter,
        TagFilter,
        OrganisationFilter,
        ReporterFilter,
    ]
    list_select_related = ["issue"]
    list_per_page = 50
    search_fields = ["title"]  # shows the search box; get_search_results does the searching
    search_help_text = "检索标题、正文（全文检索）、署名记者及其别名、相关组织及其简称。"
    # A count of the whole table beside the filtered one is a second count per page view; the search's own count
    # (exact up to EXACT_COUNT_LIMIT, then estimated) is what the paginator shows.
    show_full_result_count = False
    paginator = search.SearchPaginator
    autocomplete_fields = ["organisations", "issue", "page"]
    raw_id_fields = ["continuation"]
    readonly_fields = ["import_ref", "slug", "created_at", "updated_at", "pending_import_panel"]
    inlines = [BylineInline, ImageInline]
    actions = ["submit_articles", "publish_articles", "return_articles", "unpublish_articles"]
    fieldsets = [
        (None, {"fields": ["kicker", "title", "subtitle", "slug", "kind"]}),
        ("待核对的导入文本", {"fields": ["pending_import_panel"]}),
        ("正文", {"fields": ["editor_note", "dateline", "body", "credits", "event_date"]}),
        (
            "版面位置",
            {"fields": ["issue", "page", "position", "continued_from_page", "continues_on_page", "continuation"]},
        ),
        ("发布", {"fields": ["status", "published_at", "review_comment"]}),
        ("分类", {"fields": ["tags", "organisations"]}),
        ("导入信息", {"classes": ["collapse"], "fields": ["import_ref", "created_at", "updated_at"]}),
    ]

    @property
    def media(self):
        filter_box = AutocompleteSelect(Article._meta.get_field("tags"), admin.site)
        return (
            super().media
            + filter_box.media
            + forms.Media(
                css={"all": ["admin/articles/desk.css"]},
                js=["admin/js/jquery.init.js", "admin/articles/autocomplete_filter.js"],
            )
        )

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
                "<path:object_id>/history/<int:version_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(partial(import_job_view, self)),
                name="articles_article_import_job",
            ),
        ]
        return urls + super().get_urls()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(PUBLISH_PERMISSION):
            fields.append("review_comment")  # the chief editor's words, shown to the editor
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.pending_import:
            fieldsets = [fieldset for fieldset in fieldsets if fieldset[1]["fields"] != ["pending_import_panel"]]
        return fieldsets

    @admin.display(description="导入的新文本")
    def pending_import_panel(self, obj):
        pending = obj.pending_import or {}
        headings = [pending.get(key, "") for key in ("kicker", "title", "subtitle", "dateline")]
        people = [f"{person['label'] or person['role']} {person['name']}" for person in pending.get("people", [])]
        lines = [line for line in headings + pending.get("body", []) + pending.get("credits", []) if line]
        if people:
            lines.append("署名：" + "、".join(people))
        when = timezone.localtime(obj.pending_import_at).strftime("%Y-%m-%d %H:%M") if obj.pending_import_at else ""
        return warning_panel(f"{PENDING_WARNING}（{when}）", lines)

    def get_search_results(self, request, queryset, search_term):
        """The site's full-text search: headings, body, bylines (names, aliases), organisations (names, aliases)."""
        # Names and aliases of the bylines and organisations are in each article's index entry (search/documents.py),
        # so one indexed condition finds them all, where OR-ed subqueries made PostgreSQL read the whole table.
        term = search_term.strip()
        if not term:
            return queryset, False
        found = search.search_articles(queryset, term)
        # A reporter's aliases are not in the index (the bylines store the reporter): the few reporters an alias
        # names add their articles, an OR that only a search naming an alias pays for.
        aliased = list(ReporterAlias.objects.filter(name__icontains=term).values_list("reporter_id", flat=True)[:20])
        if aliased:
            by_alias = queryset.filter(pk__in=Byline.objects.filter(reporter_id__in=aliased).values("article_id"))
            found = (found | by_alias.annotate(search_rank=found.query.annotations["search_rank"])).distinct()
            found.query.newsroom_search = None  # counted as an ordinary queryset: it is more than the search
        return found, False

    # --- saving exactly -------------------------------------------------------------------------------------

    @contextmanager
    def create_revision(self, request):
        # Revisions are recorded by hand once everything is saved (save_related), so that the revision holds the
        # final bylines and tags, and an unchanged save records nothing.
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            yield

    def _unchanged(self, request, form, change):
        unchanged_form = form is not None and not form.has_changed()
        return change and unchanged_form and not getattr(request, "_reverting", False)

    def save_model(self, request, obj, form, change):
        if self._unchanged(request, form, change):
            return  # nothing to write: the row, its update time and its index entry stay as they are
        # An import never overwrites or deletes what an editor has saved (importers.PageWriter._articles).
        obj.edited_by_hand = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if self._unchanged(request, form, change):
            # taggit rewrites every tag link on save; an unchanged form writes only the changed inline rows.
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
        else:
            super().save_related(request, form, formsets, change)
        if not self._unchanged(request, form, change) or any(formset.has_changed() for formset in formsets):
            reversion.add_to_revision(form.instance)

    def log_change(self, request, obj, message):
        if not message and not getattr(request, "_reverting", False):
            return None  # no history entry for a save that changed nothing
        return super().log_change(request, obj, message)

    # --- history, compare and revert ------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        versions = list(
            Version.objects.get_for_object(article).select_related("revision", "revision__user").order_by("-pk")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"修改历史：{article}",
            "subtitle": None,
            "object": article,
            "opts": self.model._meta,
            "versions": versions,
            "can_revert": request.user.has_perm(PUBLISH_PERMISSION),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id, version_id):
        """One version against the one before it and against the article as it is now."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        versions = Version.objects.get_for_object(article).select_related("revision", "revision__user")
        version = get_object_or_404(versions, pk=version_id)
        previous = versions.filter(pk__lt=version.pk).order_by("-pk").first()
        this = revisions.snapshot_of_version(version)
        context = {
            **self.admin_site.each_context(request),
            "title": f"版本对比：{article}",
            "subtitle": None,
            "object": article,
            "opts": self.model._meta,
            "version": version,
            "previous": previous,
            "against_previous": revisions.diff(revisions.snapshot_of_version(previous), this) if previous else None,
            "against_current": revisions.diff(this, revisions.snapshot_of_article(article)),
            "can_revert": request.user.has_perm(PUBLISH_PERMISSION),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Revert to a version (chief editors only); the article keeps its present publication state."""
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied(NO_REVERT_MESSAGE)
        current = Article.objects.filter(pk=unquote(object_id)).values("status", "published_at").first()
        request._reverting = True
        # Reverting restores the text, people, tags and place; publishing or withdrawing stays a separate step.
        request._keep_publication = current
        return super().revision_view(request, object_id, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied(NO_REVERT_MESSAGE)
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied(NO_REVERT_MESSAGE)
        request._reverting = True
        return super().recover_view(request, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        kept = getattr(request, "_keep_publication", None)
        if obj is not None and kept:
            obj.status, obj.published_at = kept["status"], kept["published_at"]
        return obj

    # --- list ---------------------------------------------------------------------------------------------------

    @admin.display(description="署名")
    def byline_names(self, obj):
        return "、".join(f"{b.get_role_display()} {b.reporter.name}" for b in obj.bylines.all())

    def _record(self, request, articles, comment):
        revisions.record(articles, user=request.user, comment=comment)

    @admin.action(description="提交审核（草稿 → 待审）")
    def submit_articles(self, request, queryset):
        done = services.submit(queryset)
        self._record(request, done, "提交审核")
        self.message_user(request, f"已提交 {len(done)} 篇文章待审。", messages.SUCCESS)

    @admin.action(description="发布所选文章")
    def publish_articles(self, request, queryset):
        if not request.user.has_perm(PUBLISH_PERMISSION):
            self.message_user(request, NO_PUBLISH_MESSAGE, messages.ERROR)
            return
        done = services.publish(queryset)
        self._record(request, done, "发布")
        self.message_user(request, f"已发布 {len(done)} 篇文章。", messages.SUCCESS)

    @admin.action(description="退回所选待审文章（附意见）")
    def return_articles(self, request, queryset):
        if not request.user.has_perm(PUBLISH_PERMISSION):
            self.message_user(request, NO_PUBLISH_MESSAGE, messages.ERROR)
            return None
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            comment = form.cleaned_data["comment"]
            done = services.return_to_draft(queryset, comment)
            self._record(request, done, f"退回：{comment}")
            self.message_user(request, f"已退回 {len(done)} 篇文章。", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "退回待审文章",
            "opts": self.model._meta,
            "form": form,
            "objects": queryset.filter(status=Article.Status.SUBMITTED),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "return_articles",
        }
        return TemplateResponse(request, "admin/articles/article/return.html", context)

    @admin.action(description="撤回所选文章（改为草稿）")
    def unpublish_articles(self, request, queryset):
        if not request.user.has_perm(PUBLISH_PERMISSION):
            self.message_user(request, NO_PUBLISH_MESSAGE, messages.ERROR)
            return
        done = services.unpublish(queryset)
        self._record(request, done, "撤回为草稿")
        self.message_user(request, f"已撤回 {len(done)} 篇文章。", messages.SUCCESS)


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
    readonly_fields = ["import_ref", "created_at", "unassigned_notice"]
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

    @admin.display(description="未归属文字")
    def unassigned_notice(self, obj):
        pages = [page for page in obj.pages.all() if page.unassigned_text.strip()] if obj.pk else []
        if not pages:
            return "—"
        lines = [f"{page}：{line}" for page in pages for line in page.unassigned_text.splitlines() if line.strip()]
        return warning_panel(UNASSIGNED_WARNING, lines)

    @admin.action(description="确认所选期次的日期")
    def confirm_dates(self, request, queryset):
        count = queryset.exclude(date=None).update(date_inferred=False)
        self.message_user(request, f"已确认 {count} 期的日期。", messages.SUCCESS)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "issue", "number", "banner", "source_name"]
    list_select_related = ["issue"]
    search_fields = ["banner", "source_name"]
    readonly_fields = ["import_ref", "content_hash", "encoding", "imported_at", "header_text", "unassigned_warning"]
    exclude = ["unassigned_text"]

    @admin.display(description="未归属文字")
    def unassigned_warning(self, obj):
        lines = [line for line in obj.unassigned_text.splitlines() if line.strip()]
        return warning_panel(UNASSIGNED_WARNING, lines) if lines else "—"

    autocomplete_fields = ["issue"]


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, label="保留哪一条")

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = queryset


class MergeAdminMixin:
    """A merge action: pick the record to keep; the others' links and aliases move to it, then they go.

    Each merge first records a revision of the records as they were, so 恢复已删除的… undoes it.
    """

    merge_service = None
    actions = ["merge_selected"]
    candidate_details = ()  # (label, callable) pairs shown per candidate on the merge screen

    def changelist_view(self, request, extra_context=None):
        # Not inside VersionAdmin's revision: the merge records its own, closed before the rows move.
        return admin.ModelAdmin.changelist_view(self, request, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

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
                    result = type(self).merge_service(keep, list(queryset.exclude(pk=keep.pk)), user=request.user)
            except services.MergeError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            details = "，".join(f"{key}={value}" for key, value in result.items())
            self.message_user(request, f"已合并到“{keep}”（{details}）。", messages.SUCCESS)
            return None
        candidates = [
            {"object": obj, "details": [(label, describe(obj)) for label, describe in self.candidate_details]}
            for obj in queryset
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"合并{self.model._meta.verbose_name}",
            "opts": self.model._meta,
            "form": form,
            "objects": queryset,
            "candidates": candidates,
            "detail_labels": [label for label, _ in self.candidate_details],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "merge_selected",
        }
        return TemplateResponse(request, "admin/articles/merge.html", context)


class ReporterAliasInline(admin.TabularInline):
    model = ReporterAlias
    extra = 0


def _alias_names(obj) -> str:
    return "、".join(alias.name for alias in obj.aliases.all()) or "—"


@admin.register(Reporter)
class ReporterAdmin(MergeAdminMixin, VersionAdmin):
    merge_service = staticmethod(services.merge_reporters)
    candidate_details = (
        ("文章数", lambda obj: obj.article_total),
        ("所属单位", lambda obj: obj.affiliation or "—"),
        ("身份", lambda obj: obj.get_kind_display()),
        ("别名", _alias_names),
    )
    ordering = ["name"]
    list_display = ["name", "kind", "affiliation", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "affiliation", "aliases__name"]
    inlines = [ReporterAliasInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_total=Count("bylines__article", distinct=True))
            .prefetch_related("aliases")
        )

    @admin.display(description="文章数", ordering="article_total")
    def article_count(self, obj):
        return obj.article_total


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(MergeAdminMixin, VersionAdmin):
    merge_service = staticmethod(services.merge_organisations)
    candidate_details = (
        ("文章数", lambda obj: obj.article_total),
        ("上级组织", lambda obj: obj.parent or "—"),
        ("类别", lambda obj: obj.get_kind_display()),
        ("简称", _alias_names),
    )
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
