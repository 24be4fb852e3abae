"""The admin's page import: upload .txt pages, preview the parse, import on confirmation through the service."""

import re
import uuid
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from .importers import SourceFile, import_pages, max_bytes_setting
from .models import ImportJob, Page
from .tasks import enqueue_on_commit, run_import_job

UPLOAD_FOLDER = "imports"
ALLOWED_SUFFIXES = {".txt"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (https://docs.djangoproject.com/en/5.2/topics/http/file-uploads/)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label="版面文本文件（.txt，可多选）")
    draft = forms.BooleanField(label="导入为草稿（不直接发布）", required=False)

    def __init__(self, *args, can_publish: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["draft"]  # an editor's import is always drafts; the view enforces it too

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = max_bytes_setting()
        problems = []
        for upload in files:
            name = PurePosixPath(upload.name).name
            if PurePosixPath(name).suffix.lower() not in ALLOWED_SUFFIXES:
                problems.append(f"{name}：只接受 .txt 文本文件。")
            elif upload.size > limit:
                size, cap = upload.size / 1048576, limit / 1048576
                problems.append(f"{name}：文件大小 {size:.1f} MB，超过 {cap:.1f} MB 上限。")
        if problems:
            raise forms.ValidationError(problems)
        return files


def batch_folder(token: str) -> str:
    """The storage folder of one upload batch; the token must be a UUID so no path can escape the folder."""
    return f"{UPLOAD_FOLDER}/{uuid.UUID(token).hex}"


def store_batch(files) -> str:
    token = uuid.uuid4().hex
    folder = batch_folder(token)
    for index, upload in enumerate(files):
        # The stored name is ours; the editor's file name is kept only as the display name after the index.
        safe = default_storage.get_valid_name(PurePosixPath(upload.name).name) or "page.txt"
        default_storage.save(f"{folder}/{index:03d}-{safe}", ContentFile(upload.read()))
    return token


def load_batch(token: str) -> list[SourceFile]:
    folder = batch_folder(token)
    _, names = default_storage.listdir(folder)
    sources = []
    for stored in sorted(names):
        with default_storage.open(f"{folder}/{stored}", "rb") as handle:
            sources.append(SourceFile(stored.split("-", 1)[-1], handle.read()))
    return sources


def delete_batch(token: str) -> None:
    folder = batch_folder(token)
    _, names = default_storage.listdir(folder)
    for stored in names:
        default_storage.delete(f"{folder}/{stored}")


# The parser reports anomalies in English (articles/parsing.py); editors read them in Chinese. Unknown texts are
# shown as they are, so a new parser message is never hidden.
WHERE = {"kicker": "引题", "title": "主题", "subtitle": "副题", "dateline": "电头"}
MARKS = {"quotes “”": "引号“”", "book-title marks 《》": "书名号《》", "brackets （）": "括号（）"}


def _where(text: str) -> str:
    paragraph = re.fullmatch(r"paragraph (\d+)", text)
    return f"第{paragraph.group(1)}段" if paragraph else WHERE.get(text, text)


ANOMALY_TRANSLATIONS = [
    (
        r"no banner line: the first line is the first article's headline",
        lambda m: "没有栏目行：第一行是第一篇文章的标题",
    ),
    (r"credit before the first article ignored: (.*)", lambda m: f"第一篇文章之前的署名已忽略：{m[1]}"),
    (r"credit without a person: (.*)", lambda m: f"署名中没有人名：{m[1]}"),
    (
        r"text before the first article was not attached to any article: (.*)",
        lambda m: f"第一篇文章之前的文字未归入任何文章：{m[1]}",
    ),
    (r"article has no headline", lambda m: "文章没有标题"),
    (r"dateline names nobody: (.*)", lambda m: f"电头中没有人名：{m[1]}"),
    (r"unreadable text in dateline (.*?): (.*)", lambda m: f"电头“{m[1]}”中有无法识别的文字：{m[2]}"),
    (r"dateline names people without a role: (.*)", lambda m: f"电头中的人名没有身份（记者、通讯员等）：{m[1]}"),
    (r"(\w+) is (\d+) characters long \(over (\d+)\)", lambda m: f"{_where(m[1])}长 {m[2]} 字（超过 {m[3]} 字）"),
    (r"the last paragraph ends without end punctuation", lambda m: "最后一段没有句末标点"),
    (r"article has no body text", lambda m: "文章没有正文"),
    (r"Latin word “(.*)” inside Chinese text in (.*)", lambda m: f"{_where(m[2])}中夹有拉丁字母单词“{m[1]}”"),
    (
        r"unbalanced (.*) in (.*) \((\d+) open, (\d+) closed\)",
        lambda m: f"{_where(m[2])}的{MARKS.get(m[1], m[1])}不成对（左 {m[3]} 个，右 {m[4]} 个）",
    ),
    (r"empty page: no text", lambda m: "空文件：没有文字"),
    (r"no recognisable article: (.*)", lambda m: "没有可识别的文章"),
]


def chinese_anomaly(text: str) -> str:
    """An importer or parser message in Chinese; an article's 《title》 prefix is kept."""
    prefix = ""
    titled = re.fullmatch(r"(《.*?》)(.*)", text, flags=re.DOTALL)
    if titled:
        prefix, text = titled[1], titled[2]
    for pattern, render in ANOMALY_TRANSLATIONS:
        found = re.fullmatch(pattern, text, flags=re.DOTALL)
        if found:
            return prefix + render(found)
    return prefix + text


def first_sentence(paragraphs: list[str]) -> str:
    if not paragraphs:
        return ""
    found = re.match(r".+?[。！？!?]", paragraphs[0])
    return found.group(0) if found else paragraphs[0]


@dataclass
class FilePreview:
    """What confirming would do with one file: 新建, 未变 or 替换 (which page), and the articles it holds."""

    result: object
    action: str = ""
    replaces: Page | None = None
    replaced_articles: int = 0
    dropped_articles: int = 0
    error: str = ""
    anomalies: list[str] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)


def preview(report) -> list[FilePreview]:
    """Compare a dry run with the database: each file's outcome as the import would decide it."""
    digests = [result.digest for result in report.files if result.digest]
    known = set(Page.objects.filter(content_hash__in=digests).values_list("content_hash", flat=True))
    # A changed text replaces only the page at its place (issue date and page number), as the importer decides.
    places = {(result.place.date, result.place.page) for result in report.files if result.ok and result.place.known}
    by_place: dict = {}
    if places:
        at_places = Q()
        for date, number in places:
            at_places |= Q(issue__date=date, number=number)
        pages = Page.objects.filter(at_places).select_related("issue").annotate(n=Count("articles")).order_by("pk")
        for page in pages:
            by_place.setdefault((page.issue.date, page.number), page)
    seen, previews = set(), []
    for result in report.files:
        item = FilePreview(result, anomalies=[chinese_anomaly(text) for text in result.anomalies])
        place = (result.place.date, result.place.page) if result.ok else None
        if not result.ok:
            item.action, item.error = "失败", chinese_anomaly(result.error)
        elif result.digest in known or result.digest in seen:
            item.action = "未变"
        elif place in by_place:
            item.action = "替换"
            item.replaces = by_place[place]
            item.replaced_articles = item.replaces.n
            item.dropped_articles = max(0, item.replaces.n - len(result.page.articles))
        else:
            item.action = "新建"
        seen.add(result.digest)
        if result.page is not None:
            item.articles = [
                {
                    "kicker": article.kicker or "",
                    "title": article.title,
                    "subtitle": article.subtitle or "",
                    "kind": article.kind,
                    "people": "、".join(f"{person.label} {person.name}" for person in article.people),
                    "first_sentence": first_sentence(article.body),
                }
                for article in result.page.articles
            ]
        previews.append(item)
    return previews


def import_view(model_admin, request):
    """Upload → preview → confirm; only staff who may add articles get here."""
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied
    can_publish = request.user.has_perm("articles.can_publish")
    can_delete = request.user.has_perm("articles.delete_article")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "导入版面",
        "opts": model_admin.model._meta,
        "can_publish": can_publish,
        "can_delete": can_delete,
    }
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        try:
            default_storage.listdir(batch_folder(token))
        except (ValueError, FileNotFoundError, OSError):
            messages.error(request, "这批上传已失效，请重新上传。")
            return redirect("admin:articles_article_import")
        # Decided here, not by the form: an editor's import is drafts whatever the page posted, and only the
        # delete permission lets a re-import remove stories. The import runs in a task (articles.tasks.run_import_job).
        job = ImportJob.objects.create(
            user=request.user,
            token=uuid.UUID(token).hex,
            draft=request.POST.get("draft") == "1" or not can_publish,
            allow_delete=can_delete,
        )
        enqueue_on_commit(run_import_job, job.pk)
        return redirect("admin:articles_article_import_job", job_id=job.pk)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, can_publish=can_publish)
        if form.is_valid():
            token = store_batch(form.cleaned_data["files"])
            report = import_pages(sources=load_batch(token), dry_run=True)
            context.update(
                {
                    "title": "导入预览",
                    "report": report,
                    "previews": preview(report),
                    "token": token,
                    "draft": form.cleaned_data.get("draft", False) or not can_publish,
                }
            )
            return TemplateResponse(request, "admin/articles/article/import_preview.html", context)
    else:
        form = UploadForm(can_publish=can_publish)
    context["form"] = form
    return TemplateResponse(request, "admin/articles/article/import.html", context)


# Seconds between reloads of the progress page (a meta refresh: the CSP allows no inline script).
PROGRESS_REFRESH_SECONDS = 2


def import_job_view(model_admin, request, job_id):
    """An import's progress, reloading itself until the task is done; then its report."""
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"导入任务 #{job.pk}：{job.get_status_display()}",
        "opts": model_admin.model._meta,
        "job": job,
        "report": job.report,
        "refresh_seconds": None if job.finished else PROGRESS_REFRESH_SECONDS,
    }
    return TemplateResponse(request, "admin/articles/article/import_job.html", context)
