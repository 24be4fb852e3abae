"""The editors' desk through real requests: exact saves, review, revisions, search, filters, merges, imports."""

import datetime
import html
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import parsing
from articles.admin import NO_PUBLISH_MESSAGE
from articles.admin_import import chinese_anomaly
from articles.importers import import_pages
from articles.models import Article, Byline, Organisation, OrganisationAlias, Page, Reporter, ReporterAlias
from articles.revisions import record_import
from tests.factories import ArticleFactory, BylineFactory, OrganisationFactory, ReporterFactory

pytestmark = pytest.mark.django_db

SEED_FILES = sorted((Path(settings.BASE_DIR) / "seeds").glob("*.txt"))
CHANGE_LIST = "admin:articles_article_changelist"


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(client, article, url=None, **overrides):
    """What the browser would post back: every field of the change form as the form rendered it."""
    form = client.get(url or change_url(article)).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if hasattr(field, "fields"):  # split date and time: post what the two boxes show
            parts = field.widget.decompress(value) if value else ["", ""]
            for index, (widget, part) in enumerate(zip(field.widget.widgets, parts, strict=True)):
                data[f"{name}_{index}"] = widget.format_value(part) or ""
        elif name == "tags":
            shown = re.search(r'value="([^"]*)"', form[name].as_widget())
            data[name] = html.unescape(shown[1]) if shown else ""
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = "" if value is None else str(value)
    for prefix, total in (("bylines", article.bylines.count()),):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(total),
                f"{prefix}-INITIAL_FORMS": str(total),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for index, byline in enumerate(article.bylines.order_by("order", "pk")):
            data.update(
                {
                    f"{prefix}-{index}-id": str(byline.pk),
                    f"{prefix}-{index}-article": str(article.pk),
                    f"{prefix}-{index}-reporter": str(byline.reporter_id),
                    f"{prefix}-{index}-role": byline.role,
                    f"{prefix}-{index}-label": byline.label,
                    f"{prefix}-{index}-order": str(byline.order),
                }
            )
    # The photo inline, empty: these articles have no photos.
    data.update({"images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0"})
    data["images-MAX_NUM_FORMS"] = "1000"
    data.update(overrides)
    return data


def rows(article):
    article.refresh_from_db()
    return (
        Article.objects.filter(pk=article.pk).values().get(),
        list(article.bylines.values()),
        sorted(article.tags.values_list("name", flat=True)),
    )


# --- saving is exact -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor_client", "chief_client"])
def test_unchanged_save_with_crlf_and_microseconds_changes_nothing(request, who):
    client = request.getfixturevalue(who)
    # An import dates undated pages "now": microseconds that no time box shows.
    article = ArticleFactory(
        body="第一段。\n第二段。", published_at=timezone.now().replace(microsecond=123456) - datetime.timedelta(days=1)
    )
    article.tags.add("劳模", "职工")
    BylineFactory(article=article)
    before = rows(article)
    data = form_data(client, article)
    data["body"] = data["body"].replace("\n", "\r\n")  # what a browser sends from a textarea
    assert re.fullmatch(r"\d\d:\d\d:\d\d", data["published_at_1"]), "the time box shows seconds"
    logged = LogEntry.objects.count()
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert rows(article) == before
    assert LogEntry.objects.count() == logged
    assert not Version.objects.get_for_object(article).exists()


def test_chief_editor_save_keeps_seconds_and_line_endings(chief_client):
    article = ArticleFactory(published_at=timezone.make_aware(datetime.datetime(2022, 11, 15, 6, 30, 45)))
    data = form_data(chief_client, article, subtitle="新副题")
    data["body"] = data["body"].replace("\n", "\r\n")
    assert chief_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.subtitle == "新副题"
    assert article.published_at == timezone.make_aware(datetime.datetime(2022, 11, 15, 6, 30, 45))
    assert "\r" not in article.body
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert entry.get_change_message() == "已修改副题。"
    version = Version.objects.get_for_object(article).get()
    assert version.revision.user.username == "chief" and "副题" in version.revision.get_comment()


# --- review before publishing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("draft", "submitted", True),
        ("submitted", "draft", True),
        ("submitted", "published", False),
        ("draft", "published", False),
        ("published", "draft", False),
        ("published", "submitted", False),
    ],
)
def test_editor_moves_only_between_draft_and_submitted(editor_client, start, target, allowed):
    article = ArticleFactory(status=start, published_at=timezone.now() if start == "published" else None)
    response = editor_client.post(change_url(article), form_data(editor_client, article, status=target))
    article.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert article.status == target
    else:
        assert response.status_code == 200 and NO_PUBLISH_MESSAGE in response.content.decode()
        assert article.status == start


