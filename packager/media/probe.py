"""What a media file is: duration, streams, size. Unusable files get a reason an author can act on.

Video and audio are read by ffprobe (argv built like ``ffmpeg.probe``, but with a time limit and
with demuxers and protocols restricted: partners' files are hostile, and a playlist disguised as an
``.mp4`` must not make ffprobe open other files). Images are read by Pillow, header only, so an
image bomb is refused before a single pixel is decoded. Every file is first identified by its
first bytes (:func:`sniff`), never by its name: a PNG renamed ``.svg`` or a web page renamed ``.mp4``
gets a clear error instead of crashing a build or being served under the wrong type. SVG images
must pass :func:`packager.svg.sanitize_svg`. Results are cached by content hash.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from ..runner import LOCAL, Runner
from ..svg import UnsafeSvg, sanitize_svg
from . import store

PROBE_VERSION = "4"
PROBE_SECONDS = 30
MAX_PIXELS = 40_000_000
"""Most pixels an image or video frame may have (40 megapixels), checked from the header before decoding."""
MAX_INPUT_BYTES = int(os.environ.get("KSTUDIO_MEDIA_MAX_MB", "2048")) << 20
"""Largest media file accepted (``KSTUDIO_MEDIA_MAX_MB``, default 2 GB)."""

# Demuxers ffmpeg may use on course files: containers for the extensions the format allows.
DEMUXERS = "mov,matroska,webm,mp3,ogg,wav,aac,flac"
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "mpeg1video", "h263", "theora", "prores"}
AUDIO_CODECS = {"aac", "mp3", "opus", "vorbis", "flac", "alac", "ac3", "eac3", "amr_nb", "amr_wb", "mp2"}
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}

# What a file's content may be for its extension (the format's media types, docs/format.md), by :func:`sniff`.
_RASTER = {"PNG", "JPEG", "WEBP", "GIF"}
_AV = {"MP4", "Matroska", "MP3", "Ogg", "WAV"}
# What a file's content may be for its extension (the format's media types, docs/format.md), by sniff().
# A raster image under another raster name is only a warning; audio and video containers are ffprobe's
# to judge (an MP4 named .mkv plays), so only content that is no audio or video at all is refused here.
CONTENT = (
    dict.fromkeys(IMAGE_FORMATS, _RASTER)
    | dict.fromkeys(("mp4", "mov", "mkv", "webm", "m4a", "mp3", "ogg", "wav"), _AV)
    | {"svg": {"SVG"}}
)
_WANTED = (
    dict.fromkeys(IMAGE_FORMATS, "a PNG, JPEG, WebP or GIF image")
    | dict.fromkeys(("mp4", "mov", "mkv", "webm"), "a video file")
    | dict.fromkeys(("m4a", "mp3", "ogg", "wav"), "an audio file")
    | {"svg": "an SVG image"}
)
_FOUND = {
    "PNG": "a PNG",
    "JPEG": "a JPEG",
    "GIF": "a GIF",
    "WEBP": "a WebP",
    "SVG": "XML or SVG text",
    "HTML": "a web page (HTML)",
    "ZIP": "a ZIP archive",
    "PDF": "a PDF",
    "MP4": "an MP4",
    "Matroska": "a Matroska video",
    "MP3": "an MP3",
    "Ogg": "an Ogg file",
    "WAV": "a WAV",
}
SNIFF_BYTES = 512


@dataclass(frozen=True)
class MediaInfo:
    """A probed file. ``error`` says why it cannot be used; the other fields are then partial."""

    kind: str
    size: int = 0
    duration: float = 0.0
    width: int = 0
    """Display width: after rotation and pixel aspect ratio."""
    height: int = 0
    fps: float = 0.0
    video_codec: str | None = None
    audio_codec: str | None = None
    channels: int = 0
    audio_kbps: int = 0
    format: str | None = None
    """Image format as Pillow names it (``PNG``, ``JPEG``…)."""
    palette: bool = False
    """An image of at most 256 colours (a diagram or screenshot, not a photo)."""
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def kbps(self) -> float:
        """Average rate of the whole file, streams and container together."""
        return self.size * 8 / self.duration / 1000 if self.duration else 0.0


_MEMO: dict[tuple[str, str, str], MediaInfo] = {}


def probe(path: Path, kind: str, runner: Runner = LOCAL) -> MediaInfo:
    """Probe *path* as a *kind* (``video``, ``audio``, ``image``), from the cache when its bytes are known."""
    try:
        size = path.stat().st_size
    except OSError:
        return MediaInfo(kind, error="cannot be read")
    if size > MAX_INPUT_BYTES:
        return MediaInfo(
            kind, size, error=f"is {size >> 20} MB; media files may have at most {MAX_INPUT_BYTES >> 20} MB"
        )
    digest = store.content_hash(path)
    ext = path.suffix.lower().lstrip(".")
    key = (digest, kind, ext)  # the verdict depends on the name too: a PNG is fine as .png, not as .svg
    if key in _MEMO:
        return _MEMO[key]
    name = f"probe/{digest}-{kind}-{ext}-{PROBE_VERSION}.json"
    cached = store.read_json(name)
    if isinstance(cached, dict):
        info = MediaInfo(**cached)
    else:
        info = _probe_image(path, size) if kind == "image" else _probe_av(path, kind, size, runner)
        store.write_json(name, asdict(info))
    _MEMO[key] = info
    return info


def sniff(head: bytes) -> str | None:
    """The format *head* (a file's first :data:`SNIFF_BYTES` bytes) is, by its magic bytes; None if unknown.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff(b"\\xef\\xbb\\xbf <?xml version='1.0'?><svg"), sniff(b"<html>")
    ('PNG', 'SVG', 'HTML')
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return "WEBP" if head[8:12] == b"WEBP" else "WAV"
    if head[4:8] == b"ftyp" or head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "MP4"  # ISO base media: mp4, m4a, mov
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "Matroska"  # mkv and webm
    if head.startswith(b"OggS"):
        return "Ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "MP3"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "ZIP"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")):
        return "HTML"
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype", b"<")):
        return "SVG"  # XML: whether it really is SVG is sanitize_svg's to say
    return None


