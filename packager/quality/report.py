"""What the quality pre-check returns: one :class:`Criterion` per measured part of the scorecard."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Problem


@dataclass(frozen=True)
class Criterion:
    key: str
    """Short name used in reports and tests (``captions``, ``personal-data``)."""
    title: str
    reference: str
    """The standard it measures: ``WCAG 2.1 SC 1.2.2 (A), GIGW 3.0``."""
    score: int | None
    """Percent of the items measured that meet it; None when the course has nothing to measure."""
    measured: str
    """What was found, in a sentence a partner can copy into the self-certification."""
    problems: tuple[Problem, ...] = ()
    """The items to fix (errors) and advice (warnings), with file and line."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        """``meets``, ``advice`` (only warnings) or ``fix`` (errors)."""
        if self.errors:
            return "fix"
        return "advice" if self.problems else "meets"

    def score_text(self) -> str:
        return "n/a" if self.score is None else f"{self.score}%"


@dataclass
class QualityReport:
    course: str
    """``<id> <version>``."""
    langs: list[str]
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.criteria)

    @property
    def problems(self) -> list[Problem]:
        return [p for c in self.criteria for p in c.problems]

    def get(self, key: str) -> Criterion:
        return next(c for c in self.criteria if c.key == key)

    def lines(self, prefix: str = "", limit: int | None = None) -> list[str]:
        """Each criterion as ``score key: measured`` and its items as ``FILE:LINE: severity: message``
        (at most *limit* items per criterion, then how many more)."""
        out = []
        for c in self.criteria:
            out.append(f"{c.score_text():>4}  {c.key}: {c.measured}")
            shown = c.problems if limit is None else c.problems[:limit]
            out += [f"      {p.format(prefix)}" for p in shown]
            if len(shown) < len(c.problems):
                out.append(f"      … and {len(c.problems) - len(shown)} more")
        return out


def percent(good: int, total: int) -> int | None:
    """Whole percent, rounded down so that 99.6% never shows as a perfect 100%.

    >>> percent(2, 3), percent(0, 0), percent(995, 1000)
    (66, None, 99)
    """
    return None if total == 0 else good * 100 // total
