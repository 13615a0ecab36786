"""What the pipeline may open in the landing root: nothing reached through a symbolic link, and
nothing that resolves outside its drop's folder (a link could make another council's data, or any
file on the server, look like this council's extract)."""

from __future__ import annotations

from pathlib import Path


def is_refused_folder(folder: Path) -> bool:
    """A council or date folder that is a symbolic link."""
    return folder.is_symlink()


def is_refused_file(path: Path, drop_folder: Path) -> bool:
    """A file of a drop that is a symbolic link, or whose real path is not directly in the drop's folder."""
    if path.is_symlink():
        return True
    try:
        return path.resolve(strict=True).parent != drop_folder.resolve(strict=True)
    except OSError:
        return True
