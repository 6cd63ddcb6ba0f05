"""The player's interface catalogs (locales/player): complete, well-formed, in the right script."""

from __future__ import annotations

import unicodedata

import polib
import pytest

from packager.strings import LOCALES, PLAYER_STRINGS, catalog_langs, format_number, player_strings
from tests.catalogs import FIELD, LANGUAGES, SCRIPT, assert_complete


def test_every_language_has_a_catalog():
    assert catalog_langs() == LANGUAGES


def test_template_lists_every_string():
    pot = polib.pofile(str(LOCALES / "player.pot"))
    assert {e.msgctxt: (e.msgid, e.msgid_plural or None) for e in pot} == {
        k: (v, None) if isinstance(v, str) else v for k, v in PLAYER_STRINGS.items()
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_valid_and_in_its_script(lang):
    letters = []
    for form in assert_complete(LOCALES / f"{lang}.po", lang, PLAYER_STRINGS):
        letters += [c for c in FIELD.sub("", form).replace("JavaScript", "") if unicodedata.category(c)[0] == "L"]
    low, high = SCRIPT[lang]
    outside = [c for c in letters if not low <= ord(c) <= high and not 0xFB50 <= ord(c) <= 0xFEFF]
    assert not outside, (lang, "".join(sorted(set(outside))))


def test_plural_forms_follow_each_languages_rule():
    ta, hi, ur = player_strings("ta"), player_strings("hi"), player_strings("ur")
    assert ta.text("points", 1) == "1 மதிப்பெண்" and ta.text("points", 2) == "2 மதிப்பெண்கள்"
    assert ur.text("progressText", done=1, total=1) == "1 میں سے 1 سبق"
    assert ur.text("progressText", done=3, total=10) == "10 میں سے 3 اسباق"
    assert hi._choose(0) == 0 and ur._choose(0) == 1  # CLDR: Hindi 0 is "one", Urdu 0 is "other"
    assert hi.text("quizScore", score=120000, max=250000, percent=48) == "स्कोर: 2,50,000 में से 1,20,000 अंक (48%)"


def test_numbers_use_indian_grouping_and_rtl_values_are_isolated():
    assert format_number(12345678, "hi") == "1,23,45,678"
    ur = player_strings("ur")
    assert ur.text("module", n=2, title="Serving citizens") == "ماڈیول 2: \u2068Serving citizens\u2069"
    assert player_strings("hi").text("module", n=2, title="x") == "मॉड्यूल 2: x"


@pytest.mark.parametrize("lang", [*LANGUAGES, "en", "fr-FR", "es", "de", "ar-EG", "zz"])
def test_whole_numbers_are_grouped_as_babel_groups_them(lang):
    from babel.numbers import format_decimal

    from packager.strings import _locale

    for value in (1000, 1234, 12345, 123456, 1234567, 12345678901, 10**20):
        locale = _locale(lang)
        expected = format_decimal(value, locale=locale, numbering_system="latn") if locale else f"{value:,}"
        assert format_number(value, lang) == expected


def test_locale_facts_are_babels_and_kept_in_the_cache(monkeypatch):
    from packager import strings
    from packager.cache import cache_dir

    strings.locale_facts.cache_clear()
    made = strings.locale_facts("ur")
    assert made == {"rtl": True, "numbers": strings._babel_numbers("ur"), "dates": strings._babel_dates("ur")}
    assert (cache_dir() / "locales" / "ur.json").is_file()
    strings.locale_facts.cache_clear()
    monkeypatch.setattr(strings, "_babel_dates", lambda lang: pytest.fail("read Babel's data again"))
    assert strings.locale_facts("ur") == made
    assert strings.date_format("ur") == made["dates"] and strings.is_rtl("ur")
    strings.locale_facts.cache_clear()
