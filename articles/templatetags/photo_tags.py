"""Template helpers for photos: the srcset of each rendition format and the fallback image."""

from django import template
from django.core.files.storage import default_storage

from .. import images

register = template.Library()


@register.simple_tag
def picture(image, thumbnail=False):
    """What a <picture> needs: webp and jpeg srcsets, a fallback src and the intrinsic size."""
    # Until the renditions task has run, the original file stands in (the page never waits for a worker).
    if not image.renditions:
        return {"src": image.file.url, "width": image.width, "height": image.height, "webp": "", "jpeg": ""}
    fallback = (
        images.smallest(image)
        if thumbnail
        else max((r for r in image.renditions if r["format"] == "jpeg"), key=lambda r: r["width"])
    )
    return {
        "src": default_storage.url(fallback["name"]),
        "width": fallback["width"],
        "height": fallback["height"],
        "webp": images.srcset(image, "webp"),
        "jpeg": images.srcset(image, "jpeg"),
    }
