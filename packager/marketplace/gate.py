"""The gate before review: what a course version must have before a reviewer spends time on it.

Every rule gives a result a partner can act on: what is wrong and what to do. The rules are a table of
small functions (like markdown-it's rule chains), each taking the course and its built packages, so a
new catalogue requirement is one function and one line in :data:`RULES`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..build import build
from ..errors import Problem
from ..export import cmi5, languages, xsd
from ..media.report import DEFAULT_BUDGET_MB, human, size_report
from ..model import Course


@dataclass(frozen=True)
class Built:
    """A package built for the submission."""

    path: Path
    format: str
    lang: str


@dataclass(frozen=True)
class Result:
    rule: str
    ok: bool
    message: str
    details: tuple[str, ...] = ()
    """Lines a partner acts on: problems as ``FILE:LINE: …``, missing fields, failed validations."""


@dataclass
class GateReport:
    results: list[Result] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.ok]

    def lines(self) -> list[str]:
        out = []
        for r in self.results:
            out.append(f"{'pass' if r.ok else 'FAIL'}  {r.rule}: {r.message}")
            out += [f"      {d}" for d in r.details]
        return out


@dataclass(frozen=True)
class Candidate:
    """What the gate checks: a course offered to the catalogue and the packages built from it."""

    course: Course
    packages: tuple[Built, ...]
    budget_mb: float = DEFAULT_BUDGET_MB
    langs: tuple[str, ...] = ()
    """Languages the partner chose (empty: every language the course lists)."""
    problems: Mapping[str, Sequence[Problem]] | None = None
    """Each chosen language's problems from the build of the packages (None: the gate checks)."""


Rule = Callable[[Candidate], Result]


def check_passes(sub: Candidate) -> Result:
    """``kstudio check`` has no errors in any language the partner chose (each loaded as that language
    builds it, so a broken translation is found before a reviewer opens it)."""
    chosen = list(sub.langs) or languages(sub.course, "all")
    available = languages(sub.course, "all")
    # the submission's build checked each language already; a gate run on its own checks them here
    found = sub.problems if sub.problems is not None else build(sub.course, [], chosen, None).problems
    errors: list[str] = [f"{lang}: the course has no '{lang}' version" for lang in chosen if lang not in available]
    for lang in (lang for lang in chosen if lang in available):
        prefix = "" if lang == sub.course.language else f"[{lang}] "
        errors += [prefix + p.format() for p in found.get(lang, []) if p.severity == "error"]
    langs = ", ".join(chosen)
    if errors:
        return Result(
            "check",
            False,
            f"{len(errors)} error(s) in the course ({langs}); fix them in the editor",
            tuple(errors[:50]),
        )
    return Result("check", True, f"no errors ({langs})")


def metadata_complete(sub: Candidate) -> Result:
    """What reviewers and the catalogue need to list the course."""
    c = sub.course
    missing = []
    if len(c.summary.strip()) < 20:
        missing.append("summary: say in a sentence or two what a learner will be able to do")
    if not c.competencies:
        missing.append("competencies: add at least one, with its area and theme")
    elif any(not comp.area or not comp.theme for comp in c.competencies):
        missing.append("competencies: every competency needs an area and a theme")
    if not c.thumbnail or not (c.root / c.thumbnail).is_file():
        missing.append("thumbnail: add a cover image (media/cover.png) and name it in course.yml")
    if c.learning_minutes <= 0:
        missing.append("learning time: the lessons add up to no time at all")
    if not c.license:
        missing.append("license: name the licence (an SPDX id such as CC-BY-4.0)")
    if not c.audience:
        missing.append("audience: list the roles the course is for (for example [Group B, Group C])")
    if missing:
        return Result("metadata", False, f"{len(missing)} field(s) of course.yml missing or empty", tuple(missing))
    langs = ", ".join(languages(c, "all"))
    return Result("metadata", True, f"complete ({round(c.learning_minutes)} min, {langs}, {c.license})")


def packages_valid(sub: Candidate) -> Result:
    """Each package opens and validates against its standard's schema."""
    if not sub.packages:
        return Result("packages", False, "no packages were built: choose at least one format")
    problems = []
    for built in sub.packages:
        problems += [f"{built.path.name}: {p}" for p in validate_package(built)]
    if problems:
        return Result("packages", False, f"{len(problems)} problem(s) in the packages", tuple(problems[:50]))
    return Result("packages", True, f"{len(sub.packages)} package(s) valid")


def size_within_budget(sub: Candidate) -> Result:
    over = []
    for built in sub.packages:
        if built.path.suffix == ".zip" and size_report(built.path).over(sub.budget_mb):
            over.append(f"{built.path.name}: {human(built.path.stat().st_size)}; make the media smaller")
    if over:
        return Result("size", False, f"over the {sub.budget_mb:g} MB budget", tuple(over))
    return Result("size", True, f"every package within {sub.budget_mb:g} MB")


