"""The course outline edited: modules and lessons added, renamed, moved and deleted.

Each operation reads a course folder (:class:`Folder`) and returns the :class:`Change` to make: whole
new texts by path and the files to remove, written by the caller (the studio records each as a
revision; tests write them to a folder). Nothing here writes. ``course.yml`` is edited round-trip
(``metadata.py``: comments and layout stay); a lesson's front matter line by line.

The format asks of every outline what these keep: a module has at least one lesson (so a new module
comes with its first lesson, and a module left empty by a move or a delete goes with it), the course
has at least one module, and a lesson's file name follows its title. Renaming a lesson keeps its id
(an ``id:`` in its front matter, written when there was none), so learners' progress in an LMS and the
lesson's translation segments (``<lesson id>|kind|hash``, link targets as placeholders) survive, and
every link to it in other lessons follows the new file name. A lesson other lessons link to is not
deleted: the change names them.
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .lesson import lesson_id_for, split_front_matter
from .load import _front_matter_id, file_index, resolve_target
from .metadata import MetadataError, _load, _yaml

LESSON_BODY = "Write your lesson here in Markdown: short paragraphs, **emphasis**, lists and tables.\n"
MAX_TITLE = 200


class OutlineError(ValueError):
    """The operation cannot be made; the message says why, for the author."""


@dataclass(frozen=True)
class Change:
    """What an operation changes: *writes* are whole new texts (new files among them), *deletes* the
    files to remove, *renamed* old path -> new path; *note* says it in a line (a revision's note)."""

    note: str
    writes: dict[str, str]
    deletes: tuple[str, ...] = ()
    renamed: dict[str, str] = field(default_factory=dict)

    def apply(self, root: Path) -> None:
        """Write the change to the course folder *root* (the CLI's and the tests' way; the studio
        saves each file as a revision instead)."""
        from .files import write_atomic

        for path, text in self.writes.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(root / path, text)
        for path in self.deletes:
            (root / path).unlink(missing_ok=True)


@dataclass(frozen=True)
class Folder:
    """What the operations read: course.yml's text (the one the author saw), the course's files and a
    reader of a lesson's text."""

    course_yml: str
    files: frozenset[str]
    read: Callable[[str], str]

    @classmethod
    def of(cls, root: Path, course_yml: str | None = None) -> Folder:
        files = frozenset(file_index(root, []))
        yml = (root / "course.yml").read_text("utf-8") if course_yml is None else course_yml
        return cls(yml, files, lambda path: (root / path).read_text("utf-8"))


@dataclass(frozen=True)
class Module:
    title: str
    lessons: list[str]  # course-relative paths, normalised, as listed


def modules(course_yml: str) -> list[Module]:
    """The outline as course.yml lists it (entries that are not modules read as untitled, empty ones)."""
    return [Module(title, paths) for title, paths, _ in _modules(_doc(course_yml))]


# --- modules ---------------------------------------------------------------------------------------------


def add_module(folder: Folder, title: str, lesson_title: str) -> Change:
    """A module at the end of the outline, with its first lesson (a module has at least one)."""
    title, doc = _title(title, "module"), _doc(folder.course_yml)
    path, text = _new_lesson(folder, doc, None, lesson_title)
    mods = _seq(doc)
    mods.append(CommentedMap([("title", _yaml_title(title)), ("lessons", _flow([path]))]))
    return Change(f"added module '{title}' with lesson {path}", {path: text, "course.yml": _dump(doc)})


def rename_module(folder: Folder, index: int, title: str) -> Change:
    title, doc = _title(title, "module"), _doc(folder.course_yml)
    entry = _module(doc, index)
    old = str(entry.get("title") or f"Module {index + 1}")
    entry["title"] = _yaml_title(title)
    return Change(f"renamed module '{old}' to '{title}'", {"course.yml": _dump(doc)})


def move_module(folder: Folder, index: int, to: int) -> Change:
    """Module *index* moved to position *to* (clamped to the outline)."""
    doc = _doc(folder.course_yml)
    entry, mods = _module(doc, index), _seq(doc)
    to = max(0, min(to, len(mods) - 1))
    if to == index:
        raise OutlineError("the module is in that place already")
    mods.insert(to, mods.pop(index))
    return Change(f"moved module '{entry.get('title')}' to place {to + 1}", {"course.yml": _dump(doc)})


def delete_module(folder: Folder, index: int) -> Change:
    """Module *index* and its lessons' files (each kept as a revision by the studio); refused while
    lessons outside it link to its lessons, and for the course's only module."""
    doc = _doc(folder.course_yml)
    entry, mods = _module(doc, index), _seq(doc)
    if len(mods) == 1:
        raise OutlineError("a course has at least one module: add another before deleting this one")
    title, paths, _ = _modules(doc)[index]
    gone = [p for p in paths if p in folder.files]
    _refuse_linked(folder, gone)
    mods.pop(index)
    return Change(
        f"deleted module '{entry.get('title') or title}' and its lessons {', '.join(paths) or '(none)'}",
        {"course.yml": _dump(doc)},
        tuple(gone),
    )


# --- lessons ---------------------------------------------------------------------------------------------


def add_lesson(folder: Folder, index: int, title: str) -> Change:
    """A new lesson file at the end of module *index*, named after its title, in its lessons' folder."""
    doc = _doc(folder.course_yml)
    entry = _module(doc, index)
    path, text = _new_lesson(folder, doc, index, title)
    lessons = entry.get("lessons")
    if isinstance(lessons, CommentedSeq):
        lessons.append(path)
    else:
        entry["lessons"] = _flow([path])
    return Change(f"added lesson {path} to module '{entry.get('title')}'", {path: text, "course.yml": _dump(doc)})


def rename_lesson(folder: Folder, path: str, title: str) -> Change:
    """The lesson's title in its front matter, its file renamed to match, its id kept (written as ``id:``
    when it had none), every link to it in other lessons following the new name."""
    title, doc = _title(title, "lesson"), _doc(folder.course_yml)
    m, n = _find(doc, path)
    if path not in folder.files:
        raise OutlineError(f"{path} is listed in course.yml but the file does not exist")
    text = folder.read(path)
    new = _file_for(folder, posixpath.dirname(path), title, keep=path)
    keep_id = None if _front_matter_id(text) else lesson_id_for(path)
    retitled = _front_matter(text, path, title, keep_id)
    writes = {new: retitled}
    if new != path:
        writes[new] = _relink(retitled, path, path, new, folder.files) or retitled  # links to itself
        _lessons_of(doc, m)[n] = new
        writes["course.yml"] = _dump(doc)
        for other in _listed(doc):
            if other != path and other in folder.files:
                linked = _relink(folder.read(other), other, path, new, folder.files)
                if linked is not None:
                    writes[other] = linked
        note = f"renamed lesson {path} to {new} ('{title}')"
        return Change(note, writes, (path,), {path: new})
    return Change(f"retitled lesson {path} ('{title}')", writes)


def move_lesson(folder: Folder, path: str, index: int, position: int) -> Change:
    """The lesson moved to *position* (clamped) in module *index*; a module it leaves empty is removed."""
    doc = _doc(folder.course_yml)
    m, n = _find(doc, path)
    target = _module(doc, index)
    source = _lessons_of(doc, m)
    if index == m and max(0, min(position, len(source) - 1)) == n:
        raise OutlineError("the lesson is in that place already")
    item = source.pop(n)
    lessons = target.get("lessons")
    if not isinstance(lessons, CommentedSeq):
        lessons = _flow([])
        target["lessons"] = lessons
    lessons.insert(max(0, min(position, len(lessons))), item)
    note = f"moved lesson {path} to module '{target.get('title')}', place {lessons.index(item) + 1}"
    if not source:
        note += f"; module '{_module(doc, m).get('title')}' had no other lesson and was removed"
        _seq(doc).pop(m)
    return Change(note, {"course.yml": _dump(doc)})


def move_lesson_by(folder: Folder, path: str, step: int) -> Change:
    """The lesson one place up (*step* -1) or down (+1); past the end of its module, into the next
    module (its first place) or the previous one (its last place)."""
    doc = _doc(folder.course_yml)
    m, n = _find(doc, path)
    count = len(_lessons_of(doc, m))
    if 0 <= n + step < count:
        return move_lesson(folder, path, m, n + step)
    if not 0 <= m + step < len(_seq(doc)):
        raise OutlineError("the lesson is first in the course already" if step < 0 else "the lesson is last already")
    if step < 0:
        return move_lesson(folder, path, m - 1, len(_lessons_of(doc, m - 1)))
    return move_lesson(folder, path, m + 1, 0)


def delete_lesson(folder: Folder, path: str) -> Change:
    """The lesson out of course.yml and its file removed; refused while other lessons link to it, and
    for the course's only lesson. A module it leaves empty goes with it."""
    doc = _doc(folder.course_yml)
    m, n = _find(doc, path)
    if len(_listed(doc)) == 1:
        raise OutlineError("a course has at least one lesson: add another before deleting this one")
    _refuse_linked(folder, [path])
    source = _lessons_of(doc, m)
    source.pop(n)
    note = f"deleted lesson {path}"
    if not source:
        note += f"; module '{_module(doc, m).get('title')}' had no other lesson and was removed"
        _seq(doc).pop(m)
    return Change(note, {"course.yml": _dump(doc)}, (path,) if path in folder.files else ())


def linking(folder: Folder, paths: list[str]) -> dict[str, list[str]]:
    """Lessons (outside *paths*) that link to each of *paths*: target -> the lessons linking to it."""
    found: dict[str, list[str]] = {}
    targets = set(paths)
    for other in _listed(_doc(folder.course_yml)):
        if other in targets or other not in folder.files:
            continue
        for target in _link_targets(folder.read(other), other, folder.files) & targets:
            found.setdefault(target, []).append(other)
    return found


# --- course.yml ------------------------------------------------------------------------------------------


def _doc(text: str) -> CommentedMap:
    try:
        return _load(text)
    except MetadataError as exc:
        raise OutlineError(str(exc)) from None


def _dump(doc: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()  # the starter's style: lessons: [a.md, b.md]
    return seq


def _seq(doc: CommentedMap) -> CommentedSeq:
    mods = doc.get("modules")
    if not isinstance(mods, CommentedSeq):
        mods = CommentedSeq()
        doc["modules"] = mods
    return mods


def _modules(doc: CommentedMap) -> list[tuple[str, list[str], int]]:
    out = []
    for m, entry in enumerate(_seq(doc)):
        lessons = entry.get("lessons") if isinstance(entry, CommentedMap) else None
        paths = [_norm(p) for p in lessons or () if isinstance(p, str)] if isinstance(lessons, list) else []
        title = str(entry.get("title") or "") if isinstance(entry, CommentedMap) else ""
        out.append((title or f"Module {m + 1}", paths, m))
    return out


def _module(doc: CommentedMap, index: int) -> CommentedMap:
    mods = _seq(doc)
    if not 0 <= index < len(mods) or not isinstance(mods[index], CommentedMap):
        raise OutlineError(f"course.yml has no module {index + 1}: reload the page")
    entry: CommentedMap = mods[index]
    return entry


def _lessons_of(doc: CommentedMap, index: int) -> CommentedSeq:
    lessons = _module(doc, index).get("lessons")
    assert isinstance(lessons, CommentedSeq)  # _find found the lesson in it
    return lessons


def _find(doc: CommentedMap, path: str) -> tuple[int, int]:
    """(module, place) of lesson *path* in course.yml."""
    path = _norm(path)
    for m, entry in enumerate(_seq(doc)):
        lessons = entry.get("lessons") if isinstance(entry, CommentedMap) else None
        for n, listed in enumerate(lessons if isinstance(lessons, CommentedSeq) else ()):
            if isinstance(listed, str) and _norm(listed) == path:
                return m, n
    raise OutlineError(f"{path} is not listed in course.yml: reload the page")


def _listed(doc: CommentedMap) -> list[str]:
    return [path for _, paths, _ in _modules(doc) for path in paths]


def _norm(path: str) -> str:
    return posixpath.normpath(path.strip())


def _title(text: str, what: str) -> str:
    title = " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch.isspace()).split())
    if not title:
        raise OutlineError(f"give the {what} a title")
    if len(title) > MAX_TITLE:
        raise OutlineError(f"the {what}'s title is longer than {MAX_TITLE} characters")
    return title


# --- lesson files ----------------------------------------------------------------------------------------


def slug(title: str) -> str:
    """A file name's stem from a title: ASCII letters, digits and '-' (a lesson id allows no more).

    >>> slug("Handling “grievances” – Part 2")
    'handling-grievances-part-2'
    >>> slug("परिचय")
    'lesson'
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return stem or "lesson"


def _file_for(folder: Folder, directory: str, title: str, keep: str | None = None) -> str:
    """A free path ``<directory>/<slug>.md`` (``-2``, ``-3``… when taken; *keep* counts as free)."""
    stem = posixpath.join(directory, slug(title)) if directory else slug(title)
    taken = {p.lower() for p in folder.files if p != keep}  # case-insensitive: a Windows or macOS checkout
    path, n = f"{stem}.md", 2
    while path.lower() in taken:
        path, n = f"{stem}-{n}.md", n + 1
    return path


def _new_lesson(folder: Folder, doc: CommentedMap, index: int | None, title: str) -> tuple[str, str]:
    """(path, text) of a new lesson in the starter's shape, in the folder module *index*'s lessons are in
    (else the last lesson's, else ``lessons/``)."""
    title = _title(title, "lesson")
    listed = _modules(doc)
    near = listed[index][1] if index is not None else []
    last = (near or [p for _, paths, _ in listed for p in paths] or ["lessons/x.md"])[-1]
    path = _file_for(folder, posixpath.dirname(last), title)
    return path, f"---\ntitle: {_scalar(title)}\n---\n{LESSON_BODY}"


_PLAIN = re.compile(r"[^\W\d_][\w .,()'/-]*", re.UNICODE)
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def _scalar(text: str) -> str:
    """*text* as a YAML scalar: plain when YAML reads it back as the same string, else double-quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS and not text.endswith(" "):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yaml_title(text: str) -> str:
    """A module's title for ruamel: quoted when plain YAML would read something else ('yes', '2024')."""
    return text if _scalar(text) == text else DoubleQuotedScalarString(text)


def _front_matter(text: str, path: str, title: str, keep_id: str | None) -> str:
    """*text* with the front matter's ``title:`` set to *title* (its other lines as they were) and, given
    *keep_id*, an ``id:`` after it."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    front, body, _ = split_front_matter(text, path, [])
    lines = [] if front is None else front.split("\n")
    out, skipping, placed = [], False, False
    for line in lines:
        if skipping and (line[:1] in (" ", "\t") or not line.strip()):
            continue  # the rest of a folded or multi-line title
        skipping = False
        if re.match(r"title\s*:", line):
            out.append(f"title: {_scalar(title)}")
            skipping, placed = True, True
            if keep_id:
                out.append(f"id: {keep_id}")
            continue
        out.append(line)
    if not placed:
        out[:0] = [f"title: {_scalar(title)}", *([f"id: {keep_id}"] if keep_id else [])]
    if front is None:
        body = text
    return "---\n" + "\n".join(out) + "\n---\n" + body


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE = re.compile(r"(\]\(\s*)(<[^>\n]*>|[^)\s]+)")  # ](target or ](<target>
_REFERENCE = re.compile(r"^( {0,3}\[[^\]\n]+\]:\s*)(<[^>\n]*>|\S+)", re.M)


def _split(target: str) -> tuple[str, str, str]:
    """(opening, path, rest) of a link target: '<' '>' kept aside, and the '#…' or '?…' after the path."""
    inner = target[1:-1] if target.startswith("<") else target
    cut = min((i for i in (inner.find("#"), inner.find("?")) if i >= 0), default=len(inner))
    return ("<" if target.startswith("<") else ""), inner[:cut], inner[cut:] + (">" if target.startswith("<") else "")


def _each_target(text: str, visit: Callable[[str], str | None]) -> str:
    """*text* with each link target outside fenced code passed through *visit* (None: unchanged)."""
    out, fence = [], ""
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            part = "".join(chunk)
            part = _INLINE.sub(lambda m: m.group(1) + (visit(m.group(2)) or m.group(2)), part)
            part = _REFERENCE.sub(lambda m: m.group(1) + (visit(m.group(2)) or m.group(2)), part)
            out.append(part)
            chunk.clear()

    for line in text.splitlines(keepends=True):
        opened = _FENCE.match(line)
        if fence:
            out.append(line)
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
        elif opened:
            flush()
            fence = opened.group(1)
            out.append(line)
        else:
            chunk.append(line)
    flush()
    return "".join(out)


def _link_targets(text: str, lesson: str, files: frozenset[str]) -> set[str]:
    found: set[str] = set()
    file_set = set(files)

    def visit(target: str) -> None:
        _, path, _ = _split(target)
        resolved = resolve_target(lesson, path, file_set) if path and ":" not in path else None
        if resolved is not None:
            found.add(resolved)

    _each_target(text, visit)
    return found


def _relink(text: str, lesson: str, old: str, new: str, files: frozenset[str]) -> str | None:
    """*text* with its links that resolve to *old* pointing at *new* in the same form (only the file name
    changes: a rename keeps the folder); None when it has none."""
    file_set = set(files)
    old_name, new_name = posixpath.basename(old), posixpath.basename(new)

    def visit(target: str) -> str | None:
        opening, path, rest = _split(target)
        if not path or ":" in path or resolve_target(lesson, path, file_set) != old:
            return None
        head, _, name = path.rpartition("/")
        if name != old_name:
            return None
        return f"{opening}{head + '/' if head else ''}{new_name}{rest}"

    changed = _each_target(text, visit)
    return changed if changed != text else None


def _refuse_linked(folder: Folder, paths: list[str]) -> None:
    linked = linking(folder, paths)
    if linked:
        names = "; ".join(f"{target} from {', '.join(sorted(froms))}" for target, froms in sorted(linked.items()))
        raise OutlineError(f"other lessons link to it: {names}. Remove those links first")
