"""Work that leaves the request: admin imports, reindexing after renames and merges, photo renditions.

Tasks go through Django's Tasks API (the django-tasks backport); settings.TASKS picks the queue (README
"Background work"). Callers enqueue on commit, so a worker never looks for rows the request has not committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import revisions, search
from .cache import LISTS, bump_keys, invalidate_articles
from .models import Article, Byline, Image, ImportJob

logger = logging.getLogger(__name__)

# Articles reindexed per transaction by the reindex tasks: readers see progress, a failure loses one batch.
REINDEX_BATCH = 500


def enqueue_on_commit(task_function, *args) -> None:
    """Enqueue when the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_function.enqueue(*args))


# --- reindexing -----------------------------------------------------------------------------------------------


def _reindex(ids: Iterable[int]) -> int:
    ids = sorted(set(ids))
    # A rename can keep the names' counts and lengths, which is all ensure_user_terms compares.
    search.forget_user_terms()
    indexed = 0
    for start in range(0, len(ids), REINDEX_BATCH):
        with transaction.atomic():
            indexed += search.update_search_index(ids[start : start + REINDEX_BATCH])
    # The new index changes what searches and lists find; the articles' own pages were refreshed by the rename.
    bump_keys([LISTS])
    return indexed


@task()
def reindex_articles(article_ids: list[int]) -> int:
    """Re-segment and store these articles' index entries."""
    return _reindex(article_ids)


@task()
def reindex_named(model: str, pk: int) -> int:
    """Reindex every article that names this reporter or organisation (after a rename)."""
    # The ids are read here, not in the request: the most-named organisation is in most of the archive.
    if model == "reporter":
        ids = Byline.objects.filter(reporter_id=pk).values_list("article_id", flat=True)
    elif model == "organisation":
        ids = Article.organisations.through.objects.filter(organisation_id=pk).values_list("article_id", flat=True)
    else:
        raise ValueError(f"cannot reindex articles named by {model!r}")
    return _reindex(ids)


@contextmanager
def reindex_in_background() -> Iterator[set[int]]:
    """Collect the reindexing the triggers would do in this request and hand it to one task on commit."""
    with search.index_updates_deferred() as collected:
        yield collected
    if collected:
        enqueue_on_commit(reindex_articles, sorted(collected))


# --- admin imports --------------------------------------------------------------------------------------------


def report_summary(report) -> dict:
    """The part of an ImportReport the progress page shows, as JSON."""
    return {
        "ok": report.ok,
        "files": [
            {
                "source": result.source,
                "outcome": result.outcome,
                "error": result.error,
                "articles_created": result.articles_created,
                "articles_updated": result.articles_updated,
                "articles_deleted": result.articles_deleted,
                "articles_kept": len(result.articles_kept),
                "notes": list(result.notes),
            }
            for result in report.files
        ],
        "counts": {outcome: report.count(outcome) for outcome in ("created", "updated", "unchanged", "failed")},
        "articles_created": report.articles_created,
        "articles_updated": report.articles_updated,
    }


@task()
def run_import_job(job_id: int) -> dict:
    """Import an admin upload batch through the importer, recording progress and the report on the job."""
    from .admin_import import delete_batch, load_batch
    from .importers import import_pages

    job = ImportJob.objects.get(pk=job_id)
    if job.finished:
        return job.report  # run twice (a retried task): the first run's report stands
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    def progress(done, total, result):
        ImportJob.objects.filter(pk=job.pk).update(files_done=done, files_total=total)

    try:
        sources = load_batch(job.token)
        ImportJob.objects.filter(pk=job.pk).update(files_total=len(sources))
        report = import_pages(sources=sources, draft=job.draft, allow_delete=job.allow_delete, progress=progress)
        revisions.record_import(report, user=job.user)
    except Exception as error:
        logger.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=str(error) or type(error).__name__, finished_at=timezone.now()
        )
        raise
    summary = report_summary(report)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, report=summary, files_done=len(report.files), finished_at=timezone.now()
    )
    delete_batch(job.token)
    return summary


# --- photos ---------------------------------------------------------------------------------------------------


@task()
def make_image_renditions(image_id: int) -> int:
    """Make a photo's renditions; the page shows the original until they exist."""
    from .images import make_renditions

    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return 0  # deleted before the worker got to it
    renditions = make_renditions(image)
    invalidate_articles([image.article_id])  # only the pages that show this article's photos
    return len(renditions)
