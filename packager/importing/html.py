"""HTML from a package (a SCO's page, an H5P text field) -> lesson Markdown in format v1, safely.

Markup is never passed through: only the elements below become Markdown syntax, and every piece of
text is escaped, so a learner-facing "*" or "### " in a partner's package stays text. Scripts, styles,
forms and embedded players are dropped. Media and links go through a *resolver* the reader gives: it
maps a ``src``/``href`` to a ``media/<name>`` (copying the file) or refuses it (outside the package).
Questions the readers recover are written with :func:`quiz_markdown`, in the syntax of
``packager/markdown/quiz.py``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from ..markdown.quiz import ID
from .model import ImportedCourse
from .text import inline, line

Resolver = Callable[[str], "str | None"]
"""A ``src`` or ``href`` of the page -> ``media/<name>``, or None when it is not a file of the package."""

Special = Callable[[etree._Element, "Converter"], "str | None"]
"""A reader's hook, called on each element first: Markdown for an element it knows (a tool's quiz
markup), or None to convert the element as usual."""
MAX_HTML_BYTES = 4 * 1024 * 1024  # a page larger than this is not a lesson page; it is not parsed
DROPPED = {"script", "style", "noscript", "template", "iframe", "object", "embed", "applet", "button"}
DROPPED |= {"input", "select", "textarea", "svg", "math", "canvas", "head", "title", "meta", "link", "nav"}
BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "aside", "figure", "figcaption"}
BLOCKS |= {"ul", "ol", "li", "table", "blockquote", "pre", "hr", "dl", "dt", "dd", "fieldset", "legend"}
BLOCKS |= {"h1", "h2", "h3", "h4", "h5", "h6", "details", "summary", "center", "body", "html", "form"}
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_SPACES = re.compile(r" {2,}")
_EDGE_BREAKS = re.compile(r"^\s*(?:\\\n\s*)+|(?:\s*\\\n)+\s*$")


def escape(text: str) -> str:
    """*text* as Markdown that renders as itself: whitespace folded, syntax characters escaped.

    >>> escape("Use *bold*  and [links]")
    'Use \\\\*bold\\\\* and \\\\[links\\\\]'
    """
    return inline(" ".join(text.split()))


def parse_html(data: bytes | str) -> etree._Element | None:
    """A page's element tree (lxml.html: no network, no entities beyond HTML's own); None when empty."""
    if not data or not str(data).strip():
        return None
    if len(data) > MAX_HTML_BYTES:
        raise ValueError(f"the page is larger than {MAX_HTML_BYTES // 2**20} MB")
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        return lxml.html.fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def fragment(html: str) -> etree._Element | None:
    """An HTML fragment (an H5P text field, a JSON blob's text) wrapped in one ``<div>``."""
    return parse_html(f"<div>{html}</div>") if html and html.strip() else None


def plain(html: str) -> str:
    """The text of an HTML fragment, whitespace folded (for titles and answers; not escaped)."""
    root = fragment(html)
    if root is None:
        return ""
    for bad in list(root.iter(*DROPPED)):
        if bad.getparent() is not None:
            bad.drop_tree()
    return " ".join(root.text_content().split())


class Converter:
    """One page's elements -> Markdown blocks; *resolve* places its media (see :data:`Resolver`)."""

    def __init__(self, resolve: Resolver, heading_floor: int = 2, special: Special | None = None):
        self.resolve = resolve
        self.special = special
        self.heading_floor = heading_floor
        self.dropped: list[str] = []
        """What was left out that a reader would miss, for the report ("an embedded iframe", "a link to …")."""
        self.missing_alt = 0

    # blocks ----------------------------------------------------------------------------------

    def markdown(self, root: etree._Element | None) -> str:
        if root is None:
            return ""
        return "\n\n".join(b for b in self.blocks(root) if b.strip()).strip() + "\n"

    def blocks(self, element: etree._Element) -> list[str]:
        """The Markdown blocks of *element*'s content (its text, children and their tails)."""
        out: list[str] = []
        run: list[str] = []  # the inline text of the paragraph being gathered

        def flush() -> None:
            text = "".join(run)
            run.clear()
            if text.strip():
                out.append(self._paragraph(text))

        if element.text:
            run.append(escape_keep_edges(element.text))
        for child in element:
            tag = _tag(child)
            known = self.special(child, self) if self.special is not None and tag is not None else None
            if known is not None:
                flush()
                out.append(known)
            elif tag in DROPPED or tag is None:
                if tag in ("iframe", "object", "embed", "applet", "canvas"):
                    self.dropped.append(f"an embedded {tag}")
            elif tag in BLOCKS:
                flush()
                out.extend(self.block(child, tag))
            elif tag in ("img", "video", "audio") and not run and not (child.tail or "").strip():
                flush()
                media = self.media(child, tag)
                if media:
                    out.append(media)
            else:
                run.append(self.inline(child))
            if child.tail:
                run.append(escape_keep_edges(child.tail))
        flush()
        return out

    def block(self, el: etree._Element, tag: str) -> list[str]:
        if "footnotes" in (el.get("class") or "").split():
            return self.footnotes(el)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = self.inline_content(el)
            level = max(self.heading_floor, int(tag[1]))
            return [f"{'#' * min(level, 6)} {_heading(text)}"] if text else []
        if tag in ("ul", "ol"):
            return [self.list(el, tag == "ol")]
        if tag == "table":
            return [self.table(el)]
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(el))
            return ["\n".join(f"> {row}" if row else ">" for row in inner.splitlines())] if inner else []
        if tag == "pre":
            code = el.text_content()
            fence = "`" * max(3, _longest_run(code, "`") + 1)
            return [f"{fence}\n{code.rstrip()}\n{fence}"] if code.strip() else []
        if tag == "hr":
            return [] if "footnotes-sep" in (el.get("class") or "") else ["---"]
        return self.blocks(el)

    def footnotes(self, el: etree._Element) -> list[str]:
        """markdown-it's footnote section (``li id="fn1"``) back to ``[^1]: text`` definitions."""
        out = []
        for item in el.iter("li"):
            label = (item.get("id") or "").removeprefix("fn")
            for back in item.xpath(".//a[contains(@class, 'footnote-backref')]"):
                back.drop_tree()
            text = " ".join("\n\n".join(self.blocks(item)).split("\n"))
            if label and text.strip():
                out.append(f"[^{_NAME.sub('-', label.lower())}]: {text.strip()}")
        return out

    def list(self, el: etree._Element, ordered: bool) -> str:
        lines: list[str] = []
        number = 0
        for item in el:
            if _tag(item) != "li":
                continue
            nested = [c for c in item if _tag(c) in ("ul", "ol")]
            for sub in nested:
                tail = sub.tail
                item.remove(sub)
                if tail:
                    item.text = (item.text or "") + tail
            body = "\n\n".join(self.blocks(item))
            if not body.strip() and not nested:
                continue  # an empty item would be an empty bullet
            number += 1
            marker = f"{number}." if ordered else "-"
            pad = " " * (len(marker) + 1)
            body_lines = body.splitlines() or [""]
            lines.append(f"{marker} {body_lines[0]}".rstrip())
            lines.extend(f"{pad}{row}" if row else "" for row in body_lines[1:])
            for sub in nested:
                sub_text = self.list(sub, _tag(sub) == "ol")
                lines.extend(f"{pad}{row}" for row in sub_text.splitlines())
        return "\n".join(lines)

    def table(self, el: etree._Element) -> str:
        rows = [r for r in el.iter("tr")]
        cells = [[_one_line(self.inline_content(c)) or " " for c in r if _tag(c) in ("td", "th")] for r in rows]
        cells = [r for r in cells if r]
        if not cells:
            return ""
        width = max(len(r) for r in cells)
        cells = [r + [" "] * (width - len(r)) for r in cells]
        head, *body = cells
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)

    def _paragraph(self, text: str) -> str:
        # line breaks opening or closing a paragraph would show as backslashes
        text = _EDGE_BREAKS.sub("", _SPACES.sub(" ", text)).strip()
        return "\n".join(line(part) for part in text.split("\n"))

    # inline ----------------------------------------------------------------------------------

    def inline_content(self, el: etree._Element, *, strip: bool = True) -> str:
        parts = [escape_keep_edges(el.text or "")]
        for child in el:
            tag = _tag(child)
            if tag not in DROPPED and tag is not None:
                parts.append(self.inline(child))
            parts.append(escape_keep_edges(child.tail or ""))
        text = _SPACES.sub(" ", "".join(parts)).replace(" \\\n", "\\\n")
        return text.strip() if strip else text

    def inline(self, el: etree._Element) -> str:
        tag = _tag(el)
        if tag is None or tag in DROPPED:
            return ""
        if tag == "br":
            return "\\\n"
        if tag == "sup" and "footnote-ref" in (el.get("class") or "").split():
            label = " ".join(el.text_content().split()).strip("[]")
            return f"[^{_NAME.sub('-', label.lower())}]" if label else ""
        if tag in ("img", "video", "audio"):
            return self.media(el, tag)
        if tag in BLOCKS:  # a block inside inline markup: its text, on the same line
            return " ".join(self.inline_content(el).split("\n"))
        text = self.inline_content(el, strip=False)
        if not text.strip():
            return text
        if tag in ("strong", "b"):
            return _wrap(text, "**")
        if tag in ("em", "i", "cite", "dfn"):
            return _wrap(text, "*")
        if tag in ("s", "del", "strike"):
            return _wrap(text, "~~")
        if tag in ("code", "kbd", "samp", "tt"):
            raw = " ".join(el.text_content().split())
            fence = "`" * (_longest_run(raw, "`") + 1)
            pad = " " if raw.startswith("`") or raw.endswith("`") else ""
            return f"{fence}{pad}{raw}{pad}{fence}"
        if tag == "a":
            return self.link(el, text)
        return text

    def link(self, el: etree._Element, text: str) -> str:
        href = (el.get("href") or "").strip()
        scheme = urlsplit(href).scheme.lower()
        if href.startswith("#/"):  # a player's link to another lesson: its place in the new course is unknown
            self.dropped.append(f"the link to another lesson ('{_plain_text(text)[:40]}') became text")
            return text
        if not href or href.startswith("#"):
            return text
        if scheme in SAFE_SCHEMES:
            return f"[{text}]({_url(href)})"
        if scheme or href.startswith("//"):
            self.dropped.append(f"a link to '{href[:60]}'")
            return text
        target = self.resolve(href)
        if target is None or target.endswith((".html", ".htm")):
            return text  # a page of the package: its lesson carries the text
        return f"[{text}]({_url(target)})"

    def media(self, el: etree._Element, tag: str) -> str:
        src = el.get("src") or ""
        if not src and tag in ("video", "audio"):
            src = next((s.get("src") or "" for s in el.iter("source") if s.get("src")), "")
        if not src or src.startswith("data:"):
            return ""
        if urlsplit(src).scheme or src.startswith("//"):
            self.dropped.append(f"{tag} '{src[:60]}' on the web (not fetched)")
            return ""
        target = self.resolve(src)
        if target is None:
            self.dropped.append(f"{tag} '{src[:60]}' not in the package")
            return ""
        alt = " ".join((el.get("alt") or el.get("title") or el.get("aria-label") or "").split())
        if not alt:
            self.missing_alt += 1
            alt = posixpath.splitext(posixpath.basename(target))[0].replace("-", " ").replace("_", " ")
        return f"![{escape(alt)}]({_url(target)})"


