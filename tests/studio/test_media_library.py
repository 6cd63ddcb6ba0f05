"""The media library page (issue 15): every file of media/ with where it is used, reuse of an identical
upload, replace keeping the name (old bytes restorable), delete only when unused, roles, GET never writes."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from studio.db import session_for
from studio.models import Job
from tests.test_svg_security import png

PAGE = "/o/inst/c/c1/media/"
DIAGRAM = "media/diagram.svg"  # the starter's, shown by lessons/01-welcome.md line 9


def folder(app) -> Path:
    return Path(app.config["COURSES_ROOT"]) / "inst" / "c1"


def send(who, action: str, data: dict, name: str = "", body: bytes = b""):
    form = {"csrf_token": who.token, **data}
    if name:
        form["file"] = (io.BytesIO(body), name)
    return who.client.post(f"{PAGE}{action}", data=form, content_type="multipart/form-data", follow_redirects=True)


def media_jobs(app) -> list[str]:
    session = session_for(app)
    try:  # closed: an open session would hold PostgreSQL's tables against the next test's cleanup
        return [job.params["path"] for job in session.scalars(select(Job).where(Job.kind == "media"))]
    finally:
        session.close()


def test_the_page_lists_each_file_with_its_use_alt_text_and_snippet(author):
    page = author.get(PAGE).get_data(as_text=True)
    assert "<code>media/diagram.svg</code>" in page
    assert "lessons/01-welcome.md:9" in page  # where: from the loaded course, at its line
    assert "“A simple diagram: learn, practise, reflect”" in page  # the alt text given there
    assert 'value="![A simple diagram: learn, practise, reflect](media/diagram.svg)"' in page
    assert "In use: not deletable" in page


def test_a_video_without_captions_is_warned_about_and_its_renditions_shown(app, author, tiny_media):
    send(author, "upload", {}, "Talk.mp4", tiny_media["mp4"])
    lesson = folder(app) / "lessons/01-welcome.md"
    lesson.write_text(lesson.read_text("utf-8") + "\n![The talk](media/talk.mp4)\n", "utf-8")
    page = author.get(PAGE).get_data(as_text=True)
    assert "The video media/talk.mp4 has no captions" in page
    assert "talk.mp4.main.mp4</code> not made yet" in page  # no worker ran: the cache has none
    vtt = folder(app) / "media/talk.en.vtt"  # found by its name (docs/format.md)
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n", "utf-8")
    page = author.get(PAGE).get_data(as_text=True)
    assert "has no captions" not in page
    assert '<span lang="en">en</span> <code>media/talk.en.vtt</code>' in page


def test_an_identical_upload_reuses_the_file_instead_of_a_copy(app, author):
    first = send(author, "upload", {}, "Chart.png", png())
    assert "Uploaded media/chart.png." in first.get_data(as_text=True)
    again = send(author, "upload", {}, "other-name.png", png()).get_data(as_text=True)
    assert "The same file is in the course already as media/chart.png: use that one." in again
    assert sorted(p.name for p in (folder(app) / "media").iterdir()) == ["chart.png", "diagram.svg"]
    assert media_jobs(app) == ["media/chart.png"]  # one job: the reuse made none
    different = send(author, "upload", {}, "Chart.png", png(9, 6)).get_data(as_text=True)
    assert "Uploaded media/chart-2.png." in different  # same name, other bytes: a new file


def test_replace_keeps_the_name_and_the_old_bytes_restorable(app, author):
    old = (folder(app) / DIAGRAM).read_bytes()
    new = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'
    page = send(author, "replace", {"path": DIAGRAM}, "anything.svg", new).get_data(as_text=True)
    assert "Replaced media/diagram.svg" in page
    assert (folder(app) / DIAGRAM).read_bytes() == new  # the lesson's link is unchanged and shows it
    assert media_jobs(app) == [DIAGRAM]  # its renditions are made again
    version = page.split('id="restore-1" name="version"><option>')[1].split("<")[0]
    restored = send(author, "restore", {"path": DIAGRAM, "version": version}).get_data(as_text=True)
    assert "Restored media/diagram.svg as it was." in restored
    assert (folder(app) / DIAGRAM).read_bytes() == old


def test_replace_refuses_other_content_and_paths_outside_media(app, author):
    page = send(author, "replace", {"path": DIAGRAM}, "x.svg", png()).get_data(as_text=True)
    assert "The file was not replaced: the new &#39;diagram.svg&#39; is not an SVG image (it is a PNG)" in page
    for path in ("course.yml", "../c1/media/diagram.svg", "media/none.png"):
        page = send(author, "replace", {"path": path}, "x.png", png()).get_data(as_text=True)
        assert "The file was not replaced" in page
    for path in ("course.yml", "../../other/c1/media/diagram.svg"):
        page = send(author, "restore", {"path": path, "version": "x.svg"}).get_data(as_text=True)
        assert "Nothing was restored" in page
    assert (folder(app) / "course.yml").read_text("utf-8").startswith("# A starter course")


def test_delete_is_refused_while_used_and_restorable_after(app, author):
    page = send(author, "delete", {"path": DIAGRAM}).get_data(as_text=True)
    assert "The file was not deleted: &#39;media/diagram.svg&#39; is used by lessons/01-welcome.md line 9" in page
    assert (folder(app) / DIAGRAM).is_file()
    send(author, "upload", {}, "spare.png", png())
    page = send(author, "delete", {"path": "media/spare.png"}).get_data(as_text=True)
    assert "Deleted media/spare.png." in page
    assert not (folder(app) / "media/spare.png").exists()
    version = page.split('id="deleted-1" name="version"><option>')[1].split("<")[0]
    send(author, "restore", {"path": "media/spare.png", "version": version})
    assert (folder(app) / "media/spare.png").read_bytes() == png()


def test_only_authors_and_admins_change_media_and_other_organisations_see_nothing(app, person):
    translator = person("translator@inst.example")
    assert translator.get(PAGE).status_code == 200  # they see the library: no change buttons
    assert "Replace" not in translator.get(PAGE).get_data(as_text=True)
    for action in ("upload", "replace", "delete", "restore"):
        response = translator.client.post(f"{PAGE}{action}", data={"csrf_token": translator.token, "path": DIAGRAM})
        assert response.status_code == 403
    stranger = person("admin@other.example")
    assert stranger.get(PAGE).status_code in (403, 404)
    assert stranger.client.post(f"{PAGE}delete", data={"csrf_token": stranger.token, "path": DIAGRAM}).status_code in (
        403,
        404,
    )
    assert (folder(app) / DIAGRAM).is_file()


def test_the_page_writes_nothing(app, author):
    before = {p: p.stat().st_mtime_ns for p in Path(app.config["DATA_DIR"]).rglob("*") if p.is_file()}
    assert author.get(PAGE).status_code == 200
    after = {p: p.stat().st_mtime_ns for p in Path(app.config["DATA_DIR"]).rglob("*") if p.is_file()}
    assert before == {p: t for p, t in after.items() if p in before} and set(after) <= set(before) | {
        p for p in after if p.suffix in (".db-journal", ".db-wal", ".db-shm")
    }


def test_the_editors_upload_reuses_an_identical_file_too(app, author):
    def api(name: str):
        body = {"file": (io.BytesIO(png()), name), "alt": "A chart"}
        headers = {"X-CSRFToken": author.token}
        return author.client.post("/api/o/inst/c/c1/media", data=body, headers=headers).get_json()

    assert api("chart.png")["reused"] is False
    again = api("Chart copy.png")
    assert (again["path"], again["reused"]) == ("media/chart.png", True)
    assert again["markdown"] == "![A chart](media/chart.png)"
    assert not (folder(app) / "media/chart-copy.png").exists()
