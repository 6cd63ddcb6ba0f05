"""The translator's workspace: progress, segment saves as revisions, review by a second person, memory,
glossary checks, comments, download and safe upload, the translated player with its webfonts."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from sqlalchemy import select

from packager.i18n import sync
from studio.authoring import library
from studio.db import session_for
from studio.models import Organisation
from tests.studio.conftest import LESSON

SAMPLE = Path(__file__).resolve().parents[2] / "sample_courses" / "karmayogi-prarambh"
WS = "/o/inst/c/karmayogi-prarambh/translate/hi/"
API = "/api/o/inst/c/karmayogi-prarambh/translate/hi"


@pytest.fixture
def sample(app):
    session = session_for(app)
    with app.test_request_context():
        org = session.scalar(select(Organisation).where(Organisation.slug == "inst"))
        library.adopt(session, org, SAMPLE)
    session.close()
    return Path(app.config["COURSES_ROOT"]) / "inst" / "karmayogi-prarambh"


def rows(page: str) -> list[dict]:
    import json

    return json.loads(re.search(r'<script type="application/json" id="tr-data">(.*?)</script>', page, re.S)[1])["rows"]


def test_translators_see_progress_and_edit_translations_not_source(sample, person):
    translator = person("translator@inst.example")
    home = translator.get("/o/inst/translate/").get_data(as_text=True)
    assert "karmayogi-prarambh/translate/hi/" in home and "karmayogi-prarambh/translate/ur/" in home
    assert translator.get(f"/o/inst/c/c1/edit/{LESSON}").status_code == 403
    assert translator.api("/api/o/inst/c/c1/save", {"path": LESSON, "text": "x", "base": 1}).status_code == 403
    assert translator.get("/o/inst/c/karmayogi-prarambh/translate/fr/").status_code == 404


def test_a_saved_segment_is_a_revision_and_a_second_person_reviews_it(sample, person):
    translator, reviewer = person("translator@inst.example"), person("reviewer@inst.example")
    row = rows(translator.get(WS).get_data(as_text=True))[0]
    assert row["state"] == "translated"
    saved = translator.api(API + "/save", {"id": row["id"], "text": "नया शीर्षक", "expected": row["translation"]})
    assert saved.status_code == 200 and saved.get_json()["state"] == "translated"
    po = polib.pofile(str(sample / "translations/hi.po"))
    assert po.find(row["source"], msgctxt=row["id"]).msgstr == "नया शीर्षक"
    history = translator.get("/o/inst/c/karmayogi-prarambh/history/translations/hi.po").get_data(as_text=True)
    assert "translator@inst.example" in history and f"hi: translated {row['id']}" in history
    # a stale browser tab does not overwrite it
    stale = reviewer.api(API + "/save", {"id": row["id"], "text": "पुराना", "expected": row["translation"]})
    assert stale.status_code == 409 and stale.get_json()["theirs"] == "नया शीर्षक"
    assert translator.api(API + "/review", {"id": row["id"]}).status_code == 403  # not a reviewer
    assert reviewer.api(API + "/review", {"id": row["id"]}).get_json()["state"] == "reviewed"
    assert (
        sync.REVIEWED in polib.pofile(str(sample / "translations/hi.po")).find(row["source"], msgctxt=row["id"]).flags
    )
    # the reviewer's own change needs someone else's review
    reviewer.api(API + "/save", {"id": row["id"], "text": "नया शीर्षक २", "expected": "नया शीर्षक"})
    assert reviewer.api(API + "/review", {"id": row["id"]}).status_code == 409


def test_memory_glossary_qa_and_comments(sample, person, author):
    translator = person("translator@inst.example")
    rows_ = rows(translator.get(WS).get_data(as_text=True))
    linked = next(r for r in rows_ if "]({1})" in r["source"])
    broken = linked["translation"].replace("]({1})", "](https://elsewhere)")
    problems = translator.api(API + "/qa", {"id": linked["id"], "text": broken}).get_json()["problems"]
    assert any("placeholder {1} is missing" in p["message"] for p in problems)
    word = linked["source"].split()[0].strip("*[]")
    translator.post("/o/inst/glossary/hi", {"term": word, "translation": "ज़रूरी-शब्द"})
    problems = translator.api(API + "/qa", {"id": linked["id"], "text": linked["translation"]}).get_json()["problems"]
    assert f"glossary: translate '{word}' as 'ज़रूरी-शब्द'" in [p["message"] for p in problems]
    again = rows(translator.get(WS).get_data(as_text=True))
    assert next(r for r in again if r["id"] == linked["id"])["terms"][0]["term"].casefold() == word.casefold()
    found = translator.get(API + "/memory?id=" + linked["id"]).get_json()["matches"]
    assert all(m["score"] < 100 or m["source"] == linked["source"] for m in found)
    translator.api(API + "/comment", {"id": linked["id"], "body": "Is this the portal's official name?"})
    questions = author.get("/o/inst/c/karmayogi-prarambh/questions").get_data(as_text=True)
    assert "Is this the portal&#39;s official name?" in questions
    assert f"{linked['file']}:{linked['line']}" in questions


def test_memory_offers_other_courses_translations(app, sample, person):
    translator = person("translator@inst.example")
    rows_ = rows(translator.get(WS).get_data(as_text=True))  # its catalog was indexed as it entered the studio
    session = session_for(app)
    with app.test_request_context():
        org = session.scalar(select(Organisation).where(Organisation.slug == "inst"))
        copy = Path(app.config["DATA_DIR"]) / "copy" / "second-course"
        import shutil

        shutil.copytree(sample, copy)
        (copy / "translations/hi.po").unlink()
        library.adopt(session, org, copy)
    session.close()
    target = rows_[3]
    got = translator.get("/api/o/inst/c/second-course/translate/hi/memory?id=" + target["id"]).get_json()["matches"]
    assert got[0]["score"] == 100.0 and got[0]["translation"] == target["translation"]
    assert got[0]["course"] == "Karmayogi Prarambh: First Steps in Public Service"


def test_memory_sees_rows_another_process_deleted(app, sample):
    from sqlalchemy import delete

    from studio.models import TmUnit
    from studio.translation import translate_store

    session = session_for(app)  # the sample's catalog was indexed as it entered the studio
    org = session.scalar(select(Organisation).where(Organisation.slug == "inst"))
    with app.app_context():  # the memory is the app's
        assert len(translate_store.memory_for(session, org.id, "hi")) > 0
        other = session_for(app)  # as another worker would: straight to the table, no word to this process
        other.execute(delete(TmUnit).where(TmUnit.organisation_id == org.id, TmUnit.lang == "hi"))
        other.commit()
        other.close()
        assert len(translate_store.memory_for(session, org.id, "hi")) == 0
    session.close()


def test_a_catalog_edited_on_disk_shows_in_the_next_response(sample, person):
    translator = person("translator@inst.example")
    row = rows(translator.get(WS).get_data(as_text=True))[0]
    po = polib.pofile(str(sample / "translations/hi.po"))  # as another process or an editor would
    po.find(row["source"], msgctxt=row["id"]).msgstr = "डिस्क पर बदला"
    po.save()
    again = {r["id"]: r for r in rows(translator.get(WS).get_data(as_text=True))}
    assert again[row["id"]]["translation"] == "डिस्क पर बदला"


def catalog_notes(app) -> list[str]:
    """The notes of the Hindi catalog's revisions, newest first, as recorded."""
    from studio.authoring import revisions
    from studio.models import CourseRecord

    session = session_for(app)
    try:
        course = session.scalar(select(CourseRecord).where(CourseRecord.slug == "karmayogi-prarambh"))
        return [r.note for r in revisions.history(session, course, "translations/hi.po")]
    finally:
        session.close()


