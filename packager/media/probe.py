"""What a media file is: duration, streams, size. Unusable files get a reason an author can act on.

Video and audio are read by ffprobe (argv built like ``ffmpeg.probe``, but with a time limit and
with demuxers and protocols restricted: partners' files are hostile, and a playlist disguised as an
``.mp4`` must not make ffprobe open other files). Images are read by Pillow, header only, so an
image bomb is refused before a single pixel is decoded. Results are cached by content hash.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..children import child_options
from . import store

PROBE_VERSION = "3"
PROBE_SECONDS = 30
MAX_PIXELS = 40_000_000
MAX_INPUT_BYTES = int(os.environ.get("KSTUDIO_MEDIA_MAX_MB", "2048")) << 20
"""Largest media file accepted (``KSTUDIO_MEDIA_MAX_MB``, default 2 GB)."""

# Demuxers ffmpeg may use on course files: containers for the extensions the format allows.
DEMUXERS = "mov,matroska,webm,mp3,ogg,wav,aac,flac"
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "mpeg1video", "h263", "theora", "prores"}
AUDIO_CODECS = {"aac", "mp3", "opus", "vorbis", "flac", "alac", "ac3", "eac3", "amr_nb", "amr_wb", "mp2"}
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}


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


_MEMO: dict[tuple[str, str], MediaInfo] = {}


def probe(path: Path, kind: str) -> MediaInfo:
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
    key = (digest, kind)
    if key in _MEMO:
        return _MEMO[key]
    name = f"probe/{digest}-{kind}-{PROBE_VERSION}.json"
    cached = store.read_json(name)
    if isinstance(cached, dict):
        info = MediaInfo(**cached)
    else:
        info = _probe_image(path, size) if kind == "image" else _probe_av(path, kind, size)
        store.write_json(name, asdict(info))
    _MEMO[key] = info
    return info


def ffmpeg_input(path: Path) -> str:
    """An input name ffmpeg cannot mistake for an option or a protocol (``-x.mp4``, ``http:…``)."""
    return "file:" + str(path.resolve())


def _probe_av(path: Path, kind: str, size: int) -> MediaInfo:
    argv = ["ffprobe", "-v", "error", "-protocol_whitelist", "file", "-format_whitelist", DEMUXERS]
    argv += ["-show_format", "-show_streams", "-of", "json", ffmpeg_input(path)]
    try:
        run = subprocess.run(argv, capture_output=True, timeout=PROBE_SECONDS, check=False, **child_options())
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
    if ext == "svg":
        return MediaInfo("image", size, format="SVG")
    from PIL import Image, UnidentifiedImageError

    expected = IMAGE_FORMATS.get(ext, "")
    try:
        with Image.open(path, formats=sorted(set(IMAGE_FORMATS.values()))) as im:
            width, height = im.size
            if width * height > MAX_PIXELS:  # refuse before decoding a single pixel
                return MediaInfo("image", size, width=width, height=height, format=im.format, error=_too_big(im.size))
            fmt, palette = im.format, im.mode in ("P", "PA", "1")
            if (im.getexif().get(0x0112) or 1) in (5, 6, 7, 8):  # EXIF orientation: a quarter turn
                width, height = height, width
        with Image.open(path, formats=[fmt or ""]) as im:
            im.verify()  # checks structure and checksums without keeping pixels; must come first
    except Image.DecompressionBombError:
        return MediaInfo("image", size, error="is larger than 40 megapixels")
    except UnidentifiedImageError:
        return MediaInfo("image", size, error="is not a PNG, JPEG, WebP or GIF image")
    except (OSError, SyntaxError, ValueError, RuntimeError) as exc:
        return MediaInfo("image", size, error=f"is damaged or truncated ({exc})")
    notes = [] if fmt == expected else [f"is a {fmt} image with a .{ext} name"]
    return MediaInfo("image", size, width=width, height=height, format=fmt, palette=palette, notes=notes)


def _too_big(size: tuple[int, int]) -> str:
    return f"is {size[0]}×{size[1]} pixels; images may have at most {MAX_PIXELS // 1_000_000} megapixels"


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
