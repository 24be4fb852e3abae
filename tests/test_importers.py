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


@pytest.mark.django_db(transaction=True)
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


def test_changed_text_updates_in_place(imported, tmp_path):
    original = SEED_FILES[0].read_text(encoding="utf-8")
    changed = original.replace("“以球会友”鼓干劲", "“以球会友”鼓足干劲").replace("陈曦", "陈晨")
    target = tmp_path / SEED_FILES[0].name
    target.write_text(changed, encoding="utf-8")
    before = snapshot()
    report = import_pages(paths=[target])
    assert report.files[0].outcome == "updated"
    assert report.articles_updated == 5 and report.articles_created == 0
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


def test_reimport_keeps_editors_publishing_decisions(imported, tmp_path):
    article = Article.objects.get(title="体验手工制作乐趣")
    article.status = Article.Status.DRAFT
    article.save()
    source = next(p for p in SEED_FILES if p.name.startswith("001"))
    target = tmp_path / source.name
    target.write_text(source.read_text(encoding="utf-8").replace("体验手工", "体验手工制作"), encoding="utf-8")
    import_pages(paths=[target])
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
            assert Article.objects.filter(page__source_name=SEED_FILES[1].name).count() == 5
            raise DatabaseError("disk full")
        return real(self, articles, links, **kwargs)

    monkeypatch.setattr(importers.PageWriter, "_write_links", failing_after_the_second_files_articles_are_written)
    report = import_pages(paths=SEED_FILES[:3])
    outcomes = [result.outcome for result in report.files]
    assert outcomes == ["created", "failed", "created"]
    assert "disk full" in report.files[1].error
    assert Page.objects.count() == 2
    assert Article.objects.count() == 10
    assert not Page.objects.filter(source_name=SEED_FILES[1].name).exists()


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
