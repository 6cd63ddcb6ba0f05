"""What every interface catalog (the player's, the handout's) must be: complete, well-formed, in its script."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import polib
from babel.messages.pofile import read_po

from packager.i18n.catalog import plural_forms

LANGUAGES = ["as", "bn", "gu", "hi", "kn", "ml", "mr", "or", "pa", "ta", "te", "ur"]
SCRIPT = {  # the Unicode block each language's text is written in
    "hi": (0x0900, 0x097F), "mr": (0x0900, 0x097F), "bn": (0x0980, 0x09FF), "as": (0x0980, 0x09FF),
    "pa": (0x0A00, 0x0A7F), "gu": (0x0A80, 0x0AFF), "or": (0x0B00, 0x0B7F), "ta": (0x0B80, 0x0BFF),
    "te": (0x0C00, 0x0C7F), "kn": (0x0C80, 0x0CFF), "ml": (0x0D00, 0x0D7F), "ur": (0x0600, 0x06FF),
}  # fmt: skip
FIELD = re.compile(r"\{\w+\}")


def assert_complete(path: Path, lang: str, strings: Mapping[str, str | tuple[str, str]]) -> list[str]:
    """Assert the catalog at *path* translates every one of *strings* (context -> English, or its singular and
    plural), keeps every field, and has two plural forms as the build reads it; returns the translations."""
    with open(path, "rb") as fh:
        assert read_po(fh, abort_invalid=True).num_plurals == 2  # as the build reads it
    po = polib.pofile(str(path))
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"] == plural_forms(lang)
    assert {e.msgctxt for e in po} == set(strings)
    translations = []
    for entry in po:
        english = strings[entry.msgctxt]
        assert not entry.fuzzy and not entry.obsolete
        if isinstance(english, tuple):
            assert (entry.msgid, entry.msgid_plural) == english
            forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
            assert len(forms) == 2 and all(forms), entry.msgctxt
            want = english[1]  # every field of the English plural is kept (the count may be implied)
        else:
            assert entry.msgid == english and entry.msgstr, entry.msgctxt
            forms, want = [entry.msgstr], english
        for form in forms:
            assert set(FIELD.findall(form)) == set(FIELD.findall(want)), (lang, entry.msgctxt, form)
        translations += forms
    return translations
