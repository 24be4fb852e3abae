"""factory_boy factories for the newsroom models."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Byline, Image, Issue, Organisation, OrganisationAlias, Page, Reporter


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    date = factory.Sequence(lambda n: datetime.date(2022, 11, 1) + datetime.timedelta(days=n))
    import_ref = factory.Sequence(lambda n: f"issue:{n}")


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    issue = factory.SubFactory(IssueFactory)
    number = factory.Sequence(lambda n: n + 1)
    banner = "深入学习贯彻党的二十大精神"
    import_ref = factory.Sequence(lambda n: f"page-ref-{n}")
    content_hash = factory.Sequence(lambda n: f"{n:064x}")


class ReporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reporter

    name = factory.Sequence(lambda n: f"记者{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"第{n}区总工会")


class OrganisationAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationAlias

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"简称{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    page = factory.SubFactory(PageFactory)
    issue = factory.SelfAttribute("page.issue")
    position = factory.Sequence(lambda n: n % 16 + 1)
    title = factory.Sequence(lambda n: f"市总工会召开第{n}次学习会")
    body = "本报讯近日，北京市总工会召开学习会。\n会议强调，要做好职工服务工作。"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class BylineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Byline

    article = factory.SubFactory(ArticleFactory)
    reporter = factory.SubFactory(ReporterFactory)
    role = Byline.Role.REPORTER
    order = factory.Sequence(lambda n: n)


class ImageFactory(factory.django.DjangoModelFactory):
    """A photo with a real JPEG file; renditions=True also makes its renditions, as the task would."""

    class Meta:
        model = Image
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    file = factory.django.ImageField(width=1200, height=800, format="JPEG", color="#3a6ea5", filename="photo.jpg")
    caption = factory.Sequence(lambda n: f"图片说明{n}")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def renditions(obj, create, extracted, **kwargs):
        if create and extracted:
            from articles.images import make_renditions

            make_renditions(obj)