def test_editor_cannot_change_the_publication_time(editor_client):
    article = ArticleFactory(status="draft", published_at=None)
    data = form_data(editor_client, article, published_at_0="2030-01-01", published_at_1="08:00:00")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200 and NO_PUBLISH_MESSAGE in response.content.decode()


def test_chief_editor_schedules(chief_client):
    article = ArticleFactory(status="submitted", published_at=None)
    later = timezone.localtime() + datetime.timedelta(days=2)
    data = form_data(
        chief_client,
        article,
        status="published",
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
    )
    assert chief_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.status == "published" and not article.is_public
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_editor_submits_chief_returns_with_a_comment(client, editor, chief_editor):
    draft = ArticleFactory(status="draft", published_at=None)
    client.force_login(editor)
    client.post(reverse(CHANGE_LIST), {"action": "submit_articles", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "submitted"
    refused = client.post(
        reverse(CHANGE_LIST),
        {"action": "return_articles", "_selected_action": [draft.pk], "apply": "1", "comment": "x"},
        follow=True,
    )
    assert NO_PUBLISH_MESSAGE in _messages(refused)

    client.force_login(chief_editor)
    queue = client.get(reverse(CHANGE_LIST), {"status__exact": "submitted"}).content.decode()
    assert draft.title in queue
    confirm = client.post(reverse(CHANGE_LIST), {"action": "return_articles", "_selected_action": [draft.pk]})
    assert "退回意见" in confirm.content.decode()
    client.post(
        reverse(CHANGE_LIST),
        {"action": "return_articles", "_selected_action": [draft.pk], "apply": "1", "comment": "导语太长，请压缩。"},
    )
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.review_comment == "导语太长，请压缩。"

    client.force_login(editor)
    page = client.get(change_url(draft)).content.decode()
    assert "导语太长，请压缩。" in page
    assert 'name="review_comment"' not in page  # shown to the editor, not editable
    comments = [v.revision.get_comment() for v in Version.objects.get_for_object(draft).order_by("pk")]
    assert comments == ["提交审核", "退回：导语太长，请压缩。"]


def test_dashboard_counts_each_status(editor_client):
    ArticleFactory.create_batch(2, status="submitted", published_at=None)
    ArticleFactory(status="draft", published_at=None)
    ArticleFactory()
    body = editor_client.get(reverse("admin:index")).content.decode()
    block = body[body.index('id="review-queue"') :]
    for label, count in (("草稿", 1), ("待审", 2), ("已发布", 1)):
        assert re.search(rf"{label}</a></th><td class=\"number\">{count}</td>", block), label
    assert "?status__exact=submitted" in block


# --- revisions -----------------------------------------------------------------------------------------------


def test_actions_and_imports_keep_versions(chief_client, chief_editor):
    report = import_pages(paths=[SEED_FILES[0]], draft=True)
    assert record_import(report, user=chief_editor) == 5
    article = Article.objects.order_by("pk").first()
    chief_client.post(reverse(CHANGE_LIST), {"action": "publish_articles", "_selected_action": [article.pk]})
    versions = list(Version.objects.get_for_object(article).order_by("pk"))
    assert [v.revision.get_comment() for v in versions] == [f"导入新建：{SEED_FILES[0].name}", "发布"]
    assert all(v.revision.user == chief_editor for v in versions)
    # An import's version holds the article with its bylines and tags.
    related = {v.content_type.model for v in versions[0].revision.version_set.all()}
    assert related == {"article", "byline", "taggeditem"}


def test_compare_shows_headings_paragraphs_bylines_and_tags(chief_client):
    article = ArticleFactory(title="旧标题", body="第一段。\n第二段。\n第三段。", tags=["旧标签"])
    BylineFactory(article=article, reporter=ReporterFactory(name="白莹"))
    first = form_data(chief_client, article, subtitle="副题一")
    chief_client.post(change_url(article), first)
    data = form_data(chief_client, article, title="新标题", body="第一段。\n改写的第二段。\n第三段。", tags="新标签")
    data["bylines-0-DELETE"] = "on"
    chief_client.post(change_url(article), data)
    version = Version.objects.get_for_object(article).order_by("pk").last()
    page = chief_client.get(reverse("admin:articles_article_compare", args=[article.pk, version.pk]))
    assert page.status_code == 200
    previous = page.content.decode().split('id="against-previous"')[1].split('id="against-current"')[0]
    assert re.search(r'diff-removed">旧标题<.*diff-added">新标题<', previous, re.S)
    assert re.search(r"diff-removed.*第二段。.*diff-added.*改写的第二段。", previous, re.S)
    assert "第一段。" in previous and 'diff-removed"><td class="marker">−</td><td class="number">1' not in previous
    assert re.search(r"diff-removed\">− 记者 白莹", previous)
    assert "− 旧标签" in previous and "+ 新标签" in previous


def test_only_a_chief_editor_reverts(client, editor, chief_editor):
    article = ArticleFactory(title="第一版标题")
    client.force_login(chief_editor)
    client.post(change_url(article), form_data(client, article, subtitle="有副题"))
    client.post(change_url(article), form_data(client, article, title="第二版标题"))
    first = Version.objects.get_for_object(article).order_by("pk").first()
    revert_url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])

    client.force_login(editor)
    assert client.get(revert_url).status_code == 403
    assert client.post(revert_url, form_data(client, article, title="第一版标题")).status_code == 403
    assert client.get(reverse("admin:articles_article_recoverlist")).status_code == 403

    client.force_login(chief_editor)
    shown = client.get(revert_url)
    assert shown.status_code == 200 and 'value="第一版标题"' in shown.content.decode()
    assert client.post(revert_url, form_data(client, article, url=revert_url)).status_code == 302
    article.refresh_from_db()
    assert article.title == "第一版标题" and article.is_public


