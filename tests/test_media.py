"""The media pipeline on clips made here with ffmpeg: odd sizes and rates, rotated, VFR, silent, broken."""

from __future__ import annotations

import json
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from packager import check_course, export, load_course
from packager.__main__ import ProgressBar
from packager.media import MediaSet, ProgressEvent, progress_to, size_report
from packager.media.captions import read
from packager.media.probe import probe
from packager.media.transcode import low_saves
from packager.render import Player

LAVFI_AUDIO = ["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100"]


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny inputs of every awkward kind (each 1-2 s, at most 480 px)."""
    d = tmp_path_factory.mktemp("clips")
    c = {name: d / name for name in ("odd.mkv", "rotated.mp4", "vfr.mp4", "silent.mp4", "speech.wav", "big.mp4")}
    # 321x241 at 23.976 fps: odd sizes need a codec that allows them (MPEG-4 part 2 in Matroska)
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=321x241:rate=24000/1001",
        *LAVFI_AUDIO,
        "-t",
        "2",
        "-c:v",
        "mpeg4",
        "-c:a",
        "libvorbis",
        str(c["odd.mkv"]),
    )
    # a phone held upright: 480x270 stored, a display matrix turning it a quarter (ffmpeg 5.1 cannot write one)
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=480x270:rate=30",
        *LAVFI_AUDIO,
        "-t",
        "1.5",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        str(c["rotated.mp4"]),
    )
    data = bytearray(c["rotated.mp4"].read_bytes())
    matrix = data.index(b"tkhd") - 4 + 48  # version-0 track header of the first (video) track
    data[matrix : matrix + 36] = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)
    c["rotated.mp4"].write_bytes(bytes(data))
    # variable frame rate: frames dropped at random, timestamps kept
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30",
        *LAVFI_AUDIO,
        "-t",
        "2",
        "-vf",
        "select='not(mod(n\\,3))+gt(random(0)\\,0.5)'",
        "-fps_mode",
        "vfr",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        str(c["vfr.mp4"]),
    )
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=25",
        "-t",
        "1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        str(c["silent.mp4"]),
    )
    ffmpeg(*LAVFI_AUDIO, "-t", "1.5", str(c["speech.wav"]))
    # larger than 720p, and noisy, so the low rendition must work to stay under its rate
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1920x1080:rate=30",
        *LAVFI_AUDIO,
        "-t",
        "1",
        "-vf",
        "noise=alls=30:allf=t",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        str(c["big.mp4"]),
    )
    data = c["vfr.mp4"].read_bytes()
    (d / "truncated.mp4").write_bytes(data[: len(data) // 2])
    (d / "text.mp4").write_text("this is not a video\n")
    c["truncated.mp4"], c["text.mp4"] = d / "truncated.mp4", d / "text.mp4"
    return c


def streams(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


def top_atoms(path: Path) -> list[str]:
    atoms, data, at = [], path.read_bytes(), 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        atoms.append(kind.decode("latin-1"))
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        if size < 8:
            break
        at += size
    return atoms


def made(clips: dict[str, Path], name: str, kind: str = "video") -> dict[str, Path]:
    root = clips[name].parent
    media = MediaSet(root, {name: kind})
    return {out: path for out, path in media.files([o.name for o in media.items[name].outputs])}


def test_probe_reports_unusable_files(clips):
    assert "truncated" in (probe(clips["truncated.mp4"], "video").error or "") or "not a readable" in (
        probe(clips["truncated.mp4"], "video").error or ""
    )
    assert "not a readable video" in (probe(clips["text.mp4"], "video").error or "")
    assert (
        probe(clips["speech.wav"], "video").error
        == "has no video stream (it is audio: use an audio extension such as .m4a)"
    )
    assert probe(clips["silent.mp4"], "audio").error == "has no audio stream"
    rotated = probe(clips["rotated.mp4"], "video")
    assert (rotated.width, rotated.height, rotated.error) == (270, 480, None)


@pytest.mark.parametrize("name", ["odd.mkv", "rotated.mp4", "vfr.mp4", "big.mp4"])
def test_video_renditions(clips, name):
    source = probe(clips[name], "video")
    files = made(clips, name)
    # a low rendition only where it saves data: the source is bigger than 360p or faster than its rate
    assert (f"{name}.low.mp4" in files) == (name != "vfr.mp4") == low_saves(source)
    main = streams(files[f"{name}.main.mp4"])
    low = streams(files[f"{name}.low.mp4"]) if f"{name}.low.mp4" in files else main
    for out, box in ((main, (1280, 720)), (low, (640, 360))):
        v = next(s for s in out["streams"] if s["codec_type"] == "video")
        a = next(s for s in out["streams"] if s["codec_type"] == "audio")
        assert (v["codec_name"], v["pix_fmt"], a["codec_name"]) == ("h264", "yuv420p", "aac")
        assert max(v["width"], v["height"]) <= box[0] and min(v["width"], v["height"]) <= box[1]
        assert v["width"] % 2 == 0 and v["height"] % 2 == 0
        assert (v["width"] > v["height"]) == (source.width > source.height)  # upright stays upright
        assert not any("rotation" in sd for sd in v.get("side_data_list", []))
        assert abs(float(out["format"]["duration"]) - source.duration) <= 0.1
    assert int(low["format"]["bit_rate"]) <= 450_000
    for out in {f"{name}.main.mp4", f"{name}.low.mp4", f"{name}.audio.m4a"} & set(files):
        atoms = top_atoms(files[out])
        assert atoms.index("moov") < atoms.index("mdat"), f"{out} is not faststart: {atoms}"
    audio = streams(files[f"{name}.audio.m4a"])
    assert [s["codec_name"] for s in audio["streams"]] == ["aac"] and audio["streams"][0]["channels"] == 1
    assert abs(float(audio["format"]["duration"]) - source.duration) <= 0.1
    with Image.open(files[f"{name}.poster.jpg"]) as poster:
        assert poster.format == "JPEG" and poster.size[0] <= 1280


def test_big_video_is_scaled_to_720p_and_360p(clips):
    files = made(clips, "big.mp4")
    sizes = [
        next((s["width"], s["height"]) for s in streams(files[f"big.mp4.{r}.mp4"])["streams"] if s.get("width"))
        for r in ("main", "low")
    ]
    assert sizes == [(1280, 720), (640, 360)]


def test_silent_video_has_no_audio_rendition_and_audio_becomes_m4a(clips):
    files = made(clips, "silent.mp4")
    assert "silent.mp4.audio.m4a" not in files
    assert [s["codec_type"] for s in streams(files["silent.mp4.main.mp4"])["streams"]] == ["video"]
    speech = made(clips, "speech.wav", "audio")["speech.wav.main.m4a"]
    out = streams(speech)
    assert [s["codec_name"] for s in out["streams"]] == ["aac"]
    assert abs(float(out["format"]["duration"]) - 1.5) <= 0.1
    assert top_atoms(speech).index("moov") < top_atoms(speech).index("mdat")


def test_rebuild_makes_nothing_and_reports_progress(clips):
    events: list[ProgressEvent] = []
    media = MediaSet(clips["vfr.mp4"].parent, {"vfr.mp4": "video"})
    with progress_to(events.append):
        list(media.files([o.name for o in media.items["vfr.mp4"].outputs]))
    again = MediaSet(clips["vfr.mp4"].parent, {"vfr.mp4": "video"})
    list(again.files([o.name for o in again.items["vfr.mp4"].outputs]))
    assert again.made == 0
    assert all(0 <= e.fraction <= 1 for e in events)


def test_progress_bar_draws_on_one_line():
    import io

    out = io.StringIO()
    bar = ProgressBar(out)
    bar(ProgressEvent("media/a.mp4.low.mp4", 0.5, 1, 4))
    bar.close()
    assert out.getvalue().startswith("\r[###") and "1/4 media/a.mp4.low.mp4 50%" in out.getvalue()


def test_images_resized_stripped_and_webp(tmp_path):
    photo = Image.new("RGB", (2400, 1600), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera maker
    exif[0x0112] = 6  # rotated a quarter turn: the output must come out upright
    photo.save(tmp_path / "p.jpg", exif=exif.tobytes())
    media = MediaSet(tmp_path, {"p.jpg": "image"})
    files = dict(media.files([o.name for o in media.items["p.jpg"].outputs]))
    assert sorted(files) == ["p.jpg", "p.jpg.640w.jpg", "p.jpg.640w.webp", "p.jpg.webp"]
    with Image.open(files["p.jpg"]) as im:
        assert im.size == (1600, 2400) and not im.getexif() and "exif" not in im.info
    with Image.open(files["p.jpg.640w.webp"]) as im:
        assert im.format == "WEBP" and im.width == 640


def test_diagram_keeps_one_width(tmp_path):
    """A palette image (a diagram) is not scaled for phones: the copy would be blurrier and larger."""
    diagram = Image.new("P", (1000, 560), 0)
    diagram.putpalette([255, 255, 255, 30, 60, 120] + [0] * 762)
    diagram.paste(1, (100, 100, 900, 140))
    diagram.save(tmp_path / "d.png")
    media = MediaSet(tmp_path, {"d.png": "image"})
    assert [o.name for o in media.items["d.png"].outputs] == ["d.png", "d.png.webp"]


def test_image_bomb_refused_before_decoding(tmp_path):
    Image.new("1", (8000, 6000)).save(tmp_path / "bomb.png")  # 48 MP, a few KB
    info = probe(tmp_path / "bomb.png", "image")
    assert info.error == "is 8000×6000 pixels; images may have at most 40 megapixels"


def test_captions_validated_and_srt_converted(tmp_path):
    (tmp_path / "bad.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nBackwards\n\n1:2 --> 3\nx\n")
    _, _, problems = read(tmp_path / "bad.vtt", "bad.vtt")
    assert [(p.line, p.severity) for p in problems] == [(3, "error"), (6, "error")]
    (tmp_path / "o.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:03.000\nA\n\n00:02.000 --> 00:04.000\nB\n")
    assert [p.severity for p in read(tmp_path / "o.vtt", "o.vtt")[2]] == ["warning"]
    (tmp_path / "latin.vtt").write_bytes("WEBVTT\n\n00:01.000 --> 00:02.000\ncafé\n".encode("latin-1"))
    assert "UTF-8" in read(tmp_path / "latin.vtt", "latin.vtt")[2][0].message
    (tmp_path / "s.srt").write_text("1\r\n00:00:01,000 --> 00:00:02,500\r\nHello, there\r\n")
    text, cues, problems = read(tmp_path / "s.srt", "s.srt")
    assert problems == [] and cues[0].end == 2.5
    assert text == "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nHello, there\n"


def test_course_with_media_checks_builds_and_counts_minutes(make_course, clips, tmp_path):
    lesson = "---\ntitle: A\n---\nHi.\n\n![Talk](media/v.mp4)\n\n![Broken](media/t.mp4)\n\n![Sound](media/s.wav)\n"
    root = make_course(
        {
            "lessons/a.md": lesson,
            "media/v.mp4": clips["rotated.mp4"].read_bytes(),
            "media/v.en.srt": "1\n00:00:00,000 --> 00:00:09,000\nToo long\n",
            "media/t.mp4": clips["text.mp4"].read_bytes(),
            "media/s.wav": clips["speech.wav"].read_bytes(),
        }
    )
    course = load_course(root)
    assert course.lessons[0].learning_minutes == pytest.approx(1 + 3 / 60, abs=0.01)  # text + 1.5 s + 1.5 s
    problems = [p.format() for p in check_course(course)]
    assert any(
        p.startswith("lessons/a.md:8: error: video 'media/t.mp4' is not a readable video file") for p in problems
    )
    assert any(p.startswith("media/v.en.srt:2: warning: caption runs to 9.000 s, past the end") for p in problems)
    (root / "media/t.mp4").write_bytes(clips["silent.mp4"].read_bytes())
    package = export(load_course(root), "html", tmp_path / "out")
    with zipfile.ZipFile(package) as z:
        names = set(z.namelist())
        lesson_js = next(z.read(n).decode() for n in names if n.startswith("lessons/"))
    assert {"media/v.mp4.main.mp4", "media/v.mp4.low.mp4", "media/v.mp4.audio.m4a", "media/v.en.srt.vtt"} <= names
    assert "media/v.mp4" not in names and "assets/media.js" in names
    assert 'data-low=\\"media/v.mp4.low.mp4\\"' in lesson_js and 'poster=\\"media/v.mp4.poster.jpg\\"' in lesson_js
    assert 'data-mode=\\"audio\\"' in lesson_js
    report = size_report(package)
    assert report.total == package.stat().st_size and report.parts["media"] > 0 and not report.over(25)


def test_player_without_processing_ships_originals(make_course, tiny_media):
    root = make_course({"lessons/a.md": "---\ntitle: A\n---\n![V](media/v.mp4)\n", "media/v.mp4": tiny_media["mp4"]})
    names = [f.name for f in Player(load_course(root), process_media=False).media_files()]
    assert names == ["media/v.mp4"]