def escape_keep_edges(text: str) -> str:
    """:func:`escape`, keeping one space where *text* began or ended with white space (between tags)."""
    if not text:
        return ""
    core = escape(text)
    if not core:
        return " "
    return (" " if text[0].isspace() else "") + core + (" " if text[-1].isspace() else "")


def _plain_text(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def _wrap(text: str, mark: str) -> str:
    stripped = text.strip()
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _heading(text: str) -> str:
    return " ".join(text.replace("\\\n", " ").split())


def _longest_run(text: str, ch: str) -> int:
    runs = re.findall(f"{re.escape(ch)}+", text)
    return max((len(r) for r in runs), default=0)


def _url(target: str) -> str:
    if re.fullmatch(r"media/[a-z0-9._-]+", target):
        return target
    return "<" + target.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    return tag.lower().rpartition("}")[2] if isinstance(tag, str) else None


_NAME = re.compile(r"[^a-z0-9._-]+")


@dataclass
class MediaNames:
    """The imported course's media: one safe, unique ``media/<name>`` per file of the package."""

    course: ImportedCourse
    by_key: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, data: bytes | Path, wanted: str) -> str:
        """``media/<name>`` for the file *key* of the package (its bytes *data*), named after *wanted*."""
        if key in self.by_key:
            return self.by_key[key]
        stem, ext = posixpath.splitext(posixpath.basename(wanted).lower())
        stem = _NAME.sub("-", stem).strip("-.") or "file"
        ext = _NAME.sub("", ext)
        name, n = f"{stem[:80]}{ext}", 1
        while name in self.course.media:
            n += 1
            name = f"{stem[:80]}-{n}{ext}"
        self.course.media[name] = data
        self.by_key[key] = f"media/{name}"
        return f"media/{name}"


