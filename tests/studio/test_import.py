"""Importing a course as a zip: a good archive works, hostile ones are refused with a clear message
and leave nothing behind."""

from __future__ import annotations

import contextlib
import io
import re
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from packager.archive import ArchiveRefused, Limits, extract_course
from studio.db import session_for
from studio.models import Job
from tests.conftest import SAMPLE


def zip_of(
    entries: dict[str, bytes], *, links: dict[str, str] | None = None, level: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def sample_zip(top: str = "karmayogi-prarambh/") -> bytes:
    return zip_of({top + p.relative_to(SAMPLE).as_posix(): p.read_bytes() for p in SAMPLE.rglob("*") if p.is_file()})


COURSE = {"course.yml": b"id: tiny-course\nversion: 1.0.0\ntitle: Tiny\nsummary: s\nlanguage: en\n"}


def upload(author, data: bytes, name: str = "course.zip"):
    return author.post("/o/inst/import", {"archive": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_import_a_zipped_course_folder(author, app):
    response = upload(author, sample_zip(), "karmayogi-prarambh.zip")
    assert response.status_code == 302 and response.headers["Location"].endswith("/o/inst/c/karmayogi-prarambh/")
    page = author.get("/o/inst/c/karmayogi-prarambh/").get_data(as_text=True)
    assert "Karmayogi Prarambh" in page and "No problems found." in page
    # its images, video and audio get their renditions made by jobs now, not when a preview asks
    session = session_for(app)
    queued = {job.params["path"] for job in session.scalars(select(Job).where(Job.kind == "media"))}
    session.close()
    shown = {p.relative_to(SAMPLE).as_posix() for p in (SAMPLE / "media").iterdir()}
    assert queued == {p for p in shown if p.rsplit(".", 1)[-1] in ("png", "svg", "mp3", "mp4")}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({**COURSE, "../evil.md": b"x"}, "points outside the course folder"),
        ({**COURSE, "lessons/../../evil.md": b"x"}, "points outside the course folder"),
        ({**COURSE, "/etc/evil.md": b"x"}, "unsafe path"),
        ({**COURSE, "C:/evil.md": b"x"}, "unsafe path"),
        ({**COURSE, "lessons\\..\\..\\evil.md": b"x"}, "unsafe path"),
        ({"lessons/a.md": b"x"}, "no course.yml"),
    ],
)
def test_traversal_and_bad_layouts_are_refused(author, app, entries, message):
    response = upload(author, zip_of(entries))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert not any(Path(app.config["COURSES_ROOT"], "inst").glob("course*"))
    assert not (Path(app.config["COURSES_ROOT"]).parent / "evil.md").exists()


def test_links_are_refused(author):
    response = upload(author, zip_of(COURSE, links={"media/passwd": "/etc/passwd"}))
    assert response.status_code == 400 and "is a link" in response.get_data(as_text=True)


def test_not_a_zip(author):
    response = upload(author, b"PK not really")
    assert response.status_code == 400 and "not a zip archive" in response.get_data(as_text=True)


def test_zip_bomb_is_refused_by_its_declared_ratio(tmp_path):
    bomb = zip_of({**COURSE, "media/bomb.bin": b"\0" * (20 << 20)})
    with pytest.raises(ArchiveRefused, match="expands"):
        extract_course(io.BytesIO(bomb), tmp_path / "c", Limits(max_ratio=100))
    assert not any(tmp_path.iterdir())


def test_zip_that_lies_about_its_sizes_is_stopped_while_extracting(tmp_path):
    data = bytearray(zip_of({**COURSE, "media/big.bin": b"A" * 50_000}, level=zipfile.ZIP_STORED))
    # shrink the declared size of big.bin in both headers: a reader trusting it would be fooled
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("media/big.bin")
    local = info.header_offset
    data[local + 22 : local + 26] = (1000).to_bytes(4, "little")
    central = bytes(data).rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(ArchiveRefused):
        extract_course(io.BytesIO(bytes(data)), tmp_path / "c", Limits())
    assert not any(tmp_path.iterdir())


def test_too_many_files(tmp_path):
    many = zip_of({**COURSE, **{f"media/{i}.txt": b"x" for i in range(30)}})
    with pytest.raises(ArchiveRefused, match="at most 20 are allowed"):
        extract_course(io.BytesIO(many), tmp_path / "c", Limits(max_files=20))


def test_too_large_in_all(tmp_path):
    big = zip_of({**COURSE, "media/a.bin": bytes(range(256)) * 4096, "media/b.bin": bytes(range(256)) * 4096})
    with pytest.raises(ArchiveRefused, match="at most 1 MB"):
        extract_course(io.BytesIO(big), tmp_path / "c", Limits(max_bytes=1 << 20))


def test_upload_larger_than_the_limit_is_refused(app, author):
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    response = upload(author, b"x" * (2 << 20))
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)


