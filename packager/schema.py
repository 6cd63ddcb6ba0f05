"""The schema of ``course.yml`` and of lesson front matter, and its errors as located problems."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import Problem, did_you_mean, error
from .igot.programme import CATEGORIES, DATE_PATTERN, category_problem, framework_path_problem
from .patterns import (
    ID_PATTERN,
    IRI_PATTERN,
    LANG_PATTERN,
    LESSON_ID_PATTERN,
    LICENSE_PATTERN,
    PERCENT_PATTERN,
    PROVIDER_ID_PATTERN,
    SEMVER_PATTERN,
)
from .yamlsrc import YamlDoc

Text = Annotated[str, Field(min_length=1, max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True, defer_build=True)


class CompetencySpec(_Strict):
    area: Literal["Behavioural", "Functional", "Domain"]
    theme: Text
    subtheme: Text | None = None
    level: Annotated[int, Field(ge=1, le=5)] | None = None


class ProviderSpec(_Strict):
    id: Annotated[str, Field(pattern=PROVIDER_ID_PATTERN)]
    name: Text


class CompletionSpec(_Strict):
    lessons: str = "all"
    pass_score: Annotated[int, Field(ge=0, le=100)] | None = None

    @field_validator("lessons")
    @classmethod
    def _lessons(cls, value: str) -> str:
        if value != "all" and not re.fullmatch(PERCENT_PATTERN, value):
            raise ValueError("must be 'all' or a percentage such as 80%")
        return value


class IgotSpec(_Strict):
    assessment: Literal["practice", "course", "competency", "standalone"] | None = None


class ModuleSpec(_Strict):
    title: Text
    lessons: Annotated[list[Text], Field(min_length=1)]


class ProgrammeCourseSpec(_Strict):
    path: Text | None = None
    id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    title: Annotated[str, Field(min_length=5, max_length=200)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ProgrammeCourseSpec:
        if (self.path is None) == (self.id is None):
            raise ValueError("give either path (a course folder) or id (the do_ identifier of a course on iGOT)")
        return self


class SessionSpec(_Strict):
    title: Annotated[str, Field(min_length=5, max_length=200)]  # iGOT's names have at least 5 characters
    date: Annotated[str, Field(pattern=DATE_PATTERN)]
    place: Text
    facilitator: Text
    minutes: Annotated[int, Field(gt=0, le=1440)] | None = None

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a date of the calendar") from None
        return value


class CourseSpec(_Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    version: Annotated[str, Field(pattern=SEMVER_PATTERN)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    summary: Text
    language: Annotated[str, Field(pattern=LANG_PATTERN)]
    translations: list[Annotated[str, Field(pattern=LANG_PATTERN)]] = []
    provider: ProviderSpec
    authors: list[Text] = []
    license: Annotated[str, Field(pattern=LICENSE_PATTERN)] | None = None
    level: Literal["beginner", "intermediate", "advanced"] | None = None
    audience: list[Text] = []
    competencies: list[CompetencySpec] = []
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    thumbnail: Text | None = None
    activity_iri: Annotated[str, Field(pattern=IRI_PATTERN)] | None = None
    completion: CompletionSpec = CompletionSpec()
    igot: IgotSpec = IgotSpec()
    category: str = CATEGORIES[0]
    competency_framework: Text | None = None
    courses: list[ProgrammeCourseSpec] = []
    sessions: list[SessionSpec] = []
    modules: list[ModuleSpec] = []  # only a programme may have none (load.py says so, at the right line)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        problem = category_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("competency_framework")
    @classmethod
    def _framework(cls, value: str | None) -> str | None:
        problem = framework_path_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value


class FrontMatterSpec(_Strict):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    id: Annotated[str, Field(pattern=LESSON_ID_PATTERN, max_length=128)] | None = None
    minutes: Annotated[float, Field(gt=0, le=600)] | None = None
    objectives: list[Text] = []
    competencies: list[CompetencySpec] = []


_FRIENDLY_PATTERNS = {
    ID_PATTERN: "lower-case letters, digits and '-', 3 to 64 characters, starting with a letter or digit",
    SEMVER_PATTERN: "a semantic version such as 1.0.0",
    LANG_PATTERN: "a BCP 47 language code such as en, hi or pt-BR",
    LESSON_ID_PATTERN: "letters, digits, '.', '_', '-' and '/'",
    DATE_PATTERN: "a date such as 2026-01-15, or a date and time such as 2026-01-15T10:00",
}


class FrameworkSubthemeSpec(_Strict):
    name: Text
    id: Annotated[str, Field(min_length=1, max_length=200)]
    ref: Annotated[str, Field(min_length=1, max_length=200)]


class FrameworkThemeSpec(FrameworkSubthemeSpec):
    subthemes: list[FrameworkSubthemeSpec] = []


class FrameworkAreaSpec(_Strict):
    name: Literal["Behavioural", "Functional", "Domain"]
    id: Annotated[str, Field(min_length=1, max_length=200)]
    ref: Annotated[str, Field(min_length=1, max_length=200)]
    themes: list[FrameworkThemeSpec] = []


class FrameworkSpec(_Strict):
    """A competency framework file (``competencies.yml``): iGOT's areas, themes and subthemes with ids."""

    framework: Text | None = None
    areas: Annotated[list[FrameworkAreaSpec], Field(min_length=1)]


