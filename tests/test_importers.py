"""The import service, the import_seeds command and the admin upload, on the real seed pages."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.urls import reverse
from taggit.models import Tag

from articles import importers, parsing, search
from articles.importers import SourceFile, decode_page, import_pages
from articles.models import Article, Byline, Issue, Organisation, Page, Reporter
from tests import factories

pytestmark = pytest.mark.django_db

SEEDS = Path(settings.BASE_DIR) / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def snapshot():
    """Row counts of everything an import writes."""
    return {
        "issues": Issue.objects.count(),
        "pages": Page.objects.count(),
        "articles": Article.objects.count(),
        "bylines": Byline.objects.count(),
        "reporters": Reporter.objects.count(),
        "organisations": Organisation.objects.count(),
        "tags": Tag.objects.count(),
        "org_links": Article.organisations.through.objects.count(),
        "tag_links": Article.tags.through.objects.count(),
    }


def run_command(*args):
    """Run import_seeds in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_seeds", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    except CommandError as error:
        code, err = error.returncode, io.StringIO(str(error))
    return code, out.getvalue(), err.getvalue()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """A page file at this path (folders created), as an editor would lay out an archive."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def imported():
    report = import_pages(paths=[SEEDS])
    assert report.ok, [(f.source, f.error) for f in report.failed]
    return report


def test_seeds_import_whole(imported):
    assert imported.count("created") == 5
    assert imported.articles_created == 25
    assert Article.objects.count() == 25
    assert Article.objects.published().count() == 25
    assert Page.objects.count() == 5
    assert Reporter.objects.count() == 22
    assert imported.people_created == 22
    assert Byline.objects.filter(role=Byline.Role.PHOTOGRAPHER).count() >= 5
    for article in Article.objects.all():
        assert article.tags.count() >= 3
        assert article.body.strip()
        assert article.slug


def test_seed_article_fields_land_in_the_database(imported):
    article = Article.objects.get(title="市总工会召开党组理论学习中心组学习(扩大)会")
    assert article.subtitle == "推动全面学习、全面把握、全面落实党的二十大精神"
    assert article.dateline.startswith("本报讯")
    assert article.paragraphs[0].startswith("11月14日上午")
    assert list(article.bylines.values_list("reporter__name", "role")) == [
        ("白莹", "reporter"),
        ("陈艺", "photographer"),
    ]
    assert "北京市总工会" in set(article.organisations.values_list("name", flat=True))
    assert article.page.banner == "深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面"
    photo = Article.objects.get(title="“以球会友”鼓干劲")
    assert photo.kind == Article.Kind.PHOTO
    assert set(photo.bylines.values_list("reporter__name", "role")) == {
        ("马超", "photographer"),
        ("胡思哲", "photographer"),
    }
    assert Reporter.objects.get(name="胡思哲").kind == Reporter.Kind.CORRESPONDENT
    assert Reporter.objects.get(name="白莹").kind == Reporter.Kind.STAFF


def test_declared_alias_becomes_an_organisation_alias(imported):
    organisation = Organisation.objects.get(name="北京经济技术开发区总工会")
    article = Article.objects.get(title="北京经济技术开发区总工会举办应急救护培训")
    assert organisation in article.organisations.all()


def test_reimport_creates_nothing(imported):
    before = snapshot()
    again = import_pages(paths=[SEEDS])
    assert again.count("unchanged") == 5
    assert again.articles_created == 0
    assert snapshot() == before


def _no_parse(*args, **kwargs):
    raise AssertionError("a page already imported was parsed again")


def test_reimport_skips_known_pages_before_parsing(imported, monkeypatch):
    monkeypatch.setattr(parsing, "parse_page", _no_parse)
    again = import_pages(paths=[SEEDS])
    assert again.count("unchanged") == 5 and again.ok


def imported_content():
    """What an import wrote, independent of row ids: each article with its names and its index entry."""
    articles = Article.objects.prefetch_related("bylines__reporter", "tags", "organisations__aliases")
    return sorted(
        (
            article.import_ref,
            article.title,
            article.body,
            article.search_document,
            str(getattr(article, "search_vector", "")),
            [(byline.reporter.name, byline.role, byline.order) for byline in article.bylines.all()],
            sorted(tag.name for tag in article.tags.all()),
            sorted((o.name, sorted(a.name for a in o.aliases.all())) for o in article.organisations.all()),
        )
        for article in articles
    )


def index_entries():
    """Every article's stored index entry: the document and the tsvector (PostgreSQL) or FTS row (SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT id, search_document, search_vector::text FROM articles_article ORDER BY id")
        else:
            cursor.execute(f"SELECT rowid, * FROM {search.FTS_TABLE} ORDER BY rowid")
        rows = cursor.fetchall()
    return list(Article.objects.order_by("pk").values_list("pk", "search_document")), rows


