"""The learner player, served file by file straight from the course folder (no build step).

The player is served only by the content origin (``content.py``); the studio's own player addresses
(``views.py``) redirect a person who may see the course through a freshly signed content URL.
:func:`player_file` serves what a lesson uses and nothing else, and never makes a rendition inside a
request.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, send_file
from werkzeug.wrappers import Response as BaseResponse

from packager import ExportError
from packager.fonts import font_css
from packager.render import Player

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
SHOWN = {  # media the player shows (images, video, audio, captions): served inline with these types only
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",  # sanitised (packager/svg.py) and only when a lesson shows it as an image
    "mp4": "video/mp4",
    "webm": "video/webm",
    "mov": "video/quicktime",
    "mkv": "video/x-matroska",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "vtt": "text/vtt; charset=utf-8",
}
SAME_KIND = {"video": {"video", "low"}, "audio": {"speech", "audio"}, "image": {"image"}}
"""Renditions a source file may stand in for while its job makes them (a poster cannot be a video)."""


def player_index(player: Player) -> Response:
    """*player*'s page, under the player's own CSP, never cached (the course changes as it is edited)."""
    response = Response(player.index_html(), mimetype="text/html")
    response.headers["Content-Security-Policy"] = player.csp
    response.headers["Cache-Control"] = "no-store"
    return response


def player_file(player: Player, path: str) -> BaseResponse:
    """One file of *player*'s package, by its package path; anything else is a 404 with a message.

    A rendition not made yet (its job is queued by the upload, the save that first shows the file, the
    import or a build) has its source stand in when it can; nothing is transcoded or queued here (a GET
    never writes), and an unknown path never looks at the media at all."""
    if path == "course.js":
        return _text(player.course_js(), ".js")
    if path.startswith("assets/") and path[7:] in player.assets:
        return _text(player.asset(path[7:]), "." + path.rsplit(".", 1)[-1])
    if path == "assets/fonts.css" and player.webfonts:  # non-Latin players ship subset webfonts
        return _text(font_css(player.lang, player.webfonts).encode(), ".css")
    fonts = {font.name: font for font in player.webfonts} if path.startswith("assets/fonts/") else {}
    if path in fonts:
        return Response(fonts[path].data, mimetype="font/woff2")
    by_file = {player.lesson_files[lesson.id]: lesson for lesson in player.course.lessons}
    if path in by_file:
        return _text(player.lesson_js(by_file[path]), ".js")
    return _media(player, path)


def _media(player: Player, path: str) -> BaseResponse:
    """A file lessons use: a rendition from the media cache, a course file, or a 404 saying why."""
    sources = _referenced(player)
    if not (path in sources or any(path.startswith(src + ".") for src in sources)) or path not in player.media_names():
        abort(404, f"{path} is not a file this course's lessons use.")  # decided before any media is probed
    root = player.course.root
    found = player.media.by_name.get(path) if player.process_media else None
    if found is not None and found[0].info.error:  # a bad file answers for itself, not for the whole course
        return Response(f"{found[0].src} {found[0].info.error}", status=415, mimetype="text/plain")
    if found is not None and found[1].rendition != "copy":
        item, out = found
        cached = player.media.cache_path(item, out)
        if cached.is_file():
            return _media_response(player, path, cached)
        if out.rendition not in SAME_KIND.get(item.kind, set()):
            abort(404, f"{path} is still being made from {item.src}; reload the page in a few minutes.")
        return _media_response(player, item.src, root / item.src)
    source = found[0].src if found is not None else path
    if not (root / source.removesuffix(".vtt") if source.lower().endswith(".srt.vtt") else root / source).is_file():
        abort(404, f"{source} is used by a lesson but is not in the course folder.")
    try:
        packaged = player.media_file(source)
    except ExportError as exc:  # not what its name says, an unsafe SVG: this file only is refused
        return Response(str(exc), status=415, mimetype="text/plain")
    if packaged.data is not None:  # sanitised SVG, converted captions
        return _media_response(player, source, None, packaged.data)
    assert packaged.source is not None
    return _media_response(player, source, packaged.source)


def _referenced(player: Player) -> set[str]:
    """The course files lessons name (renditions are named ``<source>.<rendition>.<ext>``)."""
    names = {player.course.thumbnail} if player.course.thumbnail else set()
    for lesson in player.course.lessons:
        for ref in lesson.media:
            names.add(ref.src)
            names.update(c.src for c in ref.captions)
    return names


def _shown(player: Player) -> set[str]:
    """Course files the player shows as media (not as links to download)."""
    shown = {player.course.thumbnail} if player.course.thumbnail else set()
    for lesson in player.course.lessons:
        for ref in lesson.media:
            if ref.kind != "attachment":
                shown.add(ref.src)
            shown.update(c.src for c in ref.captions)
            shown.update(f"{c.src}.vtt" for c in ref.captions if c.src.lower().endswith(".srt"))
    return shown


def _media_response(player: Player, name: str, source: Path | None, data: bytes | None = None) -> BaseResponse:
    """Media the player shows, inline with its own type; anything else only as a download (never a page)."""
    ext = name.rsplit(".", 1)[-1].lower()
    shown = ext in SHOWN and (name in _shown(player) or name in player.media.by_name)
    mimetype = SHOWN[ext] if shown else "application/octet-stream"
    if data is not None:
        response: BaseResponse = Response(data, mimetype=mimetype)
    else:
        assert source is not None
        response = send_file(source, mimetype=mimetype, conditional=True, etag=True)
    if not shown:
        response.headers["Content-Disposition"] = "attachment; filename=" + _quoted(name.rsplit("/", 1)[-1])
    return response


def _quoted(filename: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in filename)
    return f'"{safe}"'


def _text(data: bytes, ext: str) -> Response:
    response = Response(data, content_type=_TYPES[ext])
    response.headers["Cache-Control"] = "no-store"
    return response