def test_a_catalog_edited_on_disk_joins_its_history_at_the_next_save(app, sample, person):
    translator = person("translator@inst.example")
    first, second = rows(translator.get(WS).get_data(as_text=True))[:2]
    po = polib.pofile(str(sample / "translations/hi.po"))  # as a text editor or `kstudio translate` would
    po.find(first["source"], msgctxt=first["id"]).msgstr = "डिस्क पर बदला"
    po.save()
    left = catalog_notes(app)
    assert left == ["as found in the course folder"]
    assert again_shown(translator, first["id"]) == "डिस्क पर बदला"
    assert "डिस्क पर बदला" in translator.get(WS + "download.po").get_data(as_text=True)
    history = translator.get("/o/inst/c/karmayogi-prarambh/history/translations/hi.po").get_data(as_text=True)
    assert "changed outside the studio" in history
    assert catalog_notes(app) == left  # the reads recorded nothing
    saved = translator.api(API + "/save", {"id": second["id"], "text": "दूसरा", "expected": second["translation"]})
    assert saved.status_code == 200
    notes = catalog_notes(app)
    assert notes[0] == f"hi: translated {second['id']}" and notes[-2:] == ["changed outside the studio", left[0]]
    po = polib.pofile(str(sample / "translations/hi.po"))
    assert po.find(first["source"], msgctxt=first["id"]).msgstr == "डिस्क पर बदला"
    assert po.find(second["source"], msgctxt=second["id"]).msgstr == "दूसरा"