# --- search and filters at archive scale ---------------------------------------------------------------------


@pytest.fixture
def seeded():
    report = import_pages(paths=SEED_FILES)
    assert report.ok
    return report


def _titles(response):
    return {row.title for row in response.context["cl"].result_list}


def test_admin_search_finds_a_reporters_articles(superuser_client, seeded):
    expected = set(Article.objects.filter(bylines__reporter__name="白莹").values_list("title", flat=True))
    assert len(expected) == 3
    assert _titles(superuser_client.get(reverse(CHANGE_LIST), {"q": "白莹"})) == expected


def test_admin_search_covers_aliases_and_organisations(superuser_client, seeded, django_capture_on_commit_callbacks):
    reporter = Reporter.objects.get(name="白莹")
    ReporterAlias.objects.create(reporter=reporter, name="白小莹")
    expected = set(Article.objects.filter(bylines__reporter=reporter).values_list("title", flat=True))
    assert _titles(superuser_client.get(reverse(CHANGE_LIST), {"q": "白小莹"})) == expected
    organisation = Organisation.objects.filter(articles__isnull=False).order_by("pk").first()
    # An organisation's aliases are in its articles' index entries, rewritten by a task once the alias is saved.
    with django_capture_on_commit_callbacks(execute=True):
        OrganisationAlias.objects.create(organisation=organisation, name="某某简称会")
    linked = set(organisation.articles.values_list("title", flat=True))
    assert _titles(superuser_client.get(reverse(CHANGE_LIST), {"q": "某某简称会"})) == linked
    # Body text goes through the full-text index: a word only in a body finds that article.
    article = Article.objects.order_by("pk").first()
    word = "学习会上" if "学习会上" in article.body else article.paragraphs[-1][:4]
    assert article.title in _titles(superuser_client.get(reverse(CHANGE_LIST), {"q": word}))


def test_filters_are_autocomplete_boxes_not_lists(superuser_client, seeded):
    body = superuser_client.get(reverse(CHANGE_LIST)).content.decode()
    assert body.count('class="admin-autocomplete') >= 3
    # No tag, reporter or organisation is listed in the filter sidebar.
    sidebar = body[body.index('id="changelist-filter"') :]
    assert "白莹" not in sidebar and "北京市总工会" not in sidebar
    organisation = Organisation.objects.get(name="北京市总工会")
    filtered = superuser_client.get(reverse(CHANGE_LIST), {"organisation": organisation.pk})
    assert _titles(filtered) == set(organisation.articles.values_list("title", flat=True))
    assert "北京市总工会" in filtered.content.decode()  # the chosen entry is shown in its box
    assert superuser_client.get(reverse(CHANGE_LIST), {"organisation": "x"}).status_code == 200


