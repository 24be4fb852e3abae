"""Photos: what an upload must be, the renditions, and where a photo shows (article page, lists, feeds, API)."""

import io
import json
import re

import PIL.Image
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.images import validate_image_upload
from articles.models import Article, Byline, Image
from tests import factories

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def image_bytes(width=64, height=48, kind="JPEG", mode="RGB") -> bytes:
    buffer = io.BytesIO()
    PIL.Image.new(mode, (width, height), color=1 if mode == "1" else (200, 40, 40)).save(buffer, kind)
    return buffer.getvalue()


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(file) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_image_upload(file)
    return caught.value


# --- refusals, each naming its reason -----------------------------------------------------------------------


def test_png_renamed_jpg_with_a_corrupt_body_is_refused_as_corrupt():
    png = image_bytes(400, 300, "PNG")
    # The header still says PNG; the compressed pixel data is cut and overwritten.
    broken = png[:60] + b"\x00" * 200
    error = refusal(upload("photo.jpg", broken))
    assert error.code in {"corrupt", "not_image"}
    assert "损坏" in error.messages[0]


def test_svg_is_refused_by_its_content_whatever_its_name():
    for name in ("drawing.svg", "photo.jpg", "photo.png"):
        error = refusal(upload(name, SVG, "image/svg+xml"))
        assert error.code == "svg" and "SVG" in error.messages[0]


def test_sixty_megapixel_image_is_refused_for_its_pixels(settings):
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 40_000_000
    # 1-bit mode keeps an 8000×7500 PNG at a few kilobytes.
    huge = image_bytes(8000, 7500, "PNG", mode="1")
    assert len(huge) < 1_000_000
    error = refusal(upload("big.png", huge, "image/png"))
    assert error.code == "too_many_pixels"
    assert (
        "8000×7500" in error.messages[0] and "6000 万像素" in error.messages[0] and "4000 万像素" in error.messages[0]
    )


def test_empty_file_is_refused_as_empty():
    error = refusal(upload("photo.jpg", b""))
    assert error.code == "empty" and "0 字节" in error.messages[0]


