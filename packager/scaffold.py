"""``kstudio new``: a small working course to start from."""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path
from string import Template

from .errors import StudioError


def new_course(folder: str | Path, *, title: str | None = None) -> Path:
    """Create a starter course in *folder* (which must not exist or be empty); return the folder."""
    target = Path(folder)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise StudioError(f"{target} already exists and is not empty; choose a new folder")
    course_id = re.sub(r"[^a-z0-9-]+", "-", target.resolve().name.lower()).strip("-")
    if len(course_id) < 3:
        course_id = f"course-{course_id}".strip("-")
    title = title or target.resolve().name.replace("-", " ").replace("_", " ").strip().title() or "New Course"
    starter = Path(str(resources.files("packager") / "starter"))
    staging = target.with_name(f".{target.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(starter, staging)
    yml = staging / "course.yml"
    safe_title = title.replace('"', "'")
    yml.write_text(Template(yml.read_text("utf-8")).substitute(id=course_id[:64], title=f'"{safe_title}"'), "utf-8")
    if target.exists():
        target.rmdir()
    staging.rename(target)  # all or nothing: a half-written starter never appears
    return target