def test_imported_index_entries_equal_a_rebuild(imported):
    # The importer builds entries from the parse and, on PostgreSQL, inserts them with the rows; the one writer
    # (search.update_search_index) must come to the same entries from the database.
    written = index_entries()
    assert all(document for _, document in written[0]) and len(written[1]) == 25
    search.rebuild_search_index()
    assert index_entries() == written


def _found(query):
    return set(search.search_articles(Article.objects.all(), query).values_list("pk", flat=True))


def test_index_entries_are_built_with_the_parse_without_the_database(django_assert_num_queries):
    writer = importers.PageWriter(importers.ImportReport(), draft=False)
    gazetteer = writer.gazetteer()
    knowledge = importers.ParseKnowledge(gazetteer, names=importers.IndexNames.load(gazetteer))
    with django_assert_num_queries(0):  # as in a parse worker, which has no connection
        results = [importers.prepare(importers.PathSource(str(path), path), knowledge) for path in SEED_FILES]
    assert [len(result.entries) for result in results] == [result.articles for result in results]
    assert all(isinstance(entry, search.PreparedEntry) for result in results for entry in result.entries)


def test_the_writer_stores_the_entries_built_with_the_parse(monkeypatch):
    built_here = []
    fill = search.writer._fill_prepared

    def spy(sources):
        built_here.extend(source for source in sources if source.prepared is None)
        fill(sources)

    monkeypatch.setattr(search.writer, "_fill_prepared", spy)

    report = import_pages(paths=[SEEDS])

    assert report.ok and report.articles_created == 25
    assert report.entries_rebuilt == 0 and built_here == []
    written = index_entries()
    search.rebuild_search_index()
    assert index_entries() == written  # the one writer comes to the same entries from the database


def test_an_entry_built_from_stale_names_is_built_again_by_the_writer(monkeypatch):
    # An alias the parse side does not know (added while the workers ran): the fingerprint differs.
    federation = Organisation.objects.create(name="北京市总工会")
    federation.aliases.create(name="京工总会")
    load = importers.IndexNames.load

    def without_aliases(gazetteer):
        names = load(gazetteer)
        names.aliases.clear()
        return names

    monkeypatch.setattr(importers.IndexNames, "load", staticmethod(without_aliases))
    report = import_pages(paths=[SEEDS])

    linked = set(federation.articles.values_list("pk", flat=True))
    assert report.ok and linked
    assert report.entries_rebuilt == len(linked)
    assert _found("京工总会") == linked
    written = index_entries()
    search.rebuild_search_index()
    assert index_entries() == written


def _labels(pk):
    """The names and labels an article's index entry lists (its second line), each without the cuts."""
    document = Article.objects.get(pk=pk).search_document
    return {item.replace(" ", "") for item in document.splitlines()[1].split(" | ")}


def test_an_alias_added_by_an_import_reindexes_older_articles_once_at_the_end(monkeypatch):
    # Two organisations gain an alias on different pages of the seeds; an older article naming both is
    # reindexed once, after the last page, not once per page that adds an alias.
    older = factories.ArticleFactory(title="工会工作交流会", body="两级工会交流工作。")
    development_zone = Organisation.objects.create(name="北京经济技术开发区总工会")
    mine = Organisation.objects.create(name="首钢矿业公司水厂铁矿")
    older.organisations.add(development_zone, mine)
    search.update_search_index([older.pk])
    assert not {"经开区总工会", "首矿公司水厂铁矿"} & _labels(older.pk)
    calls = []
    update = search.update_search_index

    def spy(ids, **kwargs):
        calls.append(sorted(ids))
        return update(ids, **kwargs)

    monkeypatch.setattr(search, "update_search_index", spy)
    files_done, alias_pages = [], {}
    create = importers.OrganisationAlias.objects.get_or_create

    def noting(**kwargs):
        alias_pages[kwargs["name"]] = len(files_done)
        return create(**kwargs)

    monkeypatch.setattr(importers.OrganisationAlias.objects, "get_or_create", noting)
    report = import_pages(paths=[SEEDS], progress=lambda done, total, result: files_done.append(result))

    assert report.ok
    assert alias_pages["经开区总工会"] != alias_pages["首矿公司水厂铁矿"]
    assert [ids for ids in calls if older.pk in ids] == [[older.pk]]
    assert {"经开区总工会", "首矿公司水厂铁矿"} <= _labels(older.pk)
    assert older.pk in _found("经开区总工会") and older.pk in _found("首矿公司水厂铁矿")


