"""Photos: what an upload must be (checked with Pillow), and the renditions the pages show (made by sorl-thumbnail)."""

from pathlib import PurePosixPath

import PIL.Image
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from sorl.thumbnail import delete as sorl_delete
from sorl.thumbnail import get_thumbnail

# Pillow's format names and the extension a stored file gets, whatever the editor's file was called.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
ALLOWED_LABEL = "JPEG、PNG、WebP 或 GIF"
RENDITION_FORMATS = (("webp", "WEBP"), ("jpeg", "JPEG"))


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.1f} MB"


def _megapixels(pixels: int) -> str:
    return f"{pixels / 10_000:.0f} 万像素" if pixels >= 10_000 else f"{pixels} 像素"


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in text[:1024]


def _read_head(upload, size: int = 2048) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def validate_image_upload(upload) -> str:
    """Refuse anything but a whole JPEG, PNG, WebP or GIF within the limits; return its Pillow format name."""
    # Every refusal names its reason, in the editor's language; the checks read the content, never the file name.
    size = upload.size
    if not size:
        raise ValidationError("文件是空的（0 字节），请重新选择图片。", code="empty")
    if size > settings.NEWSROOM_IMAGE_MAX_BYTES:
        raise ValidationError(
            f"文件太大：{_megabytes(size)}，上限 {_megabytes(settings.NEWSROOM_IMAGE_MAX_BYTES)}。", code="too_large"
        )
    if _looks_like_svg(_read_head(upload)):
        raise ValidationError(f"不接受 SVG 矢量图（可能含有脚本）：请上传 {ALLOWED_LABEL} 图片。", code="svg")
    try:
        with PIL.Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            if kind not in ALLOWED_FORMATS:
                raise ValidationError(f"不支持的图片格式 {kind}：只接受 {ALLOWED_LABEL}。", code="format")
            # Checked from the header before anything is decoded: a small file can hold a huge image.
            limit = settings.NEWSROOM_IMAGE_MAX_PIXELS
            if width * height > limit:
                raise ValidationError(
                    f"图片像素太多：{width}×{height}（{_megapixels(width * height)}），上限 {_megapixels(limit)}。",
                    code="too_many_pixels",
                )
            image.verify()
        # verify() checks the structure only; decoding the pixels finds a truncated or corrupt body.
        upload.seek(0)
        with PIL.Image.open(upload) as image:
            image.load()
    except ValidationError:
        raise
    except PIL.Image.DecompressionBombError:
        raise ValidationError("图片像素太多，无法处理。", code="too_many_pixels") from None
    except PIL.UnidentifiedImageError:
        raise ValidationError(
            f"无法识别为图片：文件内容不是 {ALLOWED_LABEL}，或已损坏（与扩展名无关）。", code="not_image"
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(f"图片数据已损坏或不完整（{error}），请重新导出后上传。", code="corrupt") from None
    finally:
        upload.seek(0)
    return kind


def stored_name(original: str, kind: str) -> str:
    """The editor's file name with the extension of what the file really is."""
    stem = PurePosixPath(original).stem or "photo"
    return f"{stem}.{ALLOWED_FORMATS[kind]}"


def make_renditions(image) -> list[dict]:
    """Make WebP and JPEG renditions at the configured widths (never wider than the photo) and record them."""
    widths = sorted({min(width, image.width) for width in settings.NEWSROOM_IMAGE_WIDTHS})
    renditions = []
    for width in widths:
        for label, pillow_format in RENDITION_FORMATS:
            # Geometry "480" fixes the width and keeps the aspect ratio; sorl writes through the default storage.
            thumbnail = get_thumbnail(image.file, str(width), format=pillow_format)
            renditions.append(
                {
                    "width": thumbnail.width,
                    "height": thumbnail.height,
                    "format": label,
                    "name": thumbnail.name,
                    # Feeds' enclosures state the length; asking the storage at render time would cost a request.
                    "bytes": default_storage.size(thumbnail.name),
                }
            )
    image.renditions = renditions
    image.save(update_fields=["renditions"])
    return renditions


def rendition_urls(image) -> dict[str, dict[str, str]]:
    """{"480": {"webp": url, "jpeg": url}, …} for the API."""
    urls: dict[str, dict[str, str]] = {}
    for rendition in image.renditions:
        urls.setdefault(str(rendition["width"]), {})[rendition["format"]] = default_storage.url(rendition["name"])
    return urls


def srcset(image, label: str) -> str:
    """The srcset of one format: "url 480w, url 960w"."""
    return ", ".join(
        f"{default_storage.url(r['name'])} {r['width']}w" for r in image.renditions if r["format"] == label
    )


def enclosure_rendition(image, width: int = 960) -> dict | None:
    """The JPEG rendition closest to `width`, for a feed's enclosure."""
    found = [r for r in image.renditions if r["format"] == "jpeg"]
    return min(found, key=lambda r: abs(r["width"] - width)) if found else None


def smallest(image, label: str = "jpeg") -> dict | None:
    """The narrowest rendition of a format, for thumbnails in lists."""
    found = [r for r in image.renditions if r["format"] == label]
    return min(found, key=lambda r: r["width"]) if found else None


def delete_files(name: str, rendition_names: list[str]) -> None:
    """Remove a deleted photo's file and renditions from the storage, and sorl's record of them."""
    if name:
        sorl_delete(name, delete_file=False)
    for stored in [name, *rendition_names]:
        if stored:
            default_storage.delete(stored)
