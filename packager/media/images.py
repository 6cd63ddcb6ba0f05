"""Images for phones: at most 1600 px wide plus a phone width, metadata stripped, WebP beside the original.

Pillow opens only the formats the course format allows, and the pixel count is checked from the
header before anything is decoded (a 100,000 × 100,000 PNG is a few KB on disk). EXIF orientation is
applied before the metadata goes, so phone photos stay upright.
"""

from __future__ import annotations

from pathlib import Path

from .probe import IMAGE_FORMATS, MAX_PIXELS, MediaInfo

MAX_WIDTH = 1600
PHONE_WIDTH = 640
SETTINGS = {"max": MAX_WIDTH, "phone": PHONE_WIDTH, "jpeg": 82, "webp": 80, "version": 2}


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
