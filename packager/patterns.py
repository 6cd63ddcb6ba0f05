"""The format's patterns for ids, versions, language codes and the other strings it constrains.

Apart from ``schema.py`` so code that checks one string (a lesson id, a ``--lang``) does not import
pydantic, which costs a build after a one-lesson edit more than the rest of its imports.
"""

from __future__ import annotations

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,63}$"
LESSON_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$"
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
PROVIDER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
LICENSE_PATTERN = r"^[A-Za-z0-9.+()\- ]{1,64}$"
IRI_PATTERN = r"^https?://[^\s]+$"
PERCENT_PATTERN = r"(100|[1-9]?\d)%"
