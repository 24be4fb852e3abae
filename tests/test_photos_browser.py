"""A superuser adds a photo to a seed photo-news article in Chromium; readers see it at two widths."""

import os
import re
from pathlib import Path

import PIL.Image
import PIL.ImageDraw
import pytest
from playwright.sync_api import expect

from articles.models import Article, Byline, Image
from tests.conftest import SCREENSHOTS
from tests.factories import UserFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# live_server needs committed data. No serialized_rollback (a plain transactional test run before would make
# restoring it fail), so the editorial groups may be gone: the test logs in as a superuser.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def photo_jpeg(path: Path) -> Path:
    """A 1600×1000 JPEG with shapes in it, so the screenshots show a real picture."""
    image = PIL.Image.new("RGB", (1600, 1000), (70, 120, 170))
    draw = PIL.ImageDraw.Draw(image)
    draw.rectangle((0, 650, 1600, 1000), fill=(90, 140, 80))
    draw.ellipse((1150, 120, 1400, 370), fill=(250, 210, 90))
    draw.polygon([(200, 650), (600, 250), (1000, 650)], fill=(150, 150, 160))
    image.save(path, "JPEG", quality=88)
    return path


def test_editor_uploads_a_photo_and_readers_see_it(browser, live_server, seeded, tmp_path):
    UserFactory(username="zhubian", is_staff=True, is_superuser=True)
    article = Article.objects.filter(kind=Article.Kind.PHOTO, bylines__role=Byline.Role.PHOTOGRAPHER).first()
    assert article is not None, "the seeds hold photo news with a photographer's byline"
    photographer = article.bylines.filter(role=Byline.Role.PHOTOGRAPHER).first().reporter
    caption = "一线职工在工会驿站歇脚（图片说明）"

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "zhubian")
    page.fill("#id_password", "pass-word-123")
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.locator("#images-group .add-row a").click()
    page.set_input_files("input[name='images-0-file']", str(photo_jpeg(tmp_path / "station.jpg")))
    page.fill("textarea[name='images-0-caption']", caption)
    page.select_option("select[name='images-0-credit']", str(photographer.pk))
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))

    image = Image.objects.get(article=article)
    assert image.caption == caption and image.credit == photographer and len(image.renditions) == 6

    for width, height, name in ((1280, 900, "photo-desktop"), (390, 844, "photo-phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + article.get_absolute_url())
        figure = page.locator("figure.photo")
        expect(figure).to_have_count(1)
        figure.scroll_into_view_if_needed()
        expect(figure.locator("figcaption")).to_contain_text(caption)
        credit = figure.locator(".photo-credit a")
        expect(credit).to_have_text(photographer.name)
        assert credit.get_attribute("href") == photographer.get_absolute_url()
        picture = figure.locator("img")
        # The browser picked a rendition from the srcset and decoded it.
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
        chosen = picture.evaluate("img => img.currentSrc")
        assert "/media/renditions/" in chosen, chosen
        box = picture.bounding_box()
        assert box["width"] <= width and box["height"] > 100
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)

    # The reader's list shows the thumbnail on the article's card.
    page.goto(f"{live_server.url}/articles/?q={article.title}")
    card = page.locator("article.story", has=page.get_by_role("link", name=article.title, exact=True))
    expect(card.locator(".story-thumb img")).to_be_visible()
    context.close()
