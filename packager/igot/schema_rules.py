"""What iGOT's question and question-set schemas require, as a table the build checks every object
against before writing it (the schemas carry no licence, so they are not shipped; the tests hold the two
to each other with ``jsonschema`` where ``../shared/standards/igot`` is present)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QUESTION_MIME = "application/vnd.sunbird.question"
SET_MIME = "application/vnd.sunbird.questionset"


@dataclass(frozen=True)
class Field:
    """What a schema says about one field: its JSON type(s), and the words an enum allows."""

    types: tuple[type, ...]
    enum: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    """For an array of enum strings: the strings allowed."""
    min_length: int = 0
    strings: bool = False
    """An array of strings."""


_S, _N, _B, _O = Field((str,)), Field((int, float)), Field((bool,)), Field((dict,))
YES_NO = Field((str,), ("Yes", "No"))
LANGUAGES = (
    "English", "Hindi", "Assamese", "Bengali", "Gujarati", "Kannada", "Malayalam", "Marathi", "Nepali", "Odia",
    "Punjabi", "Tamil", "Telugu", "Urdu", "Sanskrit", "Maithili", "Other",
)  # fmt: skip
"""The language names both schemas accept; any other language is written "Other"."""
_COMMON = {
    "name": Field((str,), min_length=5),
    "code": _S,
    "description": _S,
    "primaryCategory": _S,
    "language": Field((list,), items=LANGUAGES),
    "license": _S,
    "maxScore": _N,
    "qumlVersion": _N,
    "showFeedback": YES_NO,
    "showSolutions": YES_NO,
    "showTimer": YES_NO,
    "scoringMode": Field((str,), ("system", "none")),
    "feedback": _O,
    "instructions": _O,
}
QUESTION_FIELDS = _COMMON | {
    "mimeType": Field((str,), (QUESTION_MIME,)),
    "qType": Field((str,), ("MCQ", "FTB", "SA", "MCQ-MCA", "MCQ-SCA", "MTF")),
    "body": _S,
    "editorState": _O,
    "answer": _S,
    "solutions": Field((list,), strings=True),
    "responseDeclaration": _O,
    "interactions": _O,
    "interactionTypes": Field((list,), items=("choice", "text", "select", "date", "file-upload", "canvas")),
    "templateId": _S,
    "choices": _O,
    "rhsChoices": Field((list,), strings=True),
}
"""Every field of iGOT's question schema that we write, as it defines it (``additionalProperties: false``:
a field not listed here is refused)."""
SET_FIELDS = _COMMON | {
    "mimeType": Field((str,), (SET_MIME,)),
    "shuffle": _B,
    "totalQuestions": _N,
    "maxQuestions": _N,
    "maxAttempts": _N,
    "maxAssessmentRetakeAttempts": _N,
    "minimumPassPercentage": _N,
    "expectedDuration": _N,
    "timeLimits": _O,
    "navigationMode": Field((str,), ("linear", "non-linear")),
    "allowSkip": YES_NO,
    "requiresSubmit": YES_NO,
    "summaryType": Field((str,), ("Complete", "Score", "Duration", "Score & Duration")),
    "scoreCutoffType": Field((str,), ("AssessmentLevel", "SectionLevel")),
    "compatibilityLevel": _N,
    "setType": Field((str,), ("materialised", "dynamic")),
}
REQUIRED = ("name", "code", "mimeType", "primaryCategory")


def violations(obj: dict[str, Any], fields: dict[str, Field]) -> list[str]:
    """What iGOT's schema (as *fields* states it) refuses in *obj*: missing required fields, unknown
    fields, wrong types, words outside an enum, a name under five characters.

    >>> violations({"name": "Quiz", "code": "q", "mimeType": SET_MIME, "shuffle": "yes"}, SET_FIELDS)
    ["'primaryCategory' is required", "'name' is shorter than 5 characters", "'shuffle' must be bool"]
    """
    found = [f"'{key}' is required" for key in REQUIRED if key not in obj]
    for key, value in obj.items():
        rule = fields.get(key)
        if rule is None:
            found.append(f"'{key}' is not a field of the schema")
        elif not isinstance(value, rule.types) or (isinstance(value, bool) and bool not in rule.types):
            found.append(f"'{key}' must be {' or '.join(t.__name__ for t in rule.types)}")
        elif rule.enum and value not in rule.enum:
            found.append(f"'{key}' must be one of {', '.join(rule.enum)}, not '{value}'")
        elif isinstance(value, str) and len(value) < rule.min_length:
            found.append(f"'{key}' is shorter than {rule.min_length} characters")
        elif isinstance(value, list) and rule.items and any(v not in rule.items for v in value):
            found.append(f"'{key}' may hold only {', '.join(rule.items)}")
        elif isinstance(value, list) and rule.strings and not all(isinstance(v, str) for v in value):
            found.append(f"'{key}' must be a list of strings")
    return found