def content_problem(head: bytes, ext: str) -> str | None:
    """Why content starting with *head* cannot be a ``.ext`` file (worded after the file's name), or None.

    >>> content_problem(b"\\x89PNG\\r\\n\\x1a\\n", "svg")
    'is not an SVG image (it is a PNG)'
    """
    ext = ext.lower().lstrip(".")
    allowed = CONTENT.get(ext)
    if allowed is None:
        return None
    found = sniff(head)
    if found in allowed:
        return None
    if found is None:
        # audio has container variants magic bytes do not tell (an MP3 after padding): ffprobe decides
        return None if allowed is _AV else f"is not {_WANTED[ext]} (its content is no format the studio knows)"
    return f"is not {_WANTED[ext]} (it is {_FOUND[found]})"


def ffmpeg_input(path: Path) -> str:
    """An input name ffmpeg cannot mistake for an option or a protocol (``-x.mp4``, ``http:…``)."""
    return "file:" + str(path.resolve())


def _probe_av(path: Path, kind: str, size: int, runner: Runner) -> MediaInfo:
    if problem := content_problem(read_head(path), path.suffix):
        return MediaInfo(kind, size, error=problem)
    argv = ["ffprobe", "-v", "error", "-protocol_whitelist", "file", "-format_whitelist", DEMUXERS]
    argv += ["-show_format", "-show_streams", "-of", "json", ffmpeg_input(path)]
    try:
        run = runner.run(argv, timeout=PROBE_SECONDS)
    except FileNotFoundError:
        return MediaInfo(kind, size, error="cannot be checked: ffprobe is not installed (install ffmpeg)")
    except subprocess.TimeoutExpired:
        return MediaInfo(kind, size, error=f"could not be read within {PROBE_SECONDS} s")
    if run.returncode != 0:
        return MediaInfo(kind, size, error=f"is not a readable {kind} file ({_reason(run.stderr, path)})")
    try:
        data = json.loads(run.stdout)
    except ValueError:
        return MediaInfo(kind, size, error=f"is not a readable {kind} file")
    return describe(data, kind, size)