def again_shown(who, segment_id: str) -> str:
    return {r["id"]: r for r in rows(who.get(WS).get_data(as_text=True))}[segment_id]["translation"]


def test_upload_merges_and_shows_conflicts(sample, person, tmp_path):
    translator = person("translator@inst.example")
    rows_ = rows(translator.get(WS).get_data(as_text=True))
    xlf = translator.get(WS + "download.xlf").get_data()
    assert b'build-num="' in xlf
    a, b = rows_[1], rows_[2]
    # meanwhile in the browser: segment a changes
    translator.api(API + "/save", {"id": a["id"], "text": "ब्राउज़र में", "expected": a["translation"]})
    edited = xlf.decode().replace(f">{a['translation']}</target>", ">फ़ाइल में</target>", 1)
    edited = edited.replace(f">{b['translation']}</target>", ">बाहर बदला</target>", 1)
    import io

    page = translator.post(
        WS + "upload", {"file": (io.BytesIO(edited.encode()), "hi.xlf")}, content_type="multipart/form-data"
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 segments updated" in text and "1 conflicts" in text and "फ़ाइल में" in text
    po = polib.pofile(str(sample / "translations/hi.po"))
    assert po.find(a["source"], msgctxt=a["id"]).msgstr == "ब्राउज़र में"
    assert po.find(b["source"], msgctxt=b["id"]).msgstr == "बाहर बदला"
    # the translator takes the file's text after all
    translator.post(WS + "take", {"id": a["id"], "text": "फ़ाइल में", "expected": "ब्राउज़र में"})
    po = polib.pofile(str(sample / "translations/hi.po"))
    assert po.find(a["source"], msgctxt=a["id"]).msgstr == "फ़ाइल में"
    bad = translator.post(WS + "upload", {"file": (io.BytesIO(b"<xliff"), "x.xlf")}, content_type="multipart/form-data")
    assert bad.status_code == 302
    assert "The file was not merged" in translator.get(WS).get_data(as_text=True)


def test_translated_player_serves_its_webfonts(sample, person):
    translator = person("translator@inst.example")
    player = "/o/inst/c/karmayogi-prarambh/translate/ur/player/"
    index = translator.content(player).get_data(as_text=True)
    assert 'lang="ur"' in index and 'dir="rtl"' in index and "assets/fonts.css" in index
    css = translator.content(player, "assets/fonts.css")
    assert css.status_code == 200
    font = re.search(r"url\(['\"]?([^'\")]+)", css.get_data(as_text=True))[1]
    got = translator.content(player, "assets/" + font.removeprefix("./").removeprefix("assets/"))
    assert got.status_code == 200 and got.mimetype == "font/woff2" and got.data[:4] == b"wOF2"


def test_a_broken_catalog_is_reported_with_its_line(sample, person):
    (sample / "translations/hi.po").write_text('msgid "a"\nmsgstr "b\n', "utf-8")
    translator = person("translator@inst.example")
    page = translator.get(WS)
    assert page.status_code == 409 and "translations/hi.po:2" in page.get_data(as_text=True)
    assert translator.api(API + "/save", {"id": "x", "text": "y", "expected": ""}).status_code == 409


def test_two_apps_in_one_process_keep_their_own_caches(app, sample, tmp_path):
    from packager import load_course
    from studio.translation import caches, translate_store
    from tests.studio.conftest import make_app

    other = make_app(tmp_path / "other")
    assert caches.of_app(app) is not caches.of_app(other)
    with app.app_context():
        translate_store.course_segments(load_course(sample))
    assert list(caches.of_app(app).segments) == [str(sample)] and caches.of_app(other).segments == {}
    assert caches.of_app(app.wsgi_app.content) is caches.of_app(app)  # the content origin's app: the studio's


def _course_and_translator(session):
    from studio.models import CourseRecord, User

    course = session.scalar(select(CourseRecord).where(CourseRecord.slug == "karmayogi-prarambh"))
    return course, session.scalar(select(User).where(User.email == "translator@inst.example"))


def test_the_store_keeps_the_glossary_and_the_questions(app, sample):
    from studio.models import CourseRecord
    from studio.translation import translate_store as store

    session = session_for(app)
    try:
        with app.app_context():
            org = session.scalar(select(Organisation).where(Organisation.slug == "inst"))
            course, translator = _course_and_translator(session)
            store.set_term(session, org.id, "hi", "portal", "पोर्टल", "", False)
            store.set_term(session, org.id, "hi", "portal", "वेबसाइट", "web", True)  # the same term replaces it
            [term] = store.glossary_rows(session, org.id, "hi")
            assert (term.term, term.translation, term.note, term.dnt) == ("portal", "वेबसाइट", "web", True)
            store.delete_term(session, org.id + 1, term.id)  # not that organisation's term: kept
            assert len(store.glossary_rows(session, org.id, "hi")) == 1
            store.delete_term(session, org.id, term.id)
            assert store.glossary_rows(session, org.id, "hi") == []

            segment = store.course_segments(library.load(course))[0]
            store.add_comment(session, course, "hi", segment.id, translator.id, "Which sense of this word?")
            [comment] = store.open_comments(session, course, "hi")
            assert (comment.segment_id, comment.body) == (segment.id, "Which sense of this word?")
            other = session.scalar(select(CourseRecord).where(CourseRecord.slug == "c1"))
            assert not store.resolve_comment(session, other, comment.id)  # another course's question: untouched
            assert store.resolve_comment(session, course, comment.id) and store.open_comments(session, course) == []
    finally:
        session.close()


def test_the_store_counts_progress_in_the_translators_languages(app, sample):
    from studio.translation import translate_store as store

    session = session_for(app)
    try:
        with app.app_context():
            org = session.scalar(select(Organisation).where(Organisation.slug == "inst"))
            [(course, model, progress)] = store.courses_progress(session, org, ["hi"])
            assert course.slug == "karmayogi-prarambh" and list(progress) == ["hi"]
            assert progress["hi"]["total"] == len(store.course_segments(model)) > 0
            [(_, _, every)] = store.courses_progress(session, org, [])
            assert sorted(every) == sorted(model.translations) and every["hi"] == progress["hi"]
            assert store.courses_progress(session, org, ["fr"]) == []
    finally:
        session.close()


def test_an_unreadable_upload_is_refused_by_its_name_and_saves_nothing(app, sample):
    from studio.translation import translate_store as store

    before = catalog_notes(app)
    session = session_for(app)
    try:
        with app.app_context():
            course, translator = _course_and_translator(session)
            model = library.load(course)
            with pytest.raises(store.UploadUnreadable, match=r"^mine\.po:2"):
                store.merge_upload(session, course, model, "hi", "mine.po", b'msgid "a"\nmsgstr "b\n', translator.id)
    finally:
        session.close()
    assert catalog_notes(app) == before
    kept = (sample / "translations/hi.po").read_bytes()
    assert kept == (SAMPLE / "translations/hi.po").read_bytes()
