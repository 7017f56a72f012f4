"""The configuration archive: a bare git repository (dulwich), one file per device.

Every stored version is a commit touching one ``<device>.cfg``; history, ``git log`` and
``git diff`` work with stock git (``git --git-dir <dir>/configs.git log -- <device>.cfg``).
The directory is created mode 0700: it holds secrets, which only leave it masked.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import os
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.objects import Blob, Commit, Tree
from dulwich.refs import HEADREF, Ref
from dulwich.repo import Repo

from netmon.errors import InputError, NetmonError
from netmon.textsafe import count_undecodable, escape_undecodable

from ..platforms.masking import mask_diff
from .events import ConfigChange
from .normalize import changed_by, normalize

BRANCH = Ref(b"refs/heads/main")
FILE_MODE = 0o100644


@dataclass(frozen=True)
class Version:
    id: str  # short commit id
    commit: str  # full commit id
    time: float  # unix seconds
    message: str
    lines_added: int
    lines_removed: int


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8", errors="surrogateescape")  # the device's bytes, exactly
    except UnicodeEncodeError:  # a surrogate that stands for no byte (not from a device): escape it
        return escape_undecodable(text).encode("utf-8", errors="surrogateescape")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def count_changes(old: str, new: str) -> tuple[int, int]:
    added = removed = 0
    for ln in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if ln.startswith("+") and not ln.startswith("+++"):
            added += 1
        elif ln.startswith("-") and not ln.startswith("---"):
            removed += 1
    return added, removed


class ConfigArchive:
    def __init__(self, root: Path, author: str = "netmon <netmon@localhost>") -> None:
        self.root = root
        self.author = author.encode()
        self._lock = threading.Lock()
        self._repo: Repo | None = None

    # -- repository

    @property
    def git_dir(self) -> Path:
        return self.root / "configs.git"

    def repo(self, create: bool = True) -> Repo:
        if self._repo is not None:
            return self._repo
        if not self.git_dir.exists():
            if not create:
                raise NetmonError(f"no configuration archive at {self.root} (run `netmon backup` first)")
            old = os.umask(0o077)
            try:
                self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
                self.root.chmod(0o700)  # even if it existed: it is about to hold secrets
                self.git_dir.mkdir(mode=0o700)
                repo = Repo.init_bare(str(self.git_dir))
                repo.refs.set_symbolic_ref(HEADREF, BRANCH)
            finally:
                os.umask(old)
        else:
            mode = stat.S_IMODE(self.root.stat().st_mode)
            if mode & 0o077:
                raise NetmonError(
                    f"the configuration archive {self.root} is readable by others (mode {mode:04o}); "
                    f"it holds secrets: run `chmod 700 {self.root}`"
                )
        try:
            self._repo = Repo(str(self.git_dir))
        except Exception as exc:
            raise NetmonError(f"{self.git_dir} is not a usable git repository: {type(exc).__name__}") from None
        return self._repo

    def _head(self) -> Commit | None:
        repo = self.repo()
        try:
            obj = repo[repo.refs[BRANCH]]
        except KeyError:
            return None
        assert isinstance(obj, Commit)
        return obj

    def _tree(self, commit: Commit | None) -> Tree:
        if commit is None:
            return Tree()
        t = self.repo()[commit.tree]
        assert isinstance(t, Tree)
        return t

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Serialise writers across processes (two `netmon backup` runs at once must not lose a
        commit by moving the branch from the same parent). While held, the umask is 0o077:
        dulwich creates object directories, objects and refs by the umask alone, and a library
        caller may not have set one (another thread's files only get more private meanwhile)."""
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        old = os.umask(0o077)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.umask(old)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def maintain(self, max_loose: int = 2000) -> int:
        """Pack loose objects once there are many (each version adds three); returns how many
        were packed. Cheap to call after every backup run."""
        store = self.repo().object_store
        count = getattr(store, "count_loose_objects", lambda: 0)()
        if count < max_loose:
            return 0
        with self._lock, self._file_lock():
            return int(store.pack_loose_objects())  # type: ignore[attr-defined]

    @staticmethod
    def filename(device: str) -> bytes:
        return f"{device}.cfg".encode()

    def devices(self) -> list[str]:
        return sorted(
            e.path.decode()[: -len(".cfg")] for e in self._tree(self._head()).items() if e.path.endswith(b".cfg")
        )

    def _blob_in(self, commit: Commit | None, device: str) -> bytes | None:
        tree = self._tree(commit)
        name = self.filename(device)
        if name not in tree:
            return None
        _mode, sha = tree[name]
        blob = self.repo()[sha]
        assert isinstance(blob, Blob)
        return bytes(blob.data)

    # -- writing

    def store(
        self, device: str, text: str, platform: str, encoding: str = "utf-8", time_ns: int | None = None
    ) -> ConfigChange | None:
        """Normalise and store; a ConfigChange when it differs from the latest version, else None.

        The commit is written object by object and the branch moved last, so an interrupted
        write leaves the previous version current.
        """
        # The blob keeps the device's bytes exactly; what is shown (commit message, diff, the
        # change event) carries undecodable bytes as \xNN escapes, never as surrogates.
        who, when = (escape_undecodable(s) for s in changed_by(text, platform))
        new = normalize(text, platform)
        undecodable = count_undecodable(text)
        time_ns = time_ns or time.time_ns()
        repo = self.repo()  # creates the directory (0700) on first use
        with self._lock, self._file_lock():
            head = self._head()
            old_bytes = self._blob_in(head, device)
            old = _decode(old_bytes) if old_bytes is not None else None
            if old == new:
                return None
            prev = self.versions(device, limit=1)[0].id if old is not None and head is not None else None
            added, removed = count_changes(old or "", new)
            blob = Blob.from_string(_encode(new))
            tree = Tree()
            for e in self._tree(head).items():
                tree.add(e.path, e.mode, e.sha)
            tree.add(self.filename(device), FILE_MODE, blob.id)
            msg = [f"{device}: +{added} -{removed}", ""]
            msg.append(f"Platform: {platform}")
            if encoding != "utf-8":
                msg.append(f"Device-Encoding: {encoding}")
            if undecodable:
                msg.append(f"Undecodable-Bytes: {undecodable} (neither UTF-8 nor GB18030; shown as \\xNN)")
            if who:
                msg.append(f"Changed-By: {who}")
            if when:
                msg.append(f"Changed-At: {when}")
            c = Commit()
            c.tree = tree.id
            c.parents = [head.id] if head is not None else []
            c.author = c.committer = self.author
            c.author_time = c.commit_time = time_ns // 1_000_000_000
            c.author_timezone = c.commit_timezone = 0
            c.encoding = b"UTF-8"
            c.message = ("\n".join(msg) + "\n").encode()
            store = repo.object_store
            store.add_object(blob)
            store.add_object(tree)
            store.add_object(c)
            repo.refs[BRANCH] = c.id
        diff = escape_undecodable(self.diff_text(old or "", new, device, prev or "(none)", c.id.decode()[:12]))

        return ConfigChange(
            device=device,
            platform=platform,
            version=c.id.decode()[:12],
            previous=prev,
            time_ns=time_ns,
            changed_by=who,
            changed_at=when,
            lines_added=added,
            lines_removed=removed,
            diff=mask_diff(diff, platform),
            first=old is None,
        )

    # -- reading

    def versions(self, device: str, limit: int | None = None) -> list[Version]:
        """Newest first: the commits that changed this device's file."""
        repo = self.repo(create=False)
        head = self._head()
        if head is None:
            return []
        out: list[Version] = []
        for entry in repo.get_walker(include=[head.id], paths=[self.filename(device)]):
            c = entry.commit
            first = c.message.decode(errors="replace").splitlines()[0]
            a = r = 0
            if ": +" in first:
                try:
                    a, r = (int(x) for x in first.rsplit(": +", 1)[1].split(" -"))
                except ValueError:
                    pass
            out.append(
                Version(
                    c.id.decode()[:12], c.id.decode(), float(c.commit_time), c.message.decode(errors="replace"), a, r
                )
            )
            if limit and len(out) >= limit:
                break
        return out

    def resolve(self, device: str, version: str | None) -> Version:
        vs = self.versions(device)
        if not vs:
            raise InputError.one(device, f"no archived configuration for device {device!r} in {self.root}")
        if version is None:
            return vs[0]
        if version[:1] in ("@", "~") and version[1:].isdigit():  # @1 (or ~1): the one before the latest
            n = int(version[1:])
            if n >= len(vs):
                raise InputError.one(device, f"{device} has only {len(vs)} version(s)")
            return vs[n]
        matches = [v for v in vs if v.commit.startswith(version.lower())]
        if len(matches) != 1:
            raise InputError.one(
                device, f"no single version of {device} matches {version!r} (see `netmon archive log {device}`)"
            )
        return matches[0]

    def show(self, device: str, version: str | None = None) -> str:
        """The stored text (unmasked; mask before display). Bytes that were neither UTF-8 nor
        GB18030 on the device come back as ``\\xNN`` escapes (the blob itself is byte-exact)."""
        v = self.resolve(device, version)
        c = self.repo()[v.commit.encode()]
        assert isinstance(c, Commit)
        data = self._blob_in(c, device)
        return escape_undecodable(_decode(data or b""))

    def diff(self, device: str, a: str | None = None, b: str | None = None) -> str:
        """Unified diff from version a (default: the one before b) to b (default: latest); unmasked."""
        vb = self.resolve(device, b)
        vs = self.versions(device)
        if a is None:
            idx = [v.commit for v in vs].index(vb.commit)
            if idx + 1 >= len(vs):
                return self.diff_text("", self.show(device, vb.commit), device, "(none)", vb.id)
            va = vs[idx + 1]
        else:
            va = self.resolve(device, a)
        return self.diff_text(self.show(device, va.commit), self.show(device, vb.commit), device, va.id, vb.id)

    @staticmethod
    def diff_text(old: str, new: str, device: str, a: str, b: str) -> str:
        return "\n".join(
            difflib.unified_diff(old.splitlines(), new.splitlines(), f"{device}@{a}", f"{device}@{b}", lineterm="")
        )
