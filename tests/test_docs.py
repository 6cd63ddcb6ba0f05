"""The documentation against the code: every image docs/*.md shows exists (and has alt text), every
screenshot of the author's guide is shown and small, and every ``kstudio …`` command line the author's guide
and the README quote parses with the real command line's parser. Fast: no studio, no browser."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def prose(text: str) -> str:
    """*text* without its code: fenced blocks and code spans (where `![…](…)` is an example, not an image)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def images(page: Path) -> list[tuple[str, str]]:
    return IMAGE.findall(prose(page.read_text("utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_image_a_page_shows_exists_and_is_described(page: Path) -> None:
    for alt, src in images(page):
        if re.match(r"[a-z]+:", src):  # a web address: not ours to check here
            continue
        target = (page.parent / src.split("#")[0]).resolve()
        assert target.is_file(), f"{page.name}: image {src} does not exist"
        assert alt.strip(), f"{page.name}: image {src} has no alt text"


def test_the_guides_screenshots_are_all_shown_and_small() -> None:
    shown = {(DOCS / src).resolve() for alt, src in images(DOCS / "authors.md")}
    for png in sorted((DOCS / "img").glob("authors-*.png")):
        assert png.resolve() in shown, f"{png.name} is in docs/img/ but docs/authors.md does not show it"
        assert png.stat().st_size < 150 * 1024, (
            f"{png.name} is {png.stat().st_size // 1024} KB: run docs/screenshots.py"
        )


def parser():
    from packager import __main__ as cli
    from studio.cli import _register

    if _register not in cli.EXTRA_COMMANDS:  # as studio.cli.main does: the studio's commands too
        cli.EXTRA_COMMANDS.append(_register)
    return cli.build_parser()


def command_lines(page: Path, spans: bool = True) -> list[str]:
    """The ``kstudio`` command lines *page* quotes: after ``$`` in its console blocks (also the right of a
    pipe), and (with *spans*) its code spans that start with ``kstudio`` and say more than its name."""
    text = page.read_text("utf-8")
    found = []
    for block in FENCE.finditer(text):
        for line in block.group(0).splitlines():
            if not line.startswith("$ "):
                continue
            for part in re.split(r"\s*(?:\||&&)\s*", line[2:]):
                part = re.sub(r"^(\.venv/bin/)?kstudio\b", "kstudio", part.strip())
                if part.startswith("kstudio"):
                    found.append(part)
    for _, span in CODE_SPAN.findall(FENCE.sub("", text)) if spans else []:
        if re.match(r"(\.venv/bin/)?kstudio\s", span):
            found.append(re.sub(r"^(\.venv/bin/)?kstudio", "kstudio", span))
    return found


# README's table gives synopses ("--format scorm12|scorm2004 [-o OUTDIR]"), not command lines: its console only
QUOTED = [("authors.md", line) for line in command_lines(DOCS / "authors.md")]
QUOTED += [("README.md", line) for line in command_lines(ROOT / "README.md", spans=False)]


def test_the_guide_quotes_commands() -> None:
    assert len([line for page, line in QUOTED if page == "authors.md"]) >= 10


@pytest.mark.parametrize(("page", "line"), QUOTED, ids=[f"{p}: {line}" for p, line in QUOTED])
def test_every_quoted_command_line_parses(page: str, line: str) -> None:
    words = shlex.split(line)[1:]
    real = parser()
    commands = real._subparsers._group_actions[0].choices  # the subcommands: check, new, build, …
    assert words and words[0] in commands, f"{page}: '{line}': no command '{words[0] if words else ''}'"
    if len(words) == 1:  # "`kstudio build` writes…": a mention of the command, not a command line
        return
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            real.parse_args(words)
    except SystemExit as exc:
        assert exc.code == 0, f"{page}: '{line}' does not parse: {err.getvalue().strip().splitlines()[-1]}"
