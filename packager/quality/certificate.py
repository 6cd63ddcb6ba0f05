"""The self-certification draft a content partner submits with a course: Markdown, with every measured
answer filled in from the pre-check and a blank (``________``) for what only the partner can attest."""

from __future__ import annotations

from datetime import date

from ..model import Course
from .report import QualityReport

BLANK = "________"
STATUS = {"meets": "meets", "advice": "meets, with advice", "fix": "**to fix**"}

ATTESTED = [
    "Sign-language interpretation or audio description where a video's pictures carry meaning its words do "
    f"not (WCAG 2.1 SC 1.2.5): {BLANK}",
    f"Colour contrast of at least 4.5:1 in images and diagrams, and no meaning given by colour alone: {BLANK}",
    f"Facts, figures, rules and links checked and current as of (date): {BLANK}",
    f"Reviewed by a subject-matter expert: name {BLANK}, designation {BLANK}, date {BLANK}",
    f"The partner holds the rights to, or a licence for, all text and media of the course: {BLANK}",
    f"No personal data of any person in images, audio or video (the pre-check reads text only): {BLANK}",
    f"People shown or heard in the media consented to it in writing: {BLANK}",
    f"Contact for learners' questions and grievances about this course: {BLANK}",
]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def certification(course: Course, report: QualityReport, *, today: date | None = None) -> str:
    """The draft as Markdown, dated *today* (default: the current date)."""
    when = (today or date.today()).isoformat()
    minutes = round(course.learning_minutes)
    lines = [
        f"# Content quality self-certification: {_cell(course.title)}",
        "",
        f"Drafted by Karmayogi Studio's quality pre-check (`kstudio check --quality`) on {when}. The measured",
        f"answers are filled in. Review them, fill in every {BLANK}, and sign the declaration.",
        "",
        "| | |",
        "|---|---|",
        f"| Course | {_cell(course.title)} |",
        f"| Id and version | `{course.id}` {course.version} |",
        f"| Content partner | {_cell(course.provider.name)} (`{course.provider.id}`) |",
        f"| Languages checked | {', '.join(report.langs)} |",
        f"| Licence of the course | {_cell(course.license or BLANK)} |",
        f"| Learning time | {minutes} minutes |",
        "",
        "## Measured by the pre-check",
        "",
        "| Criterion | Standard | Score | Measured | Status |",
        "|---|---|---|---|---|",
    ]
    for c in report.criteria:
        lines.append(
            f"| {c.title} | {_cell(c.reference)} | {c.score_text()} | {_cell(c.measured)} | {STATUS[c.status]} |"
        )
    lines += ["", "### Items to fix and advice", ""]
    items = [(c, p) for c in report.criteria for p in c.problems]
    if not items:
        lines.append("None.")
    for c, p in items:
        where = f"{p.file}:{p.line}" if p.line else p.file
        lines.append(f"- {c.title}, {'**error**' if p.severity == 'error' else 'advice'}: `{where}` {_cell(p.message)}")
    lines += ["", "## Attested by the content partner", ""]
    lines += [f"{n}. {item}" for n, item in enumerate(ATTESTED, start=1)]
    lines += [
        "",
        "## Declaration",
        "",
        "I declare that the answers above are true to the best of my knowledge, and that the course may be",
        "withdrawn from the catalogue if they are found not to be.",
        "",
        f"- Name: {BLANK}",
        f"- Designation: {BLANK}",
        f"- Organisation: {_cell(course.provider.name)}",
        f"- Date: {BLANK}",
        f"- Signature: {BLANK}",
        "",
    ]
    return "\n".join(lines)