def test_dot_files_are_left_out(tmp_path):
    folder = extract_course(
        io.BytesIO(zip_of({**COURSE, ".git/config": b"x", "lessons/.DS_Store": b"x"})), tmp_path / "c"
    )
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == ["course.yml"]


def zip_with_duplicates(names: list[str]) -> bytes:
    """A zip holding COURSE and one entry per name, repeats included (zipfile only warns about them)."""
    buffer = io.BytesIO()
    repeats = pytest.warns(UserWarning) if len(set(names)) < len(names) else contextlib.nullcontext()
    with repeats, zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course.yml", COURSE["course.yml"])
        for n, name in enumerate(names):
            archive.writestr(name, f"entry {n}".encode())
    return buffer.getvalue()


def patched(data: bytes, name: str, *, local: int, central: int, value: bytes) -> bytes:
    """*data* with *value* written at offset *local* of *name*'s local header and *central* of its
    central directory entry: how a hostile archive sets flags and methods zipfile never writes."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    out[info.header_offset + local : info.header_offset + local + len(value)] = value
    entry = bytes(out).find(b"PK\x01\x02" + bytes(out[info.header_offset + 4 : info.header_offset + 6]))
    while bytes(out[entry + 46 : entry + 46 + len(name)]) != name.encode():
        entry = bytes(out).find(b"PK\x01\x02", entry + 4)
    out[entry + central : entry + central + len(value)] = value
    return bytes(out)


def encrypted_zip() -> bytes:
    data = zip_of({**COURSE, "media/secret.txt": b"x" * 100}, level=zipfile.ZIP_STORED)
    return patched(data, "media/secret.txt", local=6, central=8, value=(1).to_bytes(2, "little"))


def unknown_method_zip() -> bytes:
    data = zip_of({**COURSE, "media/ppmd.bin": b"x" * 100}, level=zipfile.ZIP_STORED)
    return patched(data, "media/ppmd.bin", local=8, central=10, value=(98).to_bytes(2, "little"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda: zip_with_duplicates(["media/a.txt", "media/a.txt"]), "'media/a.txt' appears twice"),
        (lambda: zip_with_duplicates(["media/a.txt", "media/./a.txt"]), "'media/./a.txt' is the same file as"),
        (lambda: zip_with_duplicates(["media/a.txt", "media//a.txt"]), "'media//a.txt' is the same file as"),
        (lambda: zip_with_duplicates(["media/a.txt", "media/A.TXT"]), "differ only in upper and lower case"),
        (lambda: zip_with_duplicates(["media/a.txt", "Media/b.txt"]), "differ only in upper and lower case"),
        (lambda: zip_with_duplicates(["media", "media/a.txt"]), "'media' is a file and also a folder"),
        (lambda: zip_with_duplicates(["media/a.txt/b.txt", "media/a.txt"]), "'media/a.txt' is a file and also"),
        (lambda: zip_with_duplicates(["media/" + "a" * 256]), "name longer than 255 bytes"),
        (lambda: zip_with_duplicates(["media/" + "क" * 90]), "name longer than 255 bytes"),
        (lambda: zip_with_duplicates(["media/" + "/".join(["abcdefghi"] * 30)]), "path longer than 255 characters"),
        (encrypted_zip, "'media/secret.txt' is encrypted"),
        (unknown_method_zip, "'media/ppmd.bin' is compressed with a method that is not supported"),
    ],
)
def test_hostile_entries_are_refused_by_name(tmp_path, data, message):
    with pytest.raises(ArchiveRefused, match=re.escape(message)):
        extract_course(io.BytesIO(data()), tmp_path / "c", Limits())
    assert not any(tmp_path.iterdir())


def test_hostile_entries_get_a_400_naming_the_entry(author, app):
    for data in (zip_with_duplicates(["media/a.txt", "media/./a.txt"]), encrypted_zip(), unknown_method_zip()):
        response = upload(author, data)
        assert response.status_code == 400
        assert "media/" in response.get_data(as_text=True)
    assert not any(Path(app.config["COURSES_ROOT"], "inst").glob("course*"))


def test_damaged_compressed_data_is_a_clear_refusal(tmp_path):
    data = bytearray(zip_of({**COURSE, "media/a.txt": bytes(range(256)) * 64}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("media/a.txt")
    start = info.header_offset + 30 + len("media/a.txt")
    data[start : start + 8] = b"\xff" * 8  # the deflate stream itself is garbage
    with pytest.raises(ArchiveRefused, match=re.escape("'media/a.txt' is damaged")):
        extract_course(io.BytesIO(bytes(data)), tmp_path / "c", Limits())
    assert not any(tmp_path.iterdir())
