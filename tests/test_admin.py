"""The editors' admin, through real requests: rendering, permissions, publishing, merging, query counts."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from articles.admin import NO_PUBLISH_MESSAGE
from articles.models import Article, Byline, Organisation, OrganisationAlias, Reporter, ReporterAlias
from articles.search import search_articles
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    IssueFactory,
    OrganisationFactory,
    PageFactory,
    ReporterFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = ["article", "issue", "page", "reporter", "organisation"]


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def some_content():
    article = ArticleFactory(kicker="引题", subtitle="副题", tags=["劳模"])
    BylineFactory(article=article)
    article.organisations.add(OrganisationFactory(name="北京市总工会"))
    return article


@pytest.mark.parametrize("who", ["superuser_client", "editor_client", "chief_client"])
@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_render_for_each_role(request, who, model, some_content):
    client = request.getfixturevalue(who)
    response = client.get(reverse(f"admin:articles_{model}_changelist"))
    assert response.status_code == 200
    assert "编辑后台" in response.content.decode()


@pytest.mark.parametrize("who", ["superuser_client", "editor_client", "chief_client"])
def test_article_change_and_add_forms_render(request, who, some_content):
    client = request.getfixturevalue(who)
    response = client.get(reverse("admin:articles_article_change", args=[some_content.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "引题" in body and "署名" in body and "标签" in body
    assert client.get(reverse("admin:articles_article_add")).status_code == 200
    issue_page = client.get(reverse("admin:articles_issue_change", args=[some_content.issue.pk]))
    assert issue_page.status_code == 200
    assert some_content.title in issue_page.content.decode()


def test_admin_is_in_chinese(superuser_client):
    body = superuser_client.get(reverse("admin:index")).content.decode()
    assert "文章" in body and "记者" in body and "组织" in body


def test_anonymous_reaches_nothing(client, some_content):
    for model in CHANGELISTS:
        response = client.get(reverse(f"admin:articles_{model}_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_changelist_search_and_filters(superuser_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written on commit
        some_content = ArticleFactory(kicker="引题", subtitle="副题", tags=["劳模"])
        BylineFactory(article=some_content)
        ArticleFactory(title="完全不同的标题")
    url = reverse("admin:articles_article_changelist")
    found = superuser_client.get(url, {"q": "副题"}).content.decode()
    assert some_content.title in found and "完全不同的标题" not in found
    reporter = some_content.bylines.get().reporter
    tag = some_content.tags.get()
    for params in ({"tag": tag.pk}, {"reporter": reporter.pk}):
        body = superuser_client.get(url, params).content.decode()
        assert some_content.title in body and "完全不同的标题" not in body
        # The filter is one autocomplete box showing the chosen entry, not a list of every row.
        assert 'class="admin-autocomplete' in body
    assert "完全不同的标题" in superuser_client.get(url, {"status__exact": "published"}).content.decode()


def test_changelist_query_count_is_constant(superuser_client, django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            article = ArticleFactory(tags=["工会"])
            BylineFactory(article=article)
            BylineFactory(article=article, role=Byline.Role.PHOTOGRAPHER)

    url = reverse("admin:articles_article_changelist")
    make(2)
    with django_assert_max_num_queries(30) as few:
        superuser_client.get(url)
    make(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = superuser_client.get(url)
    assert response.status_code == 200


def _change_form_data(article, **overrides):
    data = {
        "kicker": article.kicker,
        "title": article.title,
        "subtitle": article.subtitle,
        "kind": article.kind,
        "dateline": article.dateline,
        "body": article.body,
        "event_date": "",
        "issue": article.issue_id,
        "page": article.page_id or "",
        "position": article.position,
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d") if article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article.published_at else "",
        "tags": "劳模",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_editor_changes_text_but_cannot_publish_through_form(editor_client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    response = editor_client.post(url, _change_form_data(draft, title="改过的标题"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "改过的标题"
    response = editor_client.post(url, _change_form_data(draft, status="published"))
    assert response.status_code == 200
    assert NO_PUBLISH_MESSAGE in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_chief_editor_publishes_through_form(chief_client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    response = chief_client.post(url, _change_form_data(draft, status="published"))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.is_public


@pytest.mark.parametrize("action", ["publish_articles", "unpublish_articles"])
def test_editor_action_refused_with_message(editor_client, action):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    live = ArticleFactory()
    response = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk, live.pk]},
        follow=True,
    )
    assert NO_PUBLISH_MESSAGE in _messages(response)
    article.refresh_from_db()
    live.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert live.status == Article.Status.PUBLISHED


def test_chief_editor_publish_and_unpublish_actions(chief_client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    url = reverse("admin:articles_article_changelist")
    chief_client.post(url, {"action": "publish_articles", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_public
    chief_client.post(url, {"action": "unpublish_articles", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert not Article.objects.published().filter(pk=draft.pk).exists()


def test_import_reference_is_read_only(superuser_client):
    article = ArticleFactory(import_ref="abc:1")
    response = superuser_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        _change_form_data(article, import_ref="forged"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.import_ref == "abc:1"


def test_view_on_site_link(superuser_client):
    article = ArticleFactory()
    body = superuser_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert reverse("admin:view_on_site", args=[_content_type_id(Article), article.pk]) in body


def _content_type_id(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def test_issue_inline_lists_articles_in_page_order(superuser_client):
    issue = IssueFactory()
    page_two = PageFactory(issue=issue, number=2)
    page_one = PageFactory(issue=issue, number=1)
    ArticleFactory(issue=issue, page=page_two, position=1, title="第二版头条")
    ArticleFactory(issue=issue, page=page_one, position=2, title="第一版二条")
    ArticleFactory(issue=issue, page=page_one, position=1, title="第一版头条")
    body = superuser_client.get(reverse("admin:articles_issue_change", args=[issue.pk])).content.decode()
    assert body.index("第一版头条") < body.index("第一版二条") < body.index("第二版头条")


def test_reporter_autocomplete(superuser_client):
    ReporterFactory(name="白莹")
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {"term": "白", "app_label": "articles", "model_name": "byline", "field_name": "reporter"},
    )
    assert response.status_code == 200
    assert "白莹" in response.json()["results"][0]["text"]


def test_reporter_list_shows_article_counts(superuser_client):
    reporter = ReporterFactory(name="刘欣欣")
    for _ in range(3):
        BylineFactory(reporter=reporter)
    body = superuser_client.get(reverse("admin:articles_reporter_changelist"), {"q": "刘欣欣"}).content.decode()
    assert '<td class="field-article_count">3</td>' in body


def _merge(client, model, keep, objects):
    url = reverse(f"admin:articles_{model}_changelist")
    selected = [obj.pk for obj in objects]
    confirm = client.post(url, {"action": "merge_selected", "_selected_action": selected})
    return confirm, client.post(
        url, {"action": "merge_selected", "_selected_action": selected, "apply": "1", "keep": keep.pk}, follow=True
    )


def test_merge_reporters_keeps_every_byline(chief_client):
    keep = ReporterFactory(name="刘欣欣")
    typo = ReporterFactory(name="刘新新")
    shared = ArticleFactory()
    BylineFactory(article=shared, reporter=keep, role=Byline.Role.REPORTER)
    BylineFactory(article=shared, reporter=typo, role=Byline.Role.REPORTER)
    BylineFactory(article=shared, reporter=typo, role=Byline.Role.PHOTOGRAPHER)
    only_typo = BylineFactory(reporter=typo).article
    ReporterAlias.objects.create(reporter=typo, name="刘欣")

    confirm, done = _merge(chief_client, "reporter", keep, [keep, typo])
    assert confirm.status_code == 200 and "保留哪一条" in confirm.content.decode()
    assert done.status_code == 200
    assert not Reporter.objects.filter(pk=typo.pk).exists()
    assert set(shared.bylines.values_list("reporter__name", "role")) == {
        ("刘欣欣", "reporter"),
        ("刘欣欣", "photographer"),
    }
    assert list(only_typo.bylines.values_list("reporter__name", flat=True)) == ["刘欣欣"]
    assert set(keep.aliases.values_list("name", flat=True)) == {"刘新新", "刘欣"}


def test_merge_organisations_moves_links_and_aliases(chief_client, django_capture_on_commit_callbacks):
    keep = OrganisationFactory(name="北京经济技术开发区总工会")
    short = OrganisationFactory(name="经开区总工会")
    OrganisationAlias.objects.create(organisation=short, name="亦庄总工会")
    child = OrganisationFactory(name="某企业工会", parent=short)
    both = ArticleFactory()
    both.organisations.add(keep, short)
    only_short = ArticleFactory()
    only_short.organisations.add(short)

    with django_capture_on_commit_callbacks(execute=True):
        _merge(chief_client, "organisation", keep, [keep, short])
    assert not Organisation.objects.filter(pk=short.pk).exists()
    # The moved link reaches the search index too: the survivor's name finds the article.
    found = search_articles(Article.objects.published(), "北京经济技术开发区总工会")
    assert only_short in found
    assert list(both.organisations.all()) == [keep]
    assert list(only_short.organisations.all()) == [keep]
    assert set(keep.aliases.values_list("name", flat=True)) == {"经开区总工会", "亦庄总工会"}
    child.refresh_from_db()
    assert child.parent == keep


def test_editor_cannot_merge(editor_client):
    first, second = ReporterFactory(), ReporterFactory()
    _merge(editor_client, "reporter", first, [first, second])
    assert Reporter.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_merge_needs_two_records(chief_client):
    only = ReporterFactory()
    response = chief_client.post(
        reverse("admin:articles_reporter_changelist"),
        {"action": "merge_selected", "_selected_action": [only.pk]},
        follow=True,
    )
    assert "请至少选择两条记录进行合并。" in _messages(response)
