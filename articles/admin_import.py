"""The admin's page import: upload .txt pages, preview the parse, import on confirmation through the service."""

import uuid
from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from .importers import SourceFile, import_pages, max_bytes_setting
from .models import ImportJob
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


def import_view(model_admin, request):
    """Upload → preview → confirm; only staff who may add articles get here."""
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "导入版面",
        "opts": model_admin.model._meta,
    }
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        try:
            default_storage.listdir(batch_folder(token))
        except (ValueError, FileNotFoundError, OSError):
            messages.error(request, "这批上传已失效，请重新上传。")
            return redirect("admin:articles_article_import")
        # The import runs in a task (articles.tasks.run_import_job); this request only records and enqueues it.
        job = ImportJob.objects.create(
            user=request.user, token=uuid.UUID(token).hex, draft=request.POST.get("draft") == "1"
        )
        enqueue_on_commit(run_import_job, job.pk)
        return redirect("admin:articles_article_import_job", job_id=job.pk)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            token = store_batch(form.cleaned_data["files"])
            report = import_pages(sources=load_batch(token), dry_run=True)
            context.update(
                {
                    "title": "导入预览",
                    "report": report,
                    "token": token,
                    "draft": form.cleaned_data["draft"],
                    "anomalies": report.anomalies,
                }
            )
            return TemplateResponse(request, "admin/articles/article/import_preview.html", context)
    else:
        form = UploadForm()
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
