"""Translation memory, glossary checks, source diffs and safe merging of uploaded catalogs."""

from __future__ import annotations

from pathlib import Path

import polib

from packager.i18n import glossary, memory, sourcediff, sync


def test_memory_exact_and_fuzzy_matches_best_first() -> None:
    tm = memory.Memory(
        [
            memory.Unit("a|1", "Open the iGOT portal.", "iGOT पोर्टल खोलें।", "c1"),
            memory.Unit("b|1", "Open the iGOT portal on your phone.", "फ़ोन पर iGOT पोर्टल खोलें।", "c2"),
            memory.Unit("c|1", "Completely different sentence here.", "कुछ और", "c2"),
        ]
    )
    found = tm.lookup("open the  iGOT portal.")
    assert [m.unit.key for m in found] == ["a|1", "b|1"]
    assert found[0].exact and found[0].score == 100.0
    assert 60 <= found[1].score < 100 and not found[1].exact
    assert tm.lookup("Open the iGOT portal.", exclude="a|1")[0].unit.key == "b|1"


def test_memory_replaces_and_forgets_by_key() -> None:
    tm = memory.Memory([memory.Unit("k", "Save your work.", "old")])
    tm.add(memory.Unit("k", "Save your work.", "new"))
    assert len(tm) == 1 and [m.unit.translation for m in tm.lookup("Save your work.")] == ["new"]
    tm.add(memory.Unit("k", "Save your work.", ""))
    assert len(tm) == 0 and tm.lookup("Save your work.") == []


def test_glossary_highlights_and_checks() -> None:
    terms = [glossary.Term("Karmayogi", dnt=True), glossary.Term("learning", "अधिगम"), glossary.Term("portal", "पोर्टल")]
    hits = glossary.find(terms, "Karmayogi learning on the portal")
    assert [(h.term.term, h.start, h.end) for h in hits] == [
        ("Karmayogi", 0, 9),
        ("learning", 10, 18),
        ("portal", 26, 32),
    ]
    assert glossary.check(terms, "Karmayogi learning", "कर्मयोगी अधिगम") == ["glossary: keep 'Karmayogi' untranslated"]
    assert glossary.check(terms, "the portal", "वेबसाइट") == ["glossary: translate 'portal' as 'पोर्टल'"]
    assert glossary.check(terms, "the portal", "पोर्टल") == []


def test_source_diff_is_word_level() -> None:
    assert sourcediff.spans("a b", "a c") == [("same", "a "), ("del", "b"), ("add", "c")]


def _po(*entries: tuple[str, str, str]) -> polib.POFile:
    po = polib.POFile()
    for ctxt, source, text in entries:
        po.append(polib.POEntry(msgctxt=ctxt, msgid=source, msgstr=text))
    return po


def test_states_and_review_flag() -> None:
    entry = polib.POEntry(msgctxt="x", msgid="Hello", msgstr="नमस्ते")
    assert sync.state(entry, "Hello") == "translated"
    sync.set_reviewed(entry)
    assert sync.state(entry, "Hello") == "reviewed"
    sync.set_translation(entry, "नमस्कार")
    assert sync.state(entry, "Hello") == "translated"  # a changed translation needs a new review
    sync.set_translation(entry, "नमस्कार", fuzzy=True)
    assert sync.state(entry, "Hello") == "fuzzy"
    entry.flags.append(sync.REVIEWED)  # reviewed before the source changed (kstudio i18n update keeps flags)
    sync.set_translation(entry, "नमस्कार")
    assert sync.state(entry, "Hello") == "translated"


def test_upload_merges_three_ways_and_shows_conflicts(tmp_path: Path) -> None:
    base = _po(("s|1", "One", "एक"), ("s|2", "Two", "दो"), ("s|3", "Three", ""))
    current = _po(("s|1", "One", "एक!"), ("s|2", "Two", "दो"), ("s|3", "Three", ""))  # s|1 edited in the browser
    upload = _po(("s|1", "One", "एक?"), ("s|2", "Two", "दो।"), ("s|3", "Three", "तीन"), ("s|9", "Gone", "x"))
    upload.metadata = {sync.REVISION_HEADER: "4"}
    path = tmp_path / "hi.po"
    upload.save(str(path))
    units, revision = sync.read_upload(path, "hi.po")
    assert revision == 4
    report = sync.merge_upload(current, base, units)
    assert report.updated == ["s|2", "s|3"]
    assert [(c.id, c.ours, c.theirs) for c in report.conflicts] == [("s|1", "एक!", "एक?")]
    assert current.find("One", msgctxt="s|1").msgstr == "एक!"  # not overwritten
    assert len(report.skipped) == 1 and "not in the course" in report.skipped[0]


def test_xliff_round_trip_keeps_revision(tmp_path: Path) -> None:
    po = _po(("s|1", "One", "एक"))
    path = tmp_path / "hi.xlf"
    path.write_bytes(sync.export_xliff(po, "en", "hi", "translations/hi.po", 7))
    units, revision = sync.read_upload(path, "hi.xlf")
    assert revision == 7 and units[0].target == "एक" and not units[0].fuzzy
