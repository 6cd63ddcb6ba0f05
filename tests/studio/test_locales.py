"""The studio's interface catalogs (locales/studio/<lang>.po): complete, placeholders kept, compiled on start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from studio.locales import compile_catalogs

LOCALES = Path(__file__).resolve().parents[2] / "locales" / "studio"
CATALOGS = sorted(LOCALES.glob("*.po"))


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.stem)
def test_catalog_is_translated_with_its_placeholders(po: Path) -> None:
    with po.open("rb") as fh:
        catalog = read_po(fh, abort_invalid=True)
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"{po.name}: {message.id!r} has no translation"
        fields = sorted(re.findall(r"%\(\w+\)[sd]", str(message.id)))
        assert sorted(re.findall(r"%\(\w+\)[sd]", str(message.string))) == fields, message.id


def test_catalogs_compile_once_and_again_when_changed(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "hi.po").write_bytes((LOCALES / "hi.po").read_bytes())
    assert compile_catalogs(src, tmp_path / "out") == ["hi"]
    mo = tmp_path / "out" / "hi" / "LC_MESSAGES" / "messages.mo"
    first = mo.stat().st_mtime_ns
    compile_catalogs(src, tmp_path / "out")
    assert mo.stat().st_mtime_ns == first  # unchanged source: not compiled again
