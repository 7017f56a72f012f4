"""Private files: what netmon writes is for its own user only (0600 files, 0700 directories).

Telemetry, alert state, the spool, the config archive, reports and the lab's state describe a
classified network; on a shared host no other account may read them. The CLI sets a process
umask of 0o077 (:func:`private_umask`), and every place that creates such a file uses these
helpers too, so code that imports netmon as a library gets the same modes. Directories that
already exist keep their mode (an operator may have chosen ``0750`` with a group on purpose).
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_umask() -> int:
    """Set the process umask to 0o077 (group and others get nothing); returns the old one."""
    return os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents as 0700; existing directories are left as they are."""
    missing: list[Path] = []
    p = Path(path)
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # created meanwhile by another process
        os.chmod(d, DIR_MODE)  # mkdir's mode is filtered by the umask; be exact
    return Path(path)


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists as a 0600 file (created empty if missing; an existing one is not
    touched). For files another library creates (SQLite takes the database file's mode for its
    -wal and -shm files)."""
    private_dir(Path(path).parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return Path(path)
    os.close(fd)
    return Path(path)


def open_private(path: Path, flags: int) -> int:
    """``os.open`` creating the file 0600 (flags must include O_CREAT to create)."""
    return os.open(path, flags, FILE_MODE)


def replace_private(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Replace ``path`` atomically with a 0600 file holding ``data``: a reader (another process
    waiting for the file) sees the old content or the whole new one, never half of it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write_private(tmp, data, encoding)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_private(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` as a 0600 file (replacing its content; an existing file is set
    to 0600 as well, since what is written now is ours)."""
    private_dir(Path(path).parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), FILE_MODE)
        fh.write(data.encode(encoding) if isinstance(data, str) else data)
    return Path(path)