# questions ---------------------------------------------------------------------------------------


@dataclass
class Choice:
    text: str
    """Markdown (inline, escaped)."""
    correct: bool = False
    feedback: str = ""
    """Markdown blocks."""


@dataclass
class Question:
    """A question recovered from a package, in Markdown pieces (escaped already), ready to write."""

    prompt: str
    kind: str = "single"
    """single, multiple, fill, order or match."""
    choices: list[Choice] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    """Fill-in answers as plain text (the quiz reader takes them verbatim)."""
    items: list[str] = field(default_factory=list)
    """Order: the items in the right order; match: ``(left, right)`` in :attr:`pairs`."""
    pairs: list[tuple[str, str]] = field(default_factory=list)
    more: str = ""
    """Markdown blocks after the prompt (an image, a passage)."""
    explanation: str = ""
    points: int = 1
    id: str = ""

    def usable(self) -> bool:
        """Whether the quiz reader will take it: a prompt and answers of its kind (empty ones are not
        written, so they do not count)."""
        if not self.prompt.strip():
            return False
        if self.kind in ("single", "multiple"):
            choices = self.written_choices()
            right = sum(c.correct for c in choices)
            return len(choices) >= 2 and right >= 1 and (self.kind == "multiple" or right == 1)
        if self.kind == "fill":
            return any(a.strip() for a in self.answers)
        if self.kind == "order":
            return len(self.written_items()) >= 2
        return len(self.written_pairs()) >= 2

    def written_choices(self) -> list[Choice]:
        return [c for c in self.choices if _one_line(c.text)]

    def written_items(self) -> list[str]:
        return [i for i in self.items if _one_line(i)]

    def written_pairs(self) -> list[tuple[str, str]]:
        return [(a, b) for a, b in self.pairs if _one_line(a) and _one_line(b)]