def quality_passes(sub: Candidate) -> Result:
    """The quality pre-check (``packager.quality``) in the languages chosen: its errors (personal data,
    missing captions or alt text…) fail the gate; its scores and advice are shown to the reviewer."""
    from ..quality import check_quality

    available = languages(sub.course, "all")
    chosen = [lang for lang in (list(sub.langs) or available) if lang in available]  # `check` names the others
    report = check_quality(sub.course, chosen)
    details: list[str] = []
    for c in report.criteria:
        details.append(f"{c.score_text()} {c.key}: {c.measured}")
        details += [p.format() for p in c.problems[:QUALITY_ITEMS]]
        if len(c.problems) > QUALITY_ITEMS:
            details.append(f"… and {len(c.problems) - QUALITY_ITEMS} more: run 'kstudio check --quality'")
    errors = sum(p.severity == "error" for p in report.problems)
    advice = len(report.problems) - errors
    scores = ", ".join(f"{c.key} {c.score_text()}" for c in report.criteria)
    if errors:
        return Result(
            "quality", False, f"{errors} error(s) and {advice} advice; fix the errors ({scores})", tuple(details)
        )
    return Result("quality", True, f"no errors, {advice} advice ({scores})", tuple(details))


QUALITY_ITEMS = 10
"""Items shown per quality criterion in the gate's report (the command line shows all)."""

RULES: list[tuple[str, Rule]] = [
    ("check", check_passes),
    ("metadata", metadata_complete),
    ("packages", packages_valid),
    ("size", size_within_budget),
    ("quality", quality_passes),
]


def gate(
    course: Course,
    packages: Iterable[Built] = (),
    *,
    budget_mb: float = DEFAULT_BUDGET_MB,
    langs: Iterable[str] = (),
    problems: Mapping[str, Sequence[Problem]] | None = None,
) -> GateReport:
    """Run every rule of :data:`RULES`; *langs* are the languages the partner chose (default: all);
    *problems* are what the build of *packages* found per language (its :class:`BuildReport`'s)."""
    sub = Candidate(course, tuple(packages), budget_mb, tuple(langs), problems)
    return GateReport([rule(sub) for _, rule in RULES])


# A manifest schema per format; formats not listed are checked for a readable zip with index.html.
MANIFESTS = {
    "scorm12": ("imsmanifest.xml", "scorm12"),
    "scorm2004": ("imsmanifest.xml", "scorm2004"),
    "igot": ("imsmanifest.xml", "scorm12"),
}


def validate_package(built: Built) -> list[str]:
    """Problems with one built package (empty when it is valid)."""
    if built.path.suffix == ".pdf":
        head = built.path.read_bytes()[:5] if built.path.is_file() else b""
        return [] if head == b"%PDF-" else ["is not a PDF file"]
    try:
        with zipfile.ZipFile(built.path) as z:
            names = set(z.namelist())
            bad = z.testzip()
            if bad:
                return [f"{bad} is damaged in the zip"]
            if built.format == "cmi5":
                if "cmi5.xml" not in names:
                    return ["has no cmi5.xml at its root"]
                return [f"cmi5.xml: {e}" for e in cmi5.validate(z.read("cmi5.xml"))]
            if built.format == "xapi":
                return _tincan_problems(z.read("tincan.xml"), names) if "tincan.xml" in names else ["has no tincan.xml"]
            if built.format in MANIFESTS:
                manifest, kind = MANIFESTS[built.format]
                if manifest not in names:
                    return [f"has no {manifest} at its root"]
                return [f"{manifest}: {e}" for e in xsd.validate(z.read(manifest), kind)]
            if "index.html" not in names and not any(n.endswith(".xml") for n in names if "/" not in n):
                return ["has neither index.html nor a launch manifest at its root"]
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"cannot be opened ({exc})"]
    return []


def _tincan_problems(xml: bytes, names: set[str]) -> list[str]:
    """``tincan.xml`` has no published schema; check what an LRS-backed LMS reads: one activity with an
    id, a name and a launch file that is in the package."""
    from lxml import etree

    ns = {"t": "http://projecttincan.com/tincan.xsd"}
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [f"tincan.xml: {exc}"]
    activities = root.findall("t:activities/t:activity", ns)
    if not activities:
        return ["tincan.xml: no activity"]
    problems = []
    for act in activities:
        if not act.get("id"):
            problems.append("tincan.xml: an activity has no id")
        if act.find("t:name", ns) is None:
            problems.append(f"tincan.xml: activity {act.get('id')} has no name")
        launch = (act.findtext("t:launch", "", ns) or "").strip()
        if launch not in names:
            problems.append(f"tincan.xml: activity {act.get('id')} launches {launch!r}, which is not in the package")
    return problems
