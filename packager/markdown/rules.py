"""Render rules: safe links, media from image syntax, escaped raw HTML, scrollable tables.

A core rule (:func:`analyse`) runs after inline parsing with the lesson's :class:`LessonEnv`: it judges
every link and image, records media and problems, and leaves its verdict in ``token.meta``. The
render rules then only read ``meta``, so rendering a token range twice gives the same HTML.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..model import MediaRef
from .env import LessonEnv

IMAGE_EXT = {"png", "jpg", "jpeg", "webp", "gif", "svg"}
VIDEO_EXT = {"mp4", "webm", "mov", "mkv"}
AUDIO_EXT = {"mp3", "m4a", "ogg", "wav"}
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


def install(md: MarkdownIt) -> None:
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # every link reaches `analyse`, which drops and reports unsafe ones
    md.core.ruler.after("inline", "ks_analyse", analyse)
    for name, rule in _RENDER_RULES.items():
        md.add_render_rule(name, rule)


def media_kind(path: str) -> str | None:
    """``image``, ``video``, ``audio`` or None, by extension.

    >>> media_kind("media/a.MP4"), media_kind("media/x.pdf")
    ('video', None)
    """
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    for kind, exts in (("image", IMAGE_EXT), ("video", VIDEO_EXT), ("audio", AUDIO_EXT)):
        if ext in exts:
            return kind
    return None


def analyse(state: StateCore) -> None:
    env = state.env.get("ks")
    if not isinstance(env, LessonEnv):
        return  # rendering outside a lesson (e.g. a bare renderInline): nothing to judge
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type in ("html_block",):
            env.warning(_line(token), "raw HTML is not allowed in lessons; it is shown as text")
        elif token.type == "heading_open" and token.tag == "h1":
            token.tag = "h2"  # the lesson title is the page's only h1
            if i + 2 < len(tokens):
                tokens[i + 2].tag = "h2"
        elif token.type == "inline" and token.children:
            _analyse_inline(token, env)
            # only a paragraph with an image ("![" in its text) can be a figure: most are not looked at
            lone = "![" in token.content and _is_lone_media(token.children)
            if lone and i > 0 and tokens[i - 1].type == "paragraph_open":
                tokens[i - 1].meta["figure"] = tokens[i + 1].meta["figure"] = True
                for child in token.children:
                    child.meta["figure"] = True


def _line(token: Token) -> int:
    return token.map[0] if token.map else 0


def _is_lone_media(children: Sequence[Token]) -> bool:
    real = [
        c
        for c in children
        if not (c.type in ("softbreak", "hardbreak") or (c.type == "text" and not c.content.strip()))
    ]
    return len(real) == 1 and real[0].type == "image" and real[0].meta.get("kind") not in (None, "dropped")


def _analyse_inline(token: Token, env: LessonEnv) -> None:
    line = _line(token)
    open_links: list[Token] = []
    link_text: list[str] = []
    warned_html = False
    for child in token.children or ():
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "html_inline" and not warned_html:
            env.warning(line, "raw HTML is not allowed in lessons; it is shown as text")
            warned_html = True
        elif child.type == "link_open":
            _judge_link(child, env, line)
            open_links.append(child)
        elif child.type == "link_close" and open_links:
            opener = open_links.pop()
            child.meta["drop"] = opener.meta.get("drop", False)
            if "ref" in opener.meta:
                opener.meta["ref"].text = "".join(link_text).strip()
        elif child.type in ("text", "code_inline") and open_links:
            link_text.append(child.content)
        elif child.type == "image":
            _judge_image(child, env, line)


def _split_target(target: str) -> tuple[str, str]:
    parts = urlsplit(target)
    return unquote(parts.path), ("#" + parts.fragment if parts.fragment else "")


def _judge_link(token: Token, env: LessonEnv, line: int) -> None:
    href = str(token.attrGet("href") or "")
    if any(ord(ch) < 0x20 for ch in href):
        return _drop(token, env, line, "link with control characters removed")
    scheme = urlsplit(href).scheme.lower()
    if scheme in SAFE_SCHEMES:
        token.attrSet("target", "_blank")
        token.attrSet("rel", "noopener noreferrer")
        return None
    if scheme or href.startswith("//"):
        return _drop(
            token, env, line, f"link to '{href[:40]}' removed: only http, https, mailto and tel links are allowed"
        )
    if href.startswith("#"):
        return None
    path, fragment = _split_target(href)
    resolved = env.resolve(path)
    if resolved is None:
        return _drop(token, env, line, f"link '{href}' points outside the course folder")
    if resolved.endswith(".md"):
        env.links.append((resolved, env.line(line)))
        lesson_id = env.lesson_ids.get(resolved)
        token.attrSet("href", f"#/{lesson_id}" if lesson_id else "#")
        return None
    ref = MediaRef("attachment", resolved, "", env.line(line))
    env.media.append(ref)
    token.meta["ref"] = ref
    token.attrSet("href", resolved + fragment)
    token.attrSet("class", "ks-attachment")
    token.attrSet("download", "")
    return None


def _drop(token: Token, env: LessonEnv, line: int, message: str) -> None:
    token.meta["drop"] = True
    env.warning(line, message)


def _judge_image(token: Token, env: LessonEnv, line: int) -> None:
    src = str(token.attrGet("src") or "")
    alt = "".join(c.content for c in token.children or () if c.type in ("text", "code_inline")).strip()
    token.meta["alt"] = alt
    if urlsplit(src).scheme or src.startswith("//"):
        token.meta["kind"] = "dropped"
        env.error(line, f"media '{src[:60]}' must be a file in the course folder, not a web address")
        return
    path, _ = _split_target(src)
    kind = media_kind(path)
    resolved = env.resolve(path)
    if resolved is None:
        token.meta["kind"] = "dropped"
        env.error(line, f"media '{src}' points outside the course folder")
        return
    if kind is None:
        token.meta["kind"] = "dropped"
        ext = posixpath.splitext(path)[1] or "(none)"
        env.error(
            line, f"'{src}': unknown media type {ext}; use an image, video or audio file, or a link for attachments"
        )
        return
    if not alt:
        what = "alt text" if kind == "image" else "title: write it between the brackets, ![Title](…)"
        env.error(line, f"{kind} '{src}' has no {what}")
    ref = MediaRef(kind, resolved, alt, env.line(line))  # type: ignore[arg-type]
    if kind in ("video", "audio"):
        ref.captions = env.captions(resolved)
    env.media.append(ref)
    token.meta.update(kind=kind, src=resolved, ref=ref, lang=env.lang, strings=env.strings)


# Render rules ---------------------------------------------------------------------------------


def _escape_raw(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return escapeHtml(tokens[idx].content)


def _paragraph_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "" if tokens[idx].meta.get("figure") else self.renderToken(tokens, idx, options, env)


def _link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "" if tokens[idx].meta.get("drop") else self.renderToken(tokens, idx, options, env)


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    label = escapeHtml(getattr(env.get("ks"), "strings", {}).get("table", "Table"))
    return f'<div class="ks-table-wrap" tabindex="0" role="region" aria-label="{label}">\n<table>\n'


def _table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</table>\n</div>\n"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    kind = token.meta.get("kind")
    alt = escapeHtml(token.meta.get("alt", ""))
    if kind in (None, "dropped"):
        return alt
    src = escapeHtml(token.meta["src"])
    figure = token.meta.get("figure", False)
    if kind == "image":
        img = f'<img src="{src}" alt="{alt}" loading="lazy" decoding="async">'
        return f'<figure class="ks-figure">{img}</figure>\n' if figure else img
    if not figure:  # a player cannot sit inside a sentence: offer the file as a link
        return f'<a href="{src}">{alt}</a>'
    return _media_figure(kind, src, alt, token.meta["ref"], token.meta.get("lang", ""), token.meta.get("strings", {}))


def _media_figure(kind: str, src: str, alt: str, ref: MediaRef, lang: str, strings: dict[str, str]) -> str:
    tracks = []
    for cap in sorted(ref.captions, key=lambda c: (c.lang != lang, c.lang)):
        default = " default" if cap.lang == lang else ""
        tracks.append(
            f'<track kind="captions" src="{escapeHtml(cap.src)}" srclang="{escapeHtml(cap.lang)}" '
            f'label="{escapeHtml(language_name(cap.lang))}"{default}>'
        )
    caption = f"<figcaption>{alt}</figcaption>"
    if kind == "video":
        return (
            f'<figure class="ks-media ks-video"><video controls preload="metadata" playsinline src="{src}">'
            f"{''.join(tracks)}</video>{caption}</figure>\n"
        )
    transcripts = "".join(
        f'<a href="{escapeHtml(c.src)}" download>{escapeHtml(strings.get("transcript", "Transcript"))} '
        f"({escapeHtml(language_name(c.lang))})</a> "
        for c in ref.captions
    )
    more = f'<p class="ks-transcript">{transcripts.strip()}</p>' if transcripts else ""
    return (
        f'<figure class="ks-media ks-audio">{caption}<audio controls preload="metadata" src="{src}">'
        f"{''.join(tracks)}</audio>{more}</figure>\n"
    )


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """A language's name in that language, for caption menus.

    >>> language_name("hi"), language_name("en")
    ('हिन्दी', 'English')
    """
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name() or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


_RENDER_RULES = {
    "html_block": _escape_raw,
    "html_inline": _escape_raw,
    "paragraph_open": _paragraph_open,
    "paragraph_close": _paragraph_open,
    "link_open": _link,
    "link_close": _link,
    "table_open": _table_open,
    "table_close": _table_close,
    "image": _image,
}
