"""Backup and restore: export_archive then import_archive into an empty database gives the same public site."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag

from articles.archive import ArchiveError, export_archive, import_archive
from articles.importers import import_pages
from articles.models import Article, Issue, Organisation, OrganisationAlias, Page, Reporter, ReporterAlias
from articles.services import merge_reporters

pytestmark = pytest.mark.django_db


def public_urls():
    urls = ["/", "/articles/", "/articles/?q=劳模", "/issues/", "/feeds/latest/", "/sitemap.xml"]
    urls += [article.get_absolute_url() for article in Article.objects.all()]
    urls += [issue.get_absolute_url() for issue in Issue.objects.all()]
    urls += [reporter.get_absolute_url() for reporter in Reporter.objects.all()]
    urls += [organisation.get_absolute_url() for organisation in Organisation.objects.all()]
    return urls


def render_all(client, urls):
    return {url: (response.status_code, response.content) for url in urls for response in [client.get(url)]}


def wipe():
    Article.objects.all().delete()
    Page.objects.all().delete()
    Issue.objects.all().delete()
    ReporterAlias.objects.all().delete()
    Reporter.objects.all().delete()
    OrganisationAlias.objects.all().delete()
    Organisation.objects.update(parent=None)
    Organisation.objects.all().delete()
    Tag.objects.all().delete()


@pytest.fixture
def archive(seeds_dir):
    assert import_pages(paths=[seeds_dir]).ok
    draft = Article.objects.get(title="体验手工制作乐趣")
    draft.status = Article.Status.DRAFT
    draft.save()
    merge_reporters(Reporter.objects.get(name="陈曦"), [Reporter.objects.create(name="陈希")])


def test_round_trip_gives_identical_public_pages(client, archive):
    urls = public_urls()
    before = render_all(client, urls)
    assert sum(1 for status, _ in before.values() if status == 200) > 40
    backup = io.StringIO()
    counts = export_archive(backup)
    assert counts.counts["article"] == 25
    wipe()
    assert client.get(urls[-1]).status_code == 404
    restored = import_archive(io.StringIO(backup.getvalue()))
    assert restored.counts["article"] == 25
    after = render_all(client, urls)
    for url in urls:
        assert after[url] == before[url], url
    assert ReporterAlias.objects.filter(name="陈希", reporter__name="陈曦").exists()
    assert Article.objects.get(title="体验手工制作乐趣").status == Article.Status.DRAFT
    # New rows after a restore get fresh ids (PostgreSQL sequences were moved past the restored ids).
    Reporter.objects.create(name="新记者")
    export_again = io.StringIO()
    export_archive(export_again)
    assert export_again.getvalue().count('"type": "reporter"') == Reporter.objects.count()


def test_export_is_json_lines(archive):
    backup = io.StringIO()
    export_archive(backup)
    records = [json.loads(line) for line in backup.getvalue().splitlines()]
    assert records[0] == {"type": "meta", "format": 1}
    kinds = {record["type"] for record in records}
    assert kinds >= {"issue", "page", "reporter", "organisation", "tag", "article", "reporter_alias"}
    article = next(r for r in records if r["type"] == "article" and r["title"] == "“以球会友”鼓干劲")
    assert {b["role"] for b in article["bylines"]} == {"photographer"}


def test_restore_refuses_a_database_with_content(archive):
    backup = io.StringIO()
    export_archive(backup)
    with pytest.raises(ArchiveError, match="not empty"):
        import_archive(io.StringIO(backup.getvalue()))


def test_restore_names_the_bad_line_and_writes_nothing(archive):
    backup = io.StringIO()
    export_archive(backup)
    lines = backup.getvalue().splitlines()
    wipe()
    broken = "\n".join(lines[:5] + ["{not json"] + lines[5:])
    with pytest.raises(ArchiveError, match="line 6: not JSON"):
        import_archive(io.StringIO(broken))
    assert Issue.objects.count() == 0 and Reporter.objects.count() == 0


def test_commands(tmp_path, archive):
    path = tmp_path / "backup.jsonl"
    err = io.StringIO()
    call_command("export_archive", str(path), stderr=err)
    assert "article 25" in err.getvalue()
    wipe()
    out = io.StringIO()
    call_command("import_archive", str(path), stdout=out)
    assert "article 25" in out.getvalue()
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_archive", str(tmp_path / "missing.jsonl"))


def test_round_trip_keeps_what_the_import_and_the_editors_left(archive):
    from django.utils import timezone

    first, second = Article.objects.order_by("pk")[:2]
    Article.objects.filter(pk=first.pk).update(
        credits="本报记者 王建国 摄",
        editor_note="编者按：新的一年。",
        continues_on_page=3,
        continuation=second,
        edited_by_hand=True,
        import_key="导入匹配文本",
        pending_import={"title": "新标题", "body": ["新正文"]},
        pending_import_at=timezone.now(),
    )
    Page.objects.filter(pk=first.page_id).update(header_text="第2版", unassigned_text="无处归属的文字")
    fields = ["credits", "editor_note", "continues_on_page", "continuation_id", "edited_by_hand", "import_key"]
    fields += ["pending_import", "pending_import_at"]
    before = Article.objects.values(*fields).get(pk=first.pk)
    backup = io.StringIO()
    export_archive(backup)
    wipe()
    import_archive(io.StringIO(backup.getvalue()))
    assert Article.objects.values(*fields).get(pk=first.pk) == before
    assert Page.objects.values_list("header_text", "unassigned_text").get(pk=first.page_id) == (
        "第2版",
        "无处归属的文字",
    )
