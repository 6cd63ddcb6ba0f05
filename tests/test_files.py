import os
import stat

import pytest

from packager.files import atomic_path, write_atomic


def test_write_atomic_leaves_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "a.md"
    target.write_text("old")

    def broken(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError):
        write_atomic(target, "new", durable=True)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_write_atomic_writes_text_as_utf8_with_the_mode_asked(tmp_path):
    target = tmp_path / "deep" / "पाठ.md"
    write_atomic(target, "नमस्ते\n")
    assert target.read_bytes() == "नमस्ते\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    write_atomic(target, b"x", mode=0o444, durable=True)
    assert target.read_bytes() == b"x" and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert [p.name for p in target.parent.iterdir()] == ["पाठ.md"]


def test_atomic_path_moves_only_a_finished_file_and_tags_its_temporary(tmp_path):
    target = tmp_path / "clip.mp4"
    with atomic_path(target, tool_suffix=True) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".mp4" and f"~{os.getpid()}-" in tmp.name
        tmp.write_bytes(b"video")
        assert not target.exists()
    assert target.read_bytes() == b"video"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the encoder died")
    assert target.read_bytes() == b"video" and [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]
