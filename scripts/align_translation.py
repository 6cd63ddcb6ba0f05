#!/usr/bin/env python3
"""Fill a course's catalog from a translated copy of its files: segments extracted side by side.

A translator who worked in Markdown (a copy of course.yml and of every lesson, with the same blocks in the
same order: headings, paragraphs, list items, table cells, links, images, code and quiz syntax) gets their
work into ``translations/<lang>.po`` with this; from then on the catalog is the source of truth and the
usual round trip (``kstudio i18n update``, Poedit or XLIFF) applies. Used once to bring the sample course's
Hindi and Urdu translations in.

Usage (from the repository root)::

    .venv/bin/python scripts/align_translation.py COURSE TRANSLATED_DIR --lang hi [--dry-run]

Segments are paired in order within each file; a file whose segments do not pair up (a different count,
or a heading where the source has a paragraph) is reported with both lines and left out, as is a segment
whose links point elsewhere than the source's. Link placeholders are renumbered to the source's order,
so a translation may put its links in another order. Existing finished translations are not overwritten
unless ``--replace`` is given.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from packager import yamlsrc
from packager.i18n import catalog
from packager.i18n import course as i18n
from packager.i18n.apply import yml_segments
from packager.i18n.segments import Segment, front_segments, lesson_segments
from packager.lesson import split_front_matter
from packager.load import load_course
from packager.markdown import parser

_PLACEHOLDER = re.compile(r"\]\(\{(\d+)\}\)")


def _lesson(path: Path, scope: str, file: str) -> list[Segment]:
    text = path.read_text("utf-8").lstrip("\ufeff").replace("\r\n", "\n")
    front, body, offset = split_front_matter(text, file, [])
    meta = yaml.safe_load(front or "") or {}
    found = front_segments(scope, file, str(meta.get("title", "")), [str(o) for o in meta.get("objectives", [])], 1)
    return found + lesson_segments(parser().parse(body, {}), scope, file, offset)


def _renumber(source: Segment, translated: Segment) -> str | None:
    """The translation with its placeholders numbered as in the source; None if its links differ."""
    if sorted(source.targets) != sorted(translated.targets):
        return None
    order = list(source.targets)

    def number(match: re.Match[str]) -> str:
        target = translated.targets[int(match.group(1)) - 1]
        return f"]({{{order.index(target) + 1}}})"

    return _PLACEHOLDER.sub(number, translated.source)


def pair(source: list[Segment], translated: list[Segment], file: str, problems: list[str]) -> dict[str, str]:
    kinds = [s.kind for s in source], [t.kind for t in translated]
    if kinds[0] != kinds[1]:
        at = next((i for i, (a, b) in enumerate(zip(*kinds, strict=False)) if a != b), min(map(len, kinds)))
        where = (source[at].line if at < len(source) else "end", translated[at].line if at < len(translated) else "end")
        problems.append(
            f"{file}: segments do not pair up ({len(source)} in the source, {len(translated)} translated); first "
            f"difference at source line {where[0]}, translated line {where[1]}: left out"
        )
        return {}
    found: dict[str, str] = {}
    for s, t in zip(source, translated, strict=True):
        text = _renumber(s, t)
        if text is None:
            problems.append(f"{file}:{t.line}: the links differ from the source's (line {s.line}): left out")
        elif text.strip():
            found[s.id] = text
    return found


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("course", type=Path)
    args.add_argument("translated", type=Path, help="folder with the translated course.yml and lessons/")
    args.add_argument("--lang", required=True)
    args.add_argument("--replace", action="store_true", help="overwrite finished translations too")
    args.add_argument("--dry-run", action="store_true")
    opts = args.parse_args(argv)

    course = load_course(opts.course, use_cache=False)
    problems: list[str] = []
    src_yml = yml_segments(yamlsrc.parse((opts.course / "course.yml").read_text("utf-8"), "course.yml"))
    tr_yml = yml_segments(yamlsrc.parse((opts.translated / "course.yml").read_text("utf-8"), "course.yml"))
    found = pair(src_yml, tr_yml, "course.yml", problems)
    for lesson in course.lessons:
        path = opts.translated / lesson.path
        if not path.is_file():
            problems.append(f"{lesson.path}: no translated file")
            continue
        source = _lesson(opts.course / lesson.path, lesson.id, lesson.path)
        found |= pair(source, _lesson(path, lesson.id, lesson.path), lesson.path, problems)

    if not opts.dry_run:
        i18n.update(course, [opts.lang])
    path = i18n.catalog_path(course, opts.lang)
    po = catalog.read(path) if path.is_file() else catalog.new(opts.lang, i18n.project(course))
    filled = kept = 0
    for entry in po:
        text = found.get(entry.msgctxt or "")
        if entry.obsolete or text is None:
            continue
        if entry.msgstr and not entry.fuzzy and not opts.replace:
            kept += 1
            continue
        entry.msgstr = text
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
        filled += 1
    for line in problems:
        print(line, file=sys.stderr)
    if not opts.dry_run:
        catalog.write(po, path)
    print(f"{path}: {filled} filled, {kept} kept, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