def quiz_markdown(questions: Iterable[Question], *, graded: bool = True, options: str = "", intro: str = "") -> str:
    """A ``::: quiz`` (or ``::: check``) block of *questions*; *options* like ``pass=80 id=final``."""
    head = f"::: {'quiz' if graded else 'check'}" + (f" {options}" if options else "")
    parts = [head]
    if intro.strip():
        parts.append(intro.strip())
    for q in questions:
        parts.append(question_markdown(q))
    return "\n\n".join(parts) + "\n\n:::"


def question_markdown(q: Question) -> str:
    attrs = [q.kind] if q.kind in ("multiple", "order", "match") else []
    prompt = " ".join(q.prompt.replace("\\\n", " ").split())
    if not attrs and prompt.endswith("}"):
        attrs = [q.kind]  # the kind word keeps a prompt's own trailing "{…}" text out of the options
    if q.points != 1:
        attrs.append(f"points={q.points}")
    if q.id and ID.match(q.id):
        attrs.append(f"id={q.id}")
    lines = [f"### {prompt}" + (" {" + " ".join(attrs) + "}" if attrs else "")]
    if q.more.strip():
        lines += ["", q.more.strip()]
    lines.append("")
    if q.kind in ("single", "multiple"):
        for c in q.written_choices():
            lines.append(f"- [{'x' if c.correct else ' '}] {_one_line(c.text)}")
            if c.feedback.strip():
                lines += [f"  > {line}" if line else "  >" for line in c.feedback.strip().splitlines()]
    elif q.kind == "fill":
        lines += [f"= {' '.join(a.split())}" for a in q.answers if a.strip()]
    elif q.kind == "order":
        lines += [f"{n}. {_one_line(item)}" for n, item in enumerate(q.written_items(), start=1)]
    else:
        lines += [f"- {_side(left)} -> {_side(right)}" for left, right in q.written_pairs()]
    if q.explanation.strip():
        lines += ["", q.explanation.strip()]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    """Markdown on one line: its line breaks become spaces."""
    return " ".join(text.replace("\\\n", " ").split())


def _side(text: str) -> str:
    """One side of a match line: '->' inside it would split the line in the wrong place."""
    return _one_line(text).replace("-\\>", "→").replace("->", "→")