def test_a_failed_file_adds_no_alias_reindex(monkeypatch):
    older = factories.ArticleFactory(title="工会工作交流会")
    older.organisations.add(Organisation.objects.create(name="北京经济技术开发区总工会"))
    search.update_search_index([older.pk])
    writer = importers.PageWriter(importers.ImportReport(), draft=False)
    writer._named_pending = {older.pk}
    writer.forget()  # what _write does when a file is rolled back
    writer.committed()
    calls = []
    monkeypatch.setattr(search, "update_search_index", lambda ids, **kwargs: calls.append(ids))
    assert writer.reindex_named() == 0 and calls == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_import_writes_what_the_serial_one_writes(monkeypatch):
    # An earlier transactional test's flush recreated the content types under new ids; drop the cached ones.
    ContentType.objects.clear_cache()
    assert import_pages(paths=[SEEDS]).ok
    serial = imported_content()
    Article.objects.all().delete()
    Page.objects.all().delete()
    Issue.objects.all().delete()

    report = import_pages(paths=[SEEDS], workers=2)

    assert report.ok and report.articles_created == 25
    assert imported_content() == serial
    # And a parallel rerun parses nothing it already has.
    monkeypatch.setattr(parsing, "parse_page", _no_parse)
    assert import_pages(paths=[SEEDS], workers=2).count("unchanged") == 5


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda text: text.encode("gb18030"), id="gb18030"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf-16-bom"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
    ],
)
def test_same_page_in_another_form_is_recognised(imported, transform):
    text = SEED_FILES[0].read_text(encoding="utf-8")
    before = snapshot()
    report = import_pages(sources=[SourceFile("renamed-copy.txt", transform(text))])
    assert report.ok
    assert report.files[0].outcome == "unchanged"
    assert snapshot() == before


def test_changed_text_at_the_same_place_updates_in_place(tmp_path):
    original = SEED_FILES[0].read_text(encoding="utf-8")
    import_pages(paths=SEED_FILES[1:] + [write(tmp_path / "first" / "2022-11-14" / "01.txt", original)])
    changed = original.replace("“以球会友”鼓干劲", "“以球会友”鼓足干劲").replace("陈曦", "陈晨")
    target = write(tmp_path / "second" / "2022-11-14" / "01.txt", changed)
    ids = dict(Article.objects.filter(page__number=1).values_list("title", "pk"))
    before = snapshot()
    report = import_pages(paths=[target])
    assert report.files[0].outcome == "updated"
    assert report.articles_updated == 5 and report.articles_created == 0
    assert Article.objects.get(title="“以球会友”鼓足干劲").pk == ids["“以球会友”鼓干劲"]
    assert Article.objects.filter(title="“以球会友”鼓足干劲").count() == 1
    assert not Article.objects.filter(title="“以球会友”鼓干劲").exists()
    after = snapshot()
    assert after["articles"] == before["articles"]
    assert after["pages"] == before["pages"]
    # One new person (陈晨); 陈曦 stays because page 002 and 004 still credit her.
    assert after["reporters"] == before["reporters"] + 1
    assert after["organisations"] == before["organisations"]
    assert Reporter.objects.filter(name="陈曦").count() == 1
    # And importing the changed file again is a no-op.
    assert import_pages(paths=[target]).files[0].outcome == "unchanged"


def test_reimport_keeps_editors_publishing_decisions(tmp_path):
    source = next(p for p in SEED_FILES if p.name.startswith("001")).read_text(encoding="utf-8")
    import_pages(paths=[write(tmp_path / "a" / "2023-02-20_p3.txt", source)])
    article = Article.objects.get(title="体验手工制作乐趣")
    article.status = Article.Status.DRAFT
    article.save()
    target = write(tmp_path / "b" / "2023-02-20_p3.txt", source.replace("体验手工", "体验手工制作"))
    assert import_pages(paths=[target]).files[0].outcome == "updated"
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_draft_option(tmp_path):
    report = import_pages(paths=[SEED_FILES[1]], draft=True)
    assert report.ok
    assert Article.objects.count() == 5
    assert Article.objects.published().count() == 0


def test_dry_run_writes_nothing():
    report = import_pages(paths=[SEEDS], dry_run=True)
    assert report.ok and report.count("parsed") == 5
    assert report.articles_parsed == 25
    assert all(value == 0 for value in snapshot().values())


