"""Background work through the django-tasks database backend and its worker, as `make run` and production run it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from articles import search
from articles.models import Article, ImportJob, Organisation
from tests import factories

# The worker reads committed rows in its own transactions, like a separate process. No serialized_rollback (a
# plain transactional test run before would make restoring it fail), so the tests log in as a superuser rather
# than as a member of the editorial groups, which the flush removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def run_worker():
    """Run every queued task once, as `manage.py db_worker --batch` does, in this process."""
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--no-reload", verbosity=0)


def found(query):
    return list(search.search_articles(Article.objects.published(), query).values_list("pk", flat=True))


def union_named_in_three_articles():
    """海淀区总工会 linked to three indexed articles: (organisation, articles)."""
    union = factories.OrganisationFactory(name="海淀区总工会")
    articles = [factories.ArticleFactory(body=f"第{n}次会议召开。") for n in range(3)]
    for article in articles:
        article.organisations.add(union)
    search.update_search_index([article.pk for article in articles])
    return union, articles


def rename_in_admin(client, organisation, name):
    """Post the organisation's change form with a new name, as an editor saving it would."""
    response = client.post(
        reverse("admin:articles_organisation_change", args=[organisation.pk]),
        {
            "name": name,
            "slug": organisation.slug,
            "kind": organisation.kind,
            "parent": "",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Organisation.objects.get(pk=organisation.pk).name == name


def test_admin_upload_imports_in_a_task_and_the_page_follows_it(database_tasks, superuser_client, seeds_dir):
    url = reverse("admin:articles_article_import")
    page_file = sorted(seeds_dir.glob("*.txt"))[0]
    preview = superuser_client.post(url, {"files": [SimpleUploadedFile("a.txt", page_file.read_bytes())]})
    confirmed = superuser_client.post(url, {"confirm": "1", "token": preview.context["token"], "draft": "1"})
    assert confirmed.status_code == 302
    # The request only queued the job: nothing is imported until a worker runs it.
    assert Article.objects.count() == 0
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    waiting = superuser_client.get(confirmed["Location"])
    assert 'http-equiv="refresh"' in waiting.content.decode() and "等待后台任务开始" in waiting.content.decode()

    run_worker()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.files_done == job.files_total == 1
    assert job.report["counts"]["created"] == 1, job.report
    assert job.report["articles_created"] == Article.objects.count() > 0
    assert not Article.objects.published().exists(), "the editor asked for drafts"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    done = superuser_client.get(confirmed["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done and f"新建文章 {job.report['articles_created']} 篇" in done


def test_import_job_of_a_vanished_batch_fails_with_its_reason(database_tasks, superuser):
    from articles.tasks import run_import_job

    job = ImportJob.objects.create(user=superuser, token="0" * 32)
    run_import_job.enqueue(job.pk)
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.error
    assert DBTaskResult.objects.get().status == "FAILED"


def test_admin_rename_enqueues_and_the_worker_reindexes(database_tasks, superuser_client):
    union, articles = union_named_in_three_articles()
    DBTaskResult.objects.all().delete()  # the factories' own saves queued nothing the test looks at
    assert sorted(found("海淀区总工会")) == sorted(a.pk for a in articles)

    rename_in_admin(superuser_client, union, "海淀区职工联合会")
    # The rename's revision holds the organisation, not a copy of each article link (that grew with the archive).
    revision = Version.objects.get_for_object(union).first().revision
    assert [version.object for version in revision.version_set.all()] == [union]
    # The request enqueued the reindexing and did not do it.
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and queued.task_path == "articles.tasks.reindex_named"
    assert found("海淀区职工联合会") == []

    run_worker()

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == 3
    assert sorted(found("海淀区职工联合会")) == sorted(a.pk for a in articles)


def test_admin_merge_moves_links_at_once_and_reindexes_in_a_task(database_tasks, superuser_client):
    keep = factories.OrganisationFactory(name="北京市总工会")
    typo = factories.OrganisationFactory(name="北京市总公会")
    article = factories.ArticleFactory(body="北京市总公会慰问一线职工。")
    article.organisations.add(typo)
    search.update_search_index([article.pk])
    DBTaskResult.objects.all().delete()
    url = reverse("admin:articles_organisation_changelist")
    selected = [keep.pk, typo.pk]
    response = superuser_client.post(
        url, {"action": "merge_selected", "_selected_action": selected, "apply": "1", "keep": keep.pk}
    )
    assert response.status_code == 302
    assert list(article.organisations.all()) == [keep]
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "articles.tasks.reindex_articles" in paths
    assert all(status == "READY" for status in DBTaskResult.objects.values_list("status", flat=True))
    run_worker()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # The index now names the survivor for an article whose text only had the misspelling.
    assert found("北京市总工会") == [article.pk]