def validate(model: type[_Strict], doc: YamlDoc, file: str) -> tuple[Any, list[Problem]]:
    """Validate *doc* against *model*; return the model (or None) and one problem per mistake.

    Never raises on bad input: any shape of value (lists for mappings, numbers, nulls, huge numbers,
    keys with brackets or dots) comes back as a problem at the line of the key that holds it.
    """
    if not isinstance(doc.value, dict):
        return None, [error(file, doc.line_of(()) or 1, "expected a mapping of keys to values")]
    try:
        return model.model_validate(doc.value), []
    except ValidationError as exc:
        return None, [_problem(model, err, doc, file) for err in exc.errors()]


def _problem(model: type[_Strict], err: Any, doc: YamlDoc, file: str) -> Problem:
    loc = _document_path(tuple(err["loc"]), doc.value)
    where = ".".join(str(p) for p in loc) or "document"
    line = doc.line_of(loc) or 1
    kind = err["type"]
    if kind == "extra_forbidden" and loc:
        parent = _model_at(model, loc[:-1])
        known = parent.model_fields if parent else {}
        hint = did_you_mean(str(loc[-1]), known)
        return error(file, line, f"unknown key '{where}'{hint}")
    if kind == "missing" and loc:
        return error(file, doc.line_of(loc[:-1]) or 1, f"missing required key '{where}'")
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        wanted = _FRIENDLY_PATTERNS.get(pattern, f"the pattern {pattern}")
        return error(file, line, f"'{where}' must be {wanted}")
    if kind == "literal_error":
        return error(file, line, f"'{where}' must be {err.get('ctx', {}).get('expected', 'one of the listed words')}")
    if kind == "too_short":
        return error(file, line, f"'{where}' must not be empty")
    message = str(err.get("msg") or "invalid value").removeprefix("Value error, ")
    return error(file, line, f"'{where}': {message[:1].lower()}{message[1:]}")


def _document_path(loc: tuple[Any, ...], value: Any) -> tuple[str | int, ...]:
    """Pydantic's error location as a path in the document: the keys and indexes the author wrote.

    Pydantic can insert names of its own (a union member such as ``constrained-str``); those are
    dropped unless they are the last part (a missing or unknown key). A key the author wrote is kept
    whatever it contains, brackets and dots included (``links[0]`` is one key).
    """
    path: list[str | int] = []
    for n, part in enumerate(loc):
        in_dict = isinstance(value, dict) and part in value
        in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if in_dict or in_list:
            value = value[part]
        elif n < len(loc) - 1:
            continue
        if isinstance(part, (str, int)):
            path.append(part)
    return tuple(path)


def _model_at(model: type[_Strict], loc: tuple[Any, ...]) -> type[_Strict] | None:
    """The nested model class at *loc* (skipping list indexes), to list its known keys."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        current = _inner_model(field.annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, _Strict) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, _Strict):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
