"""Images for phones: at most 1600 px wide plus a phone width, metadata stripped, WebP beside the original.

Pillow opens only the formats the course format allows, and the pixel count is checked from the
header before anything is decoded (a 100,000 × 100,000 PNG is a few KB on disk). EXIF orientation is
applied before the metadata goes, so phone photos stay upright.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import StudioError
from ..svg import sanitize_svg
from .probe import IMAGE_FORMATS, MAX_PIXELS, MediaInfo, content_problem, raster_info, read_head, sniff

MAX_WIDTH = 1600
PHONE_WIDTH = 640
SETTINGS = {"max": MAX_WIDTH, "phone": PHONE_WIDTH, "jpeg": 82, "webp": 80, "version": 2}
MEDIA_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "SVG": "image/svg+xml",
}


class NotServable(StudioError):
    """The file is not an image that can be served on its own; the message reads after its name."""


def servable(path: Path, name: str) -> tuple[str, bytes | None]:
    """(media type, bytes to send or None to send the file as it is) for *path*, the course's file *name*
    (a snapshot stores it under its hash), served as an image on its own (a catalogue thumbnail).

    It is typed by its content, never its name; an SVG is sanitised (serve it with
    ``packager.svg.HEADERS``); a raster image is served only when its header is sound and within
    :data:`MAX_PIXELS`.

    Raises :class:`NotServable` (or ``packager.svg.UnsafeSvg``) for anything else.
    """
    head = read_head(path)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    fmt = sniff(head)
    problem = content_problem(head, ext)
    if problem or fmt not in MEDIA_TYPES:
        raise NotServable(problem or "is not a PNG, JPEG, WebP, GIF or SVG image")
    if fmt == "SVG":
        return MEDIA_TYPES[fmt], sanitize_svg(path.read_bytes())
    info = raster_info(path, path.stat().st_size, ext)
    if info.error:
        raise NotServable(info.error)
    return MEDIA_TYPES[fmt], None


def widths(info: MediaInfo) -> list[int]:
    """The widths made of an image, smallest first; never wider than the original.

    A diagram (a palette image) keeps one width: scaled down, its lines and text blur into more
    colours, so the smaller copy is often the larger file and always the less legible one.

    >>> widths(MediaInfo("image", width=3000, height=2000)), widths(MediaInfo("image", width=500, height=90))
    ([640, 1600], [500])
    >>> widths(MediaInfo("image", width=1000, height=560, palette=True))
    [1000]
    """
    full = min(info.width, MAX_WIDTH)
    return ([PHONE_WIDTH] if full > PHONE_WIDTH and not info.palette else []) + [full]


def height_at(info: MediaInfo, width: int) -> int:
    return max(1, round(info.height * width / info.width)) if info.width else 0


def make(src: Path, dst: Path, width: int, fmt: str) -> None:
    """Write *src* at *width* pixels wide in *fmt* (``PNG``, ``JPEG``, ``WEBP``) to *dst*, without metadata."""
    from PIL import Image, ImageOps

    with Image.open(src, formats=sorted(set(IMAGE_FORMATS.values()))) as opened:
        if opened.width * opened.height > MAX_PIXELS:
            raise ValueError(f"{opened.width}×{opened.height} pixels is over the limit")
        source_format = opened.format
        palette = len(opened.getpalette() or []) // 3 if opened.mode == "P" else 0
        im: Image.Image = ImageOps.exif_transpose(opened)
        icc = im.info.get("icc_profile")
        if im.mode not in ("RGB", "RGBA", "L", "LA"):
            im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
        resized = width < im.width
        if resized:
            im = im.resize((width, max(1, round(im.height * width / im.width))), Image.Resampling.LANCZOS)
        im.info = {}  # EXIF, XMP, comments, text chunks: nothing of the camera or the author's machine
        options: dict[str, object] = {"icc_profile": icc} if icc else {}
        if fmt == "JPEG":
            im = im.convert("RGB") if im.mode != "L" else im
            options.update(quality=SETTINGS["jpeg"], optimize=True, progressive=True)
        elif fmt == "WEBP":
            # diagrams and screenshots at their own size: exact and smaller; resampled ones have too many colours
            lossless = source_format in ("PNG", "GIF") and not resized
            options.update(quality=SETTINGS["webp"], method=4, lossless=lossless)
        elif fmt == "PNG":
            if palette and im.mode in ("RGB", "RGBA"):
                im = im.quantize(
                    max(2, palette), method=Image.Quantize.FASTOCTREE if im.mode == "RGBA" else Image.Quantize.MEDIANCUT
                )
            options.update(optimize=True)
        im.save(dst, format=fmt, **options)