def test_one_transaction_per_file(monkeypatch):
    real = importers.PageWriter._write_links
    calls = {"n": 0}

    def failing_after_the_second_files_articles_are_written(self, articles, links, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            assert Article.objects.filter(page__source_name=str(SEED_FILES[1])).count() == 5
            raise DatabaseError("disk full")
        return real(self, articles, links, **kwargs)

    monkeypatch.setattr(importers.PageWriter, "_write_links", failing_after_the_second_files_articles_are_written)
    report = import_pages(paths=SEED_FILES[:3])
    outcomes = [result.outcome for result in report.files]
    assert outcomes == ["created", "failed", "created"]
    assert "disk full" in report.files[1].error
    assert Page.objects.count() == 2
    assert Article.objects.count() == 10
    assert not Page.objects.filter(source_name=str(SEED_FILES[1])).exists()


# --- decoding ------------------------------------------------------------------------------------------------


def test_decode_reports_encoding():
    text = "本报讯（记者 白莹）近日，北京市总工会召开会议。"
    assert decode_page(text.encode("utf-8")) == (text, "utf-8")
    assert decode_page(text.encode("gb18030")) == (text, "gb18030")
    assert decode_page(text.encode("gbk")) == (text, "gb18030")
    assert decode_page(text.encode("utf-16")) == (text, "utf-16")
    assert decode_page(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")


def test_corrupt_utf8_names_the_offset():
    data = "北京市总工会召开会议".encode() + b"\xff\xfe\xfa" + "。".encode()
    with pytest.raises(importers.ImportFailure, match="corrupt UTF-8 bytes at byte offset 30"):
        decode_page(data)


# --- the command: bad input ----------------------------------------------------------------------------------

BAD_INPUTS = {
    "empty.txt": (b"", "file is empty or blank"),
    "blank.txt": (b"  \n\r\n\t \n", "file is empty or blank"),
    "photo.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary data (a PNG image)"),
    "nul.txt": (b"abc\x00def" * 10, "binary data (NUL byte at byte offset 3)"),
    "corrupt.txt": ("深入学习贯彻党的二十大精神".encode() + b"\xc3\x28", "corrupt UTF-8 bytes at byte offset 39"),
    "prose.txt": ("今天天气很好。我们去公园散步。\n".encode(), ""),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_file_is_refused_with_a_clear_line(tmp_path, name):
    data, reason = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run_command(str(path))
    assert code == 1
    line = next(line for line in out.splitlines() if line.startswith("error:"))
    assert str(path) in line
    assert reason in line
    assert "Traceback" not in out + err
    assert all(value == 0 for value in snapshot().values())


def test_no_recognisable_article_names_the_reason(tmp_path):
    path = tmp_path / "banner-only.txt"
    path.write_text("深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面\n", encoding="utf-8")
    code, out, _ = run_command(str(path))
    assert code == 1
    assert "article" in out.split("error:")[1].splitlines()[0]


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    shutil.copy(SEED_FILES[0], path)
    code, out, _ = run_command(str(path), "--max-bytes", "1000")
    assert code == 1
    size = path.stat().st_size
    assert f"error: {path}: file is {size:,} bytes, over the 1,000-byte limit" in out
    assert Article.objects.count() == 0


def test_oversize_limit_comes_from_settings(tmp_path, settings):
    settings.NEWSROOM_IMPORT_MAX_BYTES = 2000
    code, out, _ = run_command(str(SEED_FILES[0]))
    assert code == 1 and "over the" in out


def test_missing_path(tmp_path):
    code, out, _ = run_command(str(tmp_path / "nope.txt"))
    assert code == 1
    assert f"error: {tmp_path / 'nope.txt'}: no such file or folder" in out


def test_folder_with_good_and_bad_files(tmp_path):
    shutil.copy(SEED_FILES[0], tmp_path / SEED_FILES[0].name)
    shutil.copy(SEED_FILES[1], tmp_path / SEED_FILES[1].name)
    (tmp_path / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n0000")
    code, out, _ = run_command(str(tmp_path))
    assert code == 1
    assert "error:" in out and "cover.png" in out
    assert Article.objects.count() == 10
    assert "3 files (2 created, 0 updated, 0 unchanged, 0 parsed, 1 failed)" in out


def test_usage_errors_exit_2():
    code, _, err = run_command("--max-bytes", "0")
    assert code == 2 and "--max-bytes" in err
    code, _, err = run_command("-", "-")
    assert code == 2 and "standard input" in err


def test_command_summary_counts():
    code, out, _ = run_command(str(SEEDS))
    assert code == 0
    assert "5 files (5 created" in out
    assert "articles 25 created, 0 updated" in out
    assert "people 22 created" in out
    code, out, _ = run_command(str(SEEDS))
    assert code == 0 and "5 unchanged" in out and "articles 0 created" in out


def test_json_output_shape():
    code, out, err = run_command(str(SEEDS), "--dry-run", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"files", "errors"}
    assert data["errors"] == []
    assert len(data["files"]) == 5
    first = data["files"][0]
    assert set(first) == {"source", "banner", "issue_date", "articles"}
    assert first["source"].endswith(SEED_FILES[0].name)
    article = first["articles"][0]
    assert set(article) == {
        "kicker",
        "title",
        "subtitle",
        "kind",
        "people",
        "body",
        "organisations",
        "tags",
        "event_date",
    }
    assert article["people"][0] == {"name": "白莹", "role": "reporter"}
    assert article["event_date"] == "2022-11-14"
    assert "dry run" in err
    assert Article.objects.count() == 0


def test_json_lists_errors(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, _ = run_command(str(tmp_path / "empty.txt"), "--json", "--dry-run")
    assert code == 1
    assert json.loads(out) == {
        "files": [],
        "errors": [{"source": str(tmp_path / "empty.txt"), "error": "file is empty or blank"}],
    }


def test_plain_progress_lines_when_not_a_terminal():
    code, out, _ = run_command(str(SEED_FILES[0]))
    assert code == 0
    assert f"created: {SEED_FILES[0]} (5 articles)" in out


def test_real_process_exit_codes_and_no_traceback(tmp_path):
    """The command as an operator runs it: real exit codes, standard input, no traceback."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    ok = subprocess.run(
        [*manage, "import_seeds", "-"],
        env=env,
        input=SEED_FILES[2].read_bytes(),
        capture_output=True,
        cwd=settings.BASE_DIR,
    )
    assert ok.returncode == 0, ok.stderr.decode()
    assert "created: <stdin> (5 articles)" in ok.stdout.decode()
    bad = subprocess.run(
        [*manage, "import_seeds", str(tmp_path / "missing")], env=env, capture_output=True, cwd=settings.BASE_DIR
    )
    assert bad.returncode == 1
    usage = subprocess.run(
        [*manage, "import_seeds", "--no-such-flag"], env=env, capture_output=True, cwd=settings.BASE_DIR
    )
    assert usage.returncode == 2
    for result in (ok, bad, usage):
        assert b"Traceback" not in result.stdout + result.stderr


# --- the admin upload ----------------------------------------------------------------------------------------


def _upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/plain")


def test_admin_upload_preview_then_confirm(editor_client, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("admin:articles_article_import")
    assert editor_client.get(url).status_code == 200
    preview = editor_client.post(
        url, {"files": [_upload("a.txt", SEED_FILES[0].read_bytes()), _upload("b.txt", SEED_FILES[3].read_bytes())]}
    )
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "导入预览" in body and "市总工会召开党组理论学习中心组学习(扩大)会" in body and "白莹" in body
    assert Article.objects.count() == 0
    token = preview.context["token"]
    # The test settings' immediate task backend runs the import when the confirming request commits.
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = editor_client.post(url, {"confirm": "1", "token": token, "draft": "0"})
    assert confirmed.status_code == 302
    assert Article.objects.count() == 10
    done = editor_client.get(confirmed["Location"])
    body = done.content.decode()
    assert 'data-status="done"' in body and "新建文章 10 篇" in body and 'http-equiv="refresh"' not in body
    assert not any((tmp_path / "imports").rglob("*.txt")), "the upload batch is removed after import"


def test_admin_upload_rejects_wrong_type_and_size(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.NEWSROOM_IMPORT_MAX_BYTES = 100
    url = reverse("admin:articles_article_import")
    response = editor_client.post(url, {"files": [_upload("cover.png", b"\x89PNG\r\n\x1a\n")]})
    assert "只接受 .txt 文本文件" in response.content.decode()
    response = editor_client.post(url, {"files": [_upload("page.txt", SEED_FILES[0].read_bytes())]})
    assert "超过" in response.content.decode()
    assert not (tmp_path / "imports").exists()


def test_admin_upload_token_cannot_escape_the_folder(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("admin:articles_article_import")
    response = editor_client.post(url, {"confirm": "1", "token": "../../etc"}, follow=True)
    assert "这批上传已失效" in response.content.decode()
    assert Article.objects.count() == 0


def test_admin_upload_needs_add_permission(client, db):
    from tests.factories import UserFactory

    viewer = UserFactory(username="viewer", is_staff=True)
    client.force_login(viewer)
    assert client.get(reverse("admin:articles_article_import")).status_code == 403
    client.logout()
    assert client.get(reverse("admin:articles_article_import")).status_code == 302


# --- where a page belongs (issue #10) ------------------------------------------------------------------------

STORIES = {
    "books": (
        "朝阳区职工书屋迎来新书",
        "本报讯（记者 王建国）近日，朝阳区总工会向辖区职工书屋配送新书三千册，涵盖技能培训、文学历史等门类。",
        "职工们表示，下班后有了读书的好去处。",
    ),
    "huts": (
        "环卫工人冬季暖心驿站开放",
        "本报讯（记者 李思远）入冬以来，海淀区多个暖心驿站陆续开放，为户外劳动者提供热水、休息和充电服务。",
        "驿站负责人介绍，今年新增了微波炉和急救药箱。",
    ),
    "contest": (
        "技能大赛决赛在丰台举行",
        "本报讯（记者 赵明华）本周，全市焊工技能大赛决赛在丰台区举行，来自各行业的六十名选手同场竞技。",
        "比赛分理论考试和实际操作两部分。",
    ),
}


def page_text(order=("books", "huts", "contest"), **changed) -> str:
    """A page of our own invented stories, in this order, with some stories' paragraphs replaced."""
    parts = ["职工生活"]
    for key in order:
        parts += changed.get(key, STORIES[key])
    return "\n\n".join(parts) + "\n"


def ids_by_title():
    return dict(Article.objects.values_list("title", "pk"))


def test_two_day_folders_with_the_same_file_names_keep_both_days(tmp_path):
    day_a = write(tmp_path / "a" / "01.txt", SEED_FILES[2].read_text(encoding="utf-8"))
    day_b = write(tmp_path / "b" / "01.txt", SEED_FILES[3].read_text(encoding="utf-8"))
    assert run_command(str(day_a.parent))[0] == 0
    first_day = ids_by_title()
    code, out, _ = run_command(str(day_b.parent))
    assert code == 0 and "1 created, 0 updated" in out
    assert Page.objects.count() == 2 and Issue.objects.count() == 2
    assert Article.objects.count() == 10
    assert {title: pk for title, pk in ids_by_title().items() if title in first_day} == first_day
    assert set(Page.objects.values_list("source_name", flat=True)) == {str(day_a), str(day_b)}

    before = snapshot()
    renamed = write(tmp_path / "c" / "renamed.txt", SEED_FILES[2].read_text(encoding="utf-8"))
    gb18030 = write(tmp_path / "d" / "01.txt", SEED_FILES[3].read_text(encoding="utf-8"), encoding="gb18030")
    report = import_pages(paths=[day_a.parent, day_b.parent, renamed, gb18030])
    assert [result.outcome for result in report.files] == ["unchanged"] * 4
    assert snapshot() == before


def test_a_changed_page_of_unknown_place_is_a_new_page_naming_the_earlier_one(tmp_path):
    import_pages(paths=[write(tmp_path / "a" / "01.txt", page_text())])
    earlier = Page.objects.get()
    changed = page_text(books=("朝阳区职工书屋迎来三千册新书", *STORIES["books"][1:]))
    report = import_pages(paths=[write(tmp_path / "a" / "01.txt", changed)])
    assert report.files[0].outcome == "created"
    assert Page.objects.count() == 2 and Article.objects.count() == 6
    (note,) = report.files[0].notes
    assert f"page #{earlier.pk}" in note and "2 of 3 headlines" in note
    earlier.refresh_from_db()
    assert earlier.articles.count() == 3, "the earlier page is left to the editor"


def test_a_changed_page_with_the_same_number_but_no_date_takes_no_number_from_a_dated_issue(tmp_path):
    # Both state page 2 and the issue is only inferred from the article text: neither replaces the other.
    text = page_text().replace("职工生活", "职工生活\n\n第2版", 1)
    first = import_pages(paths=[write(tmp_path / "a.txt", text)]).files[0]
    second = import_pages(paths=[write(tmp_path / "b.txt", text.replace("三千册", "四千册"))]).files[0]
    assert (first.outcome, second.outcome) == ("created", "created")
    assert Page.objects.count() == 2


def test_a_date_from_the_path_dates_the_issue_for_an_editor_to_confirm(tmp_path):
    import datetime

    import_pages(paths=[write(tmp_path / "ldwb20230301-03.txt", page_text())])
    page = Page.objects.select_related("issue").get()
    assert (page.issue.date, page.issue.date_inferred, page.number) == (datetime.date(2023, 3, 1), True, 3)


def test_the_command_prints_what_an_editor_should_look_at(tmp_path):
    import_pages(paths=[write(tmp_path / "2023-03-01" / "02.txt", page_text())])
    shorter = write(tmp_path / "b" / "2023-03-01" / "02.txt", page_text(order=("books", "huts")))
    code, out, _ = run_command(str(shorter))
    assert code == 0
    assert f"note: {shorter}: removed 《技能大赛决赛在丰台举行》, which the new page no longer has" in out


def test_articles_of_a_replaced_page_follow_their_story_not_their_position(tmp_path):
    import_pages(paths=[write(tmp_path / "v1" / "2023-03-01" / "02.txt", page_text())])
    before = ids_by_title()
    reordered = page_text(
        order=("contest", "books", "huts"),
        contest=("技能大赛决赛在丰台区举行", STORIES["contest"][1], "比赛分理论和实操两部分。"),
    )
    report = import_pages(paths=[write(tmp_path / "v2" / "2023-03-01_第2版.txt", reordered)])
    assert report.files[0].outcome == "updated"
    assert (report.articles_created, report.articles_updated, report.files[0].articles_deleted) == (0, 3, 0)
    after = ids_by_title()
    assert after["技能大赛决赛在丰台区举行"] == before["技能大赛决赛在丰台举行"]
    assert after["朝阳区职工书屋迎来新书"] == before["朝阳区职工书屋迎来新书"]
    assert after["环卫工人冬季暖心驿站开放"] == before["环卫工人冬季暖心驿站开放"]
    assert list(Article.objects.order_by("position").values_list("title", flat=True))[0] == "技能大赛决赛在丰台区举行"


def test_a_new_story_on_a_replaced_page_is_a_new_article(tmp_path):
    import_pages(paths=[write(tmp_path / "2023-03-01" / "02.txt", page_text(order=("books", "huts")))])
    before = ids_by_title()
    report = import_pages(paths=[write(tmp_path / "x" / "2023-03-01" / "02.txt", page_text())])
    assert (report.articles_created, report.articles_updated) == (1, 2)
    assert {title: ids_by_title()[title] for title in before} == before


@pytest.mark.parametrize(("allow_delete", "left"), [(True, 2), (False, 3)])
def test_vanished_stories_are_reported_and_removed_only_with_the_delete_permission(tmp_path, allow_delete, left):
    import_pages(paths=[write(tmp_path / "2023-03-01" / "02.txt", page_text())])
    shorter = write(tmp_path / "again" / "2023-03-01" / "02.txt", page_text(order=("books", "huts")))
    report = import_pages(paths=[shorter], allow_delete=allow_delete)
    assert report.files[0].outcome == "updated"
    assert Article.objects.count() == left
    (note,) = report.files[0].notes
    assert "《技能大赛决赛在丰台举行》" in note
    assert ("removed" in note) is allow_delete
    assert ("delete permission" in note) is not allow_delete


def _edit_in_admin(rf, user, article, **fields):
    """Save an article through the admin's own save path, as the change form does."""
    from django.contrib import admin

    for name, value in fields.items():
        setattr(article, name, value)
    request = rf.post("/")
    request.user = user
    admin.site._registry[Article].save_model(request, article, form=None, change=True)


def test_an_editors_article_survives_a_reimport_with_the_new_text_kept_for_review(tmp_path, rf, editor, client):
    import_pages(paths=[write(tmp_path / "2023-03-01" / "02.txt", page_text())])
    article = Article.objects.get(title="环卫工人冬季暖心驿站开放")
    _edit_in_admin(rf, editor, article, title="暖心驿站陪环卫工人过冬", body="编辑改写的导语。\n第二段。")
    article.refresh_from_db()
    assert article.edited_by_hand
    changed = page_text(huts=("环卫工人冬季暖心驿站开放", STORIES["huts"][1], "驿站还新增了血压计。"))
    report = import_pages(paths=[write(tmp_path / "v2" / "2023-03-01" / "02.txt", changed)])
    assert report.files[0].outcome == "updated"
    article.refresh_from_db()
    assert (article.title, article.body) == ("暖心驿站陪环卫工人过冬", "编辑改写的导语。\n第二段。")
    assert article.pending_import["title"] == "环卫工人冬季暖心驿站开放"
    assert article.pending_import["body"][-1] == "驿站还新增了血压计。"
    assert article.pending_import["people"] == [{"name": "李思远", "role": "reporter", "label": "记者"}]
    assert article.pending_import_at is not None
    assert report.files[0].notes == [
        "kept editor's version of 《暖心驿站陪环卫工人过冬》; the imported text awaits review"
    ]
    assert Article.objects.count() == 3

    client.force_login(editor)
    form = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "驿站还新增了血压计。" in form and "导入的新文本" in form


def test_an_article_unpublished_by_hand_is_never_deleted_by_an_import(tmp_path, chief_client):
    import_pages(paths=[write(tmp_path / "2023-03-01" / "02.txt", page_text())])
    article = Article.objects.get(title="技能大赛决赛在丰台举行")
    chief_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish_articles", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.edited_by_hand and article.status == Article.Status.DRAFT
    shorter = write(tmp_path / "v2" / "2023-03-01" / "02.txt", page_text(order=("books", "huts")))
    report = import_pages(paths=[shorter], allow_delete=True)
    assert Article.objects.filter(pk=article.pk, status=Article.Status.DRAFT).exists()
    assert report.files[0].notes == [
        "kept 《技能大赛决赛在丰台举行》, edited by hand, which the new page no longer has"
    ]


def test_admin_upload_deletes_only_with_the_delete_permission(
    editor_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    import_pages(paths=[write(tmp_path / "2023-03-01" / "02.txt", page_text())])
    url = reverse("admin:articles_article_import")
    shorter = page_text(order=("books", "huts")).encode()
    preview = editor_client.post(url, {"files": [_upload("2023-03-01_p2.txt", shorter)]})
    with django_capture_on_commit_callbacks(execute=True):  # the import runs in a task enqueued on commit
        editor_client.post(url, {"confirm": "1", "token": preview.context["token"], "draft": "0"})
    assert Page.objects.get().content_hash == importers.content_hash(shorter.decode())
    assert Article.objects.filter(title="技能大赛决赛在丰台举行").exists(), "an editor may not delete"


# --- what the page holds -------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["", "   ", "\u3000\u3000", "\t"])
def test_the_database_refuses_a_blank_title(title):
    from django.db import IntegrityError, transaction

    issue = Issue.objects.create(import_ref="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(issue=issue, title=title)
    Article.objects.create(issue=issue, title="有标题")


def _parse_with(monkeypatch, change):
    """Wrap the real parser; `change(page)` adjusts what it returns the way the layout parser will."""
    real = parsing.parse_page

    def parse(text, **kwargs):
        page = real(text, **kwargs)
        change(page)
        return page

    monkeypatch.setattr(importers.parsing, "parse_page", parse)


def test_the_importer_refuses_a_page_with_an_untitled_article_and_writes_nothing(tmp_path, monkeypatch):
    def blank_second_title(page):
        page.articles[1].title = "\u3000"

    _parse_with(monkeypatch, blank_second_title)
    path = write(tmp_path / "2023-03-01" / "02.txt", page_text())
    code, out, err = run_command(str(path))
    assert code == 1
    assert f"error: {path}: article 2 of 3 has an empty title (its text begins 「入冬以来" in out
    assert snapshot()["articles"] == snapshot()["pages"] == 0


def test_known_people_reach_the_parser(tmp_path, monkeypatch):
    Reporter.objects.create(name="王建国")
    seen = {}
    real = parsing.parse_page

    def parse(text, **kwargs):
        seen.update(kwargs)
        return real(text, **kwargs)

    monkeypatch.setattr(importers.parsing, "parse_page", parse)
    from articles.models import ReporterAlias

    ReporterAlias.objects.create(reporter=Reporter.objects.get(name="王建国"), name="王建")
    import_pages(paths=[write(tmp_path / "p.txt", page_text())])
    assert {"王建国", "王建"} <= set(seen["known_people"])


def test_page_header_unassigned_text_credits_and_editor_note_are_stored(tmp_path, client, editor):
    text = "\n\n".join(
        [
            "2023年3月1日 星期三",
            "第2版",
            "职工生活",
            "编者按：书香润心。本报今起记录基层职工书屋的新变化。",
            "朝阳区职工书屋迎来新书",
            "本报讯（记者 王建国）近日，朝阳区职工书屋新到图书两千册，职工可以免费借阅。",
            "书屋管理员介绍，新书以技能类和文学类为主。",
            "本报记者 王建国 摄",
            "环卫工人冬季暖心驿站开放",
            "入冬以来，海淀区多个暖心驿站陆续开放，为户外劳动者提供热水、休息和充电服务。（李思远）",
        ]
    )
    import_pages(paths=[write(tmp_path / "2023-03-01" / "02.txt", text)])
    page = Page.objects.get()
    assert page.header_text == "2023年3月1日 星期三\n第2版" and page.number == 2
    article = Article.objects.get(title="朝阳区职工书屋迎来新书")
    assert article.credits == "本报记者 王建国 摄"
    assert article.editor_note == "编者按：书香润心。本报今起记录基层职工书屋的新变化。"
    signed = Article.objects.get(title="环卫工人冬季暖心驿站开放")
    assert signed.credits == "（李思远）"
    assert Byline.objects.get(article=signed, reporter__name="李思远").get_role_display() == "未注明"


def test_unassigned_text_is_stored_and_shown_to_editors(tmp_path, client, editor):
    text = "\n\n".join(
        [
            "职工生活",
            "一段开头没有标题的文字，印在版面最上方。",
            *STORIES["books"],
        ]
    )
    import_pages(paths=[write(tmp_path / "2023-03-01" / "02.txt", text)])
    page = Page.objects.get()
    assert page.unassigned_text == "一段开头没有标题的文字，印在版面最上方。"
    client.force_login(editor)
    for url in (
        reverse("admin:articles_page_change", args=[page.pk]),
        reverse("admin:articles_issue_change", args=[page.issue_id]),
    ):
        body = client.get(url).content.decode()
        assert "一段开头没有标题的文字" in body and "未归入任何文章" in body


@pytest.mark.parametrize("first", ["front", "back"])
def test_the_two_parts_of_a_continued_story_are_linked_whichever_page_comes_first(tmp_path, monkeypatch, client, first):
    front = page_text(contest=(*STORIES["contest"][:2], "比赛分理论考试和实际操作两部分。（下转第3版）"))
    back = "\n\n".join(
        [
            "职工生活",
            *STORIES["huts"],
            "技能大赛决赛在丰台举行",
            "（上接第2版）选手们在实操环节完成了三道焊接工序。",
            "大赛前三名将获得奖章。",
        ]
    )
    paths = {
        "front": write(tmp_path / "2023-03-01" / "02.txt", front),
        "back": write(tmp_path / "2023-03-01" / "03.txt", back + "\n"),
    }
    for name in (first, "back" if first == "front" else "front"):
        assert import_pages(paths=[paths[name]]).ok
    part_one = Article.objects.get(page__number=2, title="技能大赛决赛在丰台举行")
    part_two = Article.objects.get(page__number=3, title="技能大赛决赛在丰台举行")
    assert (part_one.continuation_id, part_two.continuation_id) == (part_two.pk, part_one.pk)
    assert (part_one.continues_on_page, part_two.continued_from_page) == (3, 2)
    assert Article.objects.exclude(pk__in=[part_one.pk, part_two.pk]).filter(continuation__isnull=False).count() == 0

    body = client.get(part_one.get_absolute_url()).content.decode()
    assert "下转第3版" in body and part_two.get_absolute_url() in body
    body = client.get(part_two.get_absolute_url()).content.decode()
    assert "上接第2版" in body and part_one.get_absolute_url() in body