def describe(data: dict[str, Any], kind: str, size: int) -> MediaInfo:
    """ffprobe's JSON -> :class:`MediaInfo`, judging whether the file is usable as a *kind*."""
    streams = data.get("streams") or []
    fmt = data.get("format") or {}
    # A cover picture in an mp3 is a "video" stream: it is not a video.
    video = [
        s for s in streams if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    v, a = (video or [None])[0], (audio or [None])[0]
    duration = _float(fmt.get("duration")) or max((_float(s.get("duration")) for s in video + audio), default=0.0)
    width, height = _display_size(v) if v else (0, 0)
    info = dict(
        kind=kind,
        size=size,
        duration=round(duration, 3),
        width=width,
        height=height,
        fps=round(float(_fraction(v.get("avg_frame_rate")) or _fraction(v.get("r_frame_rate")) or 0), 3) if v else 0.0,
        video_codec=v.get("codec_name") if v else None,
        audio_codec=a.get("codec_name") if a else None,
        channels=int(a.get("channels") or 0) if a else 0,
        audio_kbps=round(_float(a.get("bit_rate")) / 1000) if a else 0,
    )
    declared = sum(_float(s.get("bit_rate")) * (_float(s.get("duration")) or duration) / 8 for s in video + audio)
    if kind == "video" and v is None:
        error = "has no video stream" + (" (it is audio: use an audio extension such as .m4a)" if a else "")
    elif kind == "audio" and a is None:
        error = "has no audio stream"
    elif v is not None and v.get("codec_name") not in VIDEO_CODECS:
        error = f"uses the video codec '{v.get('codec_name')}', which the studio cannot convert"
    elif a is not None and a.get("codec_name") not in AUDIO_CODECS and not str(a.get("codec_name")).startswith("pcm_"):
        error = f"uses the audio codec '{a.get('codec_name')}', which the studio cannot convert"
    elif duration <= 0:
        error = "has no running time (zero duration)"
    elif width * height > MAX_PIXELS:
        error = f"is {width}×{height} pixels; videos may have at most {MAX_PIXELS // 1_000_000} megapixels"
    elif declared > size * 1.1 + 65536:
        error = "is truncated: it is shorter than its header says (copy or export it again)"
    else:
        error = None
    return MediaInfo(**info, error=error)  # type: ignore[arg-type]


def _display_size(stream: dict[str, Any]) -> tuple[int, int]:
    """Width and height as shown: pixel aspect ratio applied, quarter turns of phone video swapped."""
    w, h = int(stream.get("width") or 0), int(stream.get("height") or 0)
    sar = _fraction(str(stream.get("sample_aspect_ratio") or "1:1").replace(":", "/")) or Fraction(1)
    w = round(w * sar)
    rotation = _float((stream.get("tags") or {}).get("rotate"))
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            rotation = _float(side["rotation"])
    return (h, w) if round(rotation) % 180 == 90 else (w, h)


def _probe_image(path: Path, size: int) -> MediaInfo:
    ext = path.suffix.lower().lstrip(".")
    if problem := content_problem(read_head(path), ext):
        return MediaInfo("image", size, error=problem)
    if ext == "svg":
        try:
            sanitize_svg(path.read_bytes())
        except UnsafeSvg as exc:
            return MediaInfo("image", size, format="SVG", error=str(exc))
        return MediaInfo("image", size, format="SVG")
    return raster_info(path, size, ext)


def raster_info(source: Path | IO[bytes], size: int, ext: str) -> MediaInfo:
    """A PNG, JPEG, WebP or GIF image's size and format, read from its header (an image bomb is refused
    before a pixel is decoded), with its structure verified."""
    from PIL import Image, UnidentifiedImageError

    expected = IMAGE_FORMATS.get(ext, "")
    formats = sorted(set(IMAGE_FORMATS.values()))
    try:
        with Image.open(source, formats=formats) as im:
            width, height = im.size
            if width * height > MAX_PIXELS:  # refuse before decoding a single pixel
                return MediaInfo("image", size, width=width, height=height, format=im.format, error=_too_big(im.size))
            fmt, palette = im.format, im.mode in ("P", "PA", "1")
            if (im.getexif().get(0x0112) or 1) in (5, 6, 7, 8):  # EXIF orientation: a quarter turn
                width, height = height, width
        if not isinstance(source, Path):
            source.seek(0)
        with Image.open(source, formats=[fmt or ""]) as im:
            im.verify()  # checks structure and checksums without keeping pixels; must come first
    except Image.DecompressionBombError:
        # Pillow refuses, before we can, what declares over twice its own limit (about 179 megapixels)
        return MediaInfo("image", size, error=f"declares far more pixels than the {_limit()} images may have")
    except UnidentifiedImageError:
        return MediaInfo("image", size, error="is not a PNG, JPEG, WebP or GIF image")
    except (OSError, SyntaxError, ValueError, RuntimeError) as exc:
        return MediaInfo("image", size, error=f"is damaged or truncated ({exc})")
    notes = [] if fmt == expected else [f"is a {fmt} image with a .{ext} name"]
    return MediaInfo("image", size, width=width, height=height, format=fmt, palette=palette, notes=notes)


def content_error(data: bytes, ext: str) -> str | None:
    """Why *data* cannot be a ``.ext`` media file (an upload, judged before it is stored), or None.

    Images are judged in full (header only: a bomb is never decoded; SVG through the sanitiser), the
    rest by their magic bytes; ffprobe judges audio and video afterwards, as for any course file.
    """
    ext = ext.lower().lstrip(".")
    if problem := content_problem(data[:SNIFF_BYTES], ext):
        return problem
    if ext == "svg":
        try:
            sanitize_svg(data)
        except UnsafeSvg as exc:
            return str(exc)
    elif ext in IMAGE_FORMATS:
        return raster_info(io.BytesIO(data), len(data), ext).error
    return None


def read_head(path: Path) -> bytes:
    """The first bytes of *path* that :func:`sniff` reads (none when it cannot be read)."""
    try:
        with path.open("rb") as f:
            return f.read(SNIFF_BYTES)
    except OSError:
        return b""


def _limit() -> str:
    return f"{MAX_PIXELS // 1_000_000} megapixels"


def _too_big(size: tuple[int, int]) -> str:
    return f"is {size[0]}×{size[1]} pixels; images may have at most {_limit()}"


def _reason(stderr: bytes, path: Path) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    last = lines[-1] if lines else "unknown error"
    # "file:/abs/name.mp4: Invalid data…": drop the name, the result is cached by content for any name
    return last.removeprefix(ffmpeg_input(path) + ": ")[:160]


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _fraction(value: Any) -> Fraction | None:
    try:
        f = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return f if f > 0 else None