def test_changelist_queries_constant_with_filters_and_search(
    superuser_client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    def make(n):
        # The bylines reach the search index on commit, as they do after an editor's save.
        with django_capture_on_commit_callbacks(execute=True):
            _make(n)

    def _make(n):
        for _ in range(n):
            article = ArticleFactory(tags=["工会"])
            article.organisations.add(organisation)
            BylineFactory(article=article, reporter=reporter)
            BylineFactory(article=article, role=Byline.Role.PHOTOGRAPHER)

    organisation, reporter = OrganisationFactory(), ReporterFactory(name="白莹")
    tag_id = None
    make(2)
    from taggit.models import Tag

    tag_id = Tag.objects.get(name="工会").pk
    params = {"tag": tag_id, "reporter": reporter.pk, "organisation": organisation.pk, "q": "白莹"}
    with django_assert_max_num_queries(40) as few:
        assert len(_titles(superuser_client.get(reverse(CHANGE_LIST), params))) == 2
    make(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_titles(superuser_client.get(reverse(CHANGE_LIST), params))) == 32


# --- merges ----------------------------------------------------------------------------------------------------


def _merge(client, model, keep, objects):
    url = reverse(f"admin:articles_{model}_changelist")
    selected = [obj.pk for obj in objects]
    confirm = client.post(url, {"action": "merge_selected", "_selected_action": selected})
    client.post(url, {"action": "merge_selected", "_selected_action": selected, "apply": "1", "keep": keep.pk})
    return confirm


def test_merge_screen_shows_counts_affiliations_and_aliases(chief_client):
    keep = ReporterFactory(name="刘欣欣", affiliation="丰台区总工会")
    typo = ReporterFactory(name="刘新新")
    ReporterAlias.objects.create(reporter=typo, name="刘欣")
    for _ in range(3):
        BylineFactory(reporter=keep)
    url = reverse("admin:articles_reporter_changelist")
    body = chief_client.post(url, {"action": "merge_selected", "_selected_action": [keep.pk, typo.pk]})
    table = body.content.decode().split('id="merge-candidates"')[1]
    keep_row = table.split(f'value="{keep.pk}"')[1].split("</tr>")[0]
    typo_row = table.split(f'value="{typo.pk}"')[1].split("</tr>")[0]
    assert ">3<" in keep_row and "丰台区总工会" in keep_row
    assert ">0<" in typo_row and "刘欣" in typo_row


def test_reporter_merge_is_a_revision_that_reverts(chief_client):
    keep = ReporterFactory(name="刘欣欣")
    typo = ReporterFactory(name="刘新新")
    shared = ArticleFactory()
    BylineFactory(article=shared, reporter=keep)
    duplicate = BylineFactory(article=shared, reporter=typo)
    only_typo = BylineFactory(reporter=typo)
    ReporterAlias.objects.create(reporter=typo, name="刘欣")
    bylines_before = sorted(Byline.objects.values_list("pk", "article_id", "reporter_id", "role"))
    _merge(chief_client, "reporter", keep, [keep, typo])
    assert not Reporter.objects.filter(pk=typo.pk).exists()
    assert not Byline.objects.filter(pk=duplicate.pk).exists()

    deleted = Version.objects.get_deleted(Reporter).get()
    assert "合并" in deleted.revision.get_comment()
    recover = reverse("admin:articles_reporter_recover", args=[deleted.pk])
    form = chief_client.get(recover).context["adminform"].form
    data = {name: form[name].value() or "" for name in ("name", "slug", "kind", "affiliation")}
    data.update({"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"})
    response = chief_client.post(recover, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    assert Reporter.objects.filter(pk=typo.pk, name="刘新新").exists()
    assert sorted(Byline.objects.values_list("pk", "article_id", "reporter_id", "role")) == bylines_before
    assert Byline.objects.get(pk=only_typo.pk).reporter_id == typo.pk
    assert list(typo.aliases.values_list("name", flat=True)) == ["刘欣"]
    assert not keep.aliases.exists()


def test_organisation_merge_reverts_links(chief_client, chief_editor):
    keep = OrganisationFactory(name="北京经济技术开发区总工会")
    short = OrganisationFactory(name="经开区总工会")
    article = ArticleFactory()
    article.organisations.add(short)
    _merge(chief_client, "organisation", keep, [keep, short])
    assert list(article.organisations.all()) == [keep]
    Version.objects.get_deleted(Organisation).get().revision.revert(delete=True)
    assert list(article.organisations.all()) == [short]
    assert not keep.aliases.exists()


def test_editor_cannot_recover_merged_records(editor_client):
    assert editor_client.get(reverse("admin:articles_reporter_recoverlist")).status_code == 403


# --- imports -----------------------------------------------------------------------------------------------------


def _upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/plain")


def _import(client, files, draft="0"):
    from django.test import TestCase

    url = reverse("admin:articles_article_import")
    preview = client.post(url, {"files": [_upload(name, data) for name, data in files], "draft": draft == "1"})
    assert preview.status_code == 200
    # The confirmed import runs in a task enqueued on commit (articles.tasks.run_import_job).
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"confirm": "1", "token": preview.context["token"], "draft": draft}, follow=True)
    return preview