def test_file_over_the_size_limit_is_refused_with_both_sizes(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    error = refusal(upload("photo.jpg", image_bytes(300, 300) + b"\x00" * 2000))
    assert error.code == "too_large" and "上限" in error.messages[0]


def test_other_formats_are_refused_by_name():
    error = refusal(upload("photo.bmp", image_bytes(10, 10, "BMP"), "image/bmp"))
    assert error.code == "format" and "BMP" in error.messages[0]


def test_text_is_not_an_image():
    error = refusal(upload("photo.jpg", "这不是图片".encode()))
    assert error.code == "not_image"


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP", "GIF"])
def test_the_four_formats_are_accepted(kind):
    assert validate_image_upload(upload(f"photo.{kind.lower()}", image_bytes(kind=kind))) == kind


# --- the admin form -----------------------------------------------------------------------------------------


def admin_data(article, **images):
    return {
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
        "published_at_0": "",
        "published_at_1": "",
        "tags": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
        **{f"images-0-{key}": value for key, value in images.items()},
    }


def test_admin_inline_stores_the_photo_and_makes_renditions(superuser_client, django_capture_on_commit_callbacks):
    article = factories.ArticleFactory(status=Article.Status.DRAFT, published_at=None, kind=Article.Kind.PHOTO)
    photographer = factories.ReporterFactory(name="陈艺")
    factories.BylineFactory(article=article, reporter=photographer, role=Byline.Role.PHOTOGRAPHER)
    data = admin_data(
        article,
        file=upload("DSC_0001.png", image_bytes(2000, 1000, "JPEG")),  # a JPEG under a PNG name
        caption="职工在工会驿站歇脚",
        credit=photographer.pk,
        credit_text="",
        order="0",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    image = Image.objects.get(article=article)
    assert image.file.name.endswith(".jpg"), "the stored name says what the file is"
    assert (image.width, image.height) == (2000, 1000)
    assert image.credit == photographer
    got = {(r["width"], r["format"]) for r in image.renditions}
    assert got == {(w, f) for w in (480, 960, 1600) for f in ("webp", "jpeg")}
    for rendition in image.renditions:
        with image.file.storage.open(rendition["name"]) as handle, PIL.Image.open(handle) as opened:
            assert opened.format == rendition["format"].upper()
            assert (
                opened.size
                == (rendition["width"], rendition["height"])
                == (rendition["width"], rendition["width"] // 2)
            )


def test_admin_inline_refuses_an_svg_with_the_reason(superuser_client):
    article = factories.ArticleFactory()
    data = admin_data(article, file=upload("logo.jpg", SVG), caption="", credit="", credit_text="", order="0")
    response = superuser_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    assert "不接受 SVG" in response.content.decode()
    assert not Image.objects.exists()


def test_credit_choices_are_the_photographers(superuser_client):
    article = factories.ArticleFactory()
    photographer = factories.ReporterFactory(name="边磊")
    writer = factories.ReporterFactory(name="白莹")
    factories.BylineFactory(reporter=photographer, role=Byline.Role.PHOTOGRAPHER)
    factories.BylineFactory(reporter=writer, role=Byline.Role.REPORTER)
    form = superuser_client.get(reverse("admin:articles_article_change", args=[article.pk])).context[
        "inline_admin_formsets"
    ]
    choices = {str(label) for _, label in form[-1].formset.empty_form.fields["credit"].choices}
    assert "边磊" in choices and "白莹" not in choices


def test_small_photo_is_never_blown_up():
    image = factories.ImageFactory(file=factories.factory.django.ImageField(width=300, height=200), renditions=True)
    assert {r["width"] for r in image.renditions} == {300}


def test_deleting_a_photo_removes_its_files(django_capture_on_commit_callbacks):
    image = factories.ImageFactory(renditions=True)
    storage = image.file.storage
    names = [image.file.name, *(r["name"] for r in image.renditions)]
    assert all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not any(storage.exists(name) for name in names)


# --- where photos show ------------------------------------------------------------------------------------------


@pytest.fixture
def photo_article():
    photographer = factories.ReporterFactory(name="陈艺")
    article = factories.ArticleFactory(kind=Article.Kind.PHOTO, title="春运首日")
    image = factories.ImageFactory(article=article, caption="旅客在北京西站候车", credit=photographer, renditions=True)
    factories.ImageFactory(article=article, caption="第二张", credit=None, credit_text="新华社发", renditions=True)
    return article, image, photographer


def test_article_page_shows_figures_with_picture_srcset_and_credit(client, photo_article):
    article, image, photographer = photo_article
    html = client.get(article.get_absolute_url()).content.decode()
    figures = re.findall(r"<figure class=\"photo\">.*?</figure>", html, re.S)
    assert len(figures) == 2
    first = figures[0]
    assert re.search(r'<source type="image/webp" srcset="[^"]+\.webp 480w, [^"]+\.webp 960w, [^"]+\.webp 1200w"', first)
    assert re.search(r'<source type="image/jpeg" srcset="[^"]+\.jpg 480w, [^"]+\.jpg 960w, [^"]+\.jpg 1200w"', first)
    assert 'loading="lazy"' in first and 'width="1200" height="800"' in first
    assert "<figcaption>" in first and "旅客在北京西站候车" in first
    assert f'<a href="{photographer.get_absolute_url()}">陈艺</a> 摄' in first
    assert "新华社发" in figures[1]


def test_article_page_without_photos_has_no_figure(client):
    article = factories.ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<figure" not in html and "<picture" not in html


def test_photo_shows_before_its_renditions_exist(client):
    article = factories.ArticleFactory()
    image = factories.ImageFactory(article=article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'src="{image.file.url}"' in html and "<source" not in html


def test_lists_and_home_show_a_thumbnail(client, photo_article):
    article, image, _ = photo_article
    plain = factories.ArticleFactory(issue=article.issue, title="没有图片的稿件")
    for url in ("/", "/articles/"):
        html = client.get(url).content.decode()
        cards = re.findall(r'<article class="story[^"]*">.*?</article>', html, re.S)
        with_photo = [card for card in cards if "春运首日" in card]
        without = [card for card in cards if plain.title in card]
        assert with_photo and without, url
        assert 'class="story-thumb"' in with_photo[0] and "480w" in with_photo[0]
        assert "<picture" not in without[0]


def test_feeds_enclose_the_first_photo(client, photo_article):
    article, image, _ = photo_article
    rss = client.get("/feeds/latest/").content.decode()
    enclosure = re.search(r'<enclosure length="(\d+)" type="image/jpeg" url="([^"]+)"', rss)
    medium = next(r for r in image.renditions if r["format"] == "jpeg" and r["width"] == 960)
    assert enclosure and enclosure.group(2) == f"http://testserver{image.file.storage.url(medium['name'])}"
    assert int(enclosure.group(1)) == medium["bytes"] == image.file.storage.size(medium["name"])
    assert rss.count("<enclosure") == 1
    atom = client.get("/feeds/latest/atom/").content.decode()
    assert 'rel="enclosure"' in atom and 'type="image/jpeg"' in atom


def test_api_lists_photos_with_urls_by_width_and_format(client, photo_article):
    article, image, photographer = photo_article
    data = json.loads(client.get(f"/api/articles/{article.pk}/").content)
    first, second = data["images"]
    assert first["caption"] == "旅客在北京西站候车"
    assert first["credit"]["name"] == "陈艺" and first["credit"]["slug"] == photographer.slug
    assert set(first["urls"]) == {"480", "960", "1200"}
    assert set(first["urls"]["960"]) == {"webp", "jpeg"} and first["urls"]["960"]["webp"].endswith(".webp")
    assert second["credit"] == {"name": "新华社发", "slug": None, "url": None}
    listed = json.loads(client.get("/api/articles/").content)["results"]
    assert [len(row["images"]) for row in listed if row["id"] == article.pk] == [2]