def _without_last_article(path: Path) -> bytes:
    text = path.read_text(encoding="utf-8")
    last = parsing.parse_page(text).articles[-1]
    return text[: text.rindex(f"\n{last.title}\n")].encode()


# Page files named by their place (issue date, page number): a changed text replaces only the page at its place.
DATED = ["2022-11-15_p01.txt", "2022-11-15_p02.txt", "2022-11-15_p03.txt"]


def test_editor_import_is_drafts_and_cannot_delete(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _import(editor_client, [(DATED[0], SEED_FILES[0].read_bytes())], draft="0")
    assert Article.objects.count() == 5
    assert set(Article.objects.values_list("status", flat=True)) == {"draft"}
    versions = Version.objects.get_for_model(Article)
    assert versions.count() == 5 and {v.revision.user.username for v in versions} == {"editor"}

    preview = _import(editor_client, [(DATED[0], _without_last_article(SEED_FILES[0]))])
    body = preview.content.decode()
    assert "替换" in body and "您没有删除权限" in body
    assert Article.objects.count() == 5, "the editor's re-import kept the article the new text lacks"


def test_chief_reimport_deletes_and_import_is_published(chief_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _import(chief_client, [(DATED[0], SEED_FILES[0].read_bytes())])
    assert Article.objects.published().count() == 5
    _import(chief_client, [(DATED[0], _without_last_article(SEED_FILES[0]))])
    assert Article.objects.count() == 4


def test_import_keeps_articles_without_delete_permission():
    import_pages(sources=[SourceFileLike(DATED[0], SEED_FILES[0].read_bytes())])
    changed = SourceFileLike(DATED[0], _without_last_article(SEED_FILES[0]))
    report = import_pages(sources=[changed], allow_delete=False)
    assert report.files[0].outcome == "updated"
    assert len(report.files[0].articles_kept) == 1 and report.files[0].articles_deleted == 0
    assert Article.objects.count() == 5


def SourceFileLike(name, data):  # noqa: N802
    from articles.importers import SourceFile

    return SourceFile(name, data)


def test_preview_says_new_unchanged_or_replaced(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    import_pages(sources=[SourceFileLike(DATED[i], SEED_FILES[i].read_bytes()) for i in (0, 1)])
    page = Page.objects.get(source_name=DATED[1])
    changed = SEED_FILES[1].read_text(encoding="utf-8").replace("。", "！", 1).encode()
    url = reverse("admin:articles_article_import")
    files = [
        _upload(DATED[0], SEED_FILES[0].read_bytes()),
        _upload(DATED[1], changed),
        _upload(SEED_FILES[2].name, SEED_FILES[2].read_bytes()),
    ]
    preview = editor_client.post(url, {"files": files})
    actions = [item.action for item in preview.context["previews"]]
    assert actions == ["未变", "替换", "新建"]
    body = preview.content.decode()
    assert f"将替换已导入的版面“{page}”" in body
    first = parsing.parse_page(SEED_FILES[2].read_text(encoding="utf-8")).articles[0]
    assert first.title in body and first.people[0].name in body
    assert first.body[0][: first.body[0].index("。") + 1] in body
    assert Article.objects.count() == 10, "a preview writes nothing"


def test_every_seed_anomaly_reads_in_chinese():
    report = import_pages(paths=SEED_FILES, dry_run=True)
    texts = [anomaly for _, anomaly in report.anomalies]
    assert texts, "the seeds have anomalies to show"
    for text in texts:
        translated = chinese_anomaly(text)
        assert not re.search(r"[a-z]{3,} [a-z]{2,}", translated), (text, translated)
    assert chinese_anomaly("《题》the last paragraph ends without end punctuation") == "《题》最后一段没有句末标点"
    assert chinese_anomaly("unbalanced quotes “” in paragraph 3 (2 open, 1 closed)") == (
        "第3段的引号“”不成对（左 2 个，右 1 个）"
    )
    assert chinese_anomaly("a message nobody translated") == "a message nobody translated"


def test_command_import_keeps_versions_unless_told_not_to():
    from django.core.management import call_command

    call_command("import_seeds", str(SEED_FILES[0]), "--no-revisions", stdout=io.StringIO())
    assert not Version.objects.get_for_model(Article).exists()
    call_command("import_seeds", str(SEED_FILES[1]), stdout=io.StringIO())
    written = Article.objects.filter(page__source_name=str(SEED_FILES[1])).count()
    versions = Version.objects.get_for_model(Article)
    assert written and versions.count() == written
    assert {v.revision.get_comment() for v in versions} == {f"导入新建：{SEED_FILES[1].name}"}
