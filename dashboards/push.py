"""Push the generated dashboards to Grafana through its HTTP API (grafana-client).

All or nothing, as far as the API allows: everything is read and checked first (reachable,
token accepted, which folders and dashboards exist, whether a dashboard was changed in the
Grafana UI since netmon pushed it); only then are folders and dashboards written. If a write
fails half-way, what this run already wrote is rolled back (created dashboards and folders
deleted, updated dashboards restored to the copy read before).

A dashboard counts as changed in the UI when it no longer hashes to the ``netmon-hash`` it
carries in its description; such a dashboard, or one netmon did not make, is only overwritten
with ``force``. Updates send the version read during the check with ``overwrite: false``, so
a save in the UI between check and write is refused by Grafana (412) instead of lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import niquests
from grafana_client import GrafanaApi
from grafana_client.client import GrafanaClientError, GrafanaException, GrafanaTimeoutError, GrafanaUnauthorizedError

from netmon.errors import NetmonError
from netmon.urlmask import mask_url, mask_urls

from .catalog import Folder, Spec
from .render import content_hash, render_all, stamped_hash

Action = Literal["create", "update", "unchanged", "conflict", "overwrite"]
T = TypeVar("T")
TOKEN_ENV = ("NETMON_GRAFANA_TOKEN", "GRAFANA_TOKEN")
PUSH_MESSAGE = "netmon dashboards push"  # the version message of every save netmon makes


@dataclass
class Change:
    uid: str
    title: str
    folder: Folder
    action: Action
    detail: str = ""
    remote: dict[str, Any] | None = None  # the dashboard as read from Grafana
    remote_version: int | None = None


@dataclass
class Plan:
    url: str
    changes: list[Change] = field(default_factory=list)
    new_folders: list[Folder] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.action == "conflict"]

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if c.action in ("create", "update", "overwrite")]


class PushError(NetmonError):
    """A push that stopped before or during writing; ``plan`` says what was found."""

    def __init__(self, message: str, plan: Plan | None = None) -> None:
        super().__init__(message)
        self.plan = plan


class Grafana:
    """The few Grafana API calls push needs, with errors turned into messages for the operator."""

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.shown = mask_url(self.url)  # what messages say: a pasted ?token= or user:pass@ masked
        self.api = GrafanaApi.from_url(self.url, credential=token, timeout=timeout)

    def call(self, what: str, fn: Callable[[], T], *, missing_ok: bool = False) -> T | None:
        try:
            return fn()
        except GrafanaUnauthorizedError:
            raise PushError(
                f"Grafana at {self.shown} refused the token (401 Unauthorized) while trying to {what}: "
                f"set {TOKEN_ENV[0]} to a valid service-account token"
            ) from None
        except GrafanaTimeoutError as exc:
            raise PushError(
                f"Grafana at {self.shown} did not answer in time while trying to {what}: {mask_urls(str(exc.message))}"
            ) from None
        except GrafanaClientError as exc:
            if exc.status_code == 404 and missing_ok:
                return None
            if exc.status_code == 403:
                raise PushError(
                    f"Grafana at {self.shown} forbids this token to {what} (403 Forbidden): "
                    "the service account needs the Editor role (folders and dashboards write)"
                ) from None
            if exc.status_code == 412:
                raise PushError(
                    f"Grafana at {self.shown} refused to {what} (412 {_message(exc)}): it was changed in Grafana "
                    "while netmon was pushing; run the push again to see what changed"
                ) from None
            raise PushError(f"Grafana at {self.shown} refused to {what} ({exc.status_code} {_message(exc)})") from None
        except GrafanaException as exc:
            raise PushError(f"Grafana at {self.shown} failed to {what}: {mask_urls(str(exc.message))}") from None
        except ValueError as exc:  # a 2xx answer that is not JSON: not Grafana's API
            raise PushError(
                f"{self.shown} answered with something other than JSON while trying to {what} ({mask_urls(str(exc))})"
            ) from None
        except (niquests.exceptions.RequestException, OSError) as exc:
            raise PushError(
                f"Grafana at {self.shown} is unreachable ({type(exc).__name__}: {mask_urls(str(exc))})"
            ) from None

    def health(self) -> None:
        got = self.call("answer a health check", lambda: self.api.client.GET("/health"), missing_ok=True)
        if not isinstance(got, dict) or "database" not in got:
            raise PushError(
                f"{self.shown} does not look like Grafana (GET /api/health gave no Grafana health answer): check --url"
            )

    def folders(self) -> dict[str, dict[str, Any]]:
        out = self.call("list folders", lambda: self.api.folder.get_all_folders())
        if not isinstance(out, list):
            raise PushError(f"{self.shown} answered GET /api/folders with something other than a folder list")
        return {f["uid"]: f for f in out if isinstance(f, dict) and "uid" in f}

    def saved_by_netmon(self, uid: str, version: object) -> bool:
        """Whether the latest saved version of ``uid`` is ``version`` and was saved by netmon's push.

        Grafana versions that normalise a dashboard's JSON on save would break the hash check;
        the version history still tells whose save the current version is.
        """
        got = self.call(
            f"read the versions of dashboard {uid}",
            lambda: self.api.dashboard_versions.get_dashboard_versions_by_uid(uid, limit=1),
            missing_ok=True,
        )
        items = got.get("versions", []) if isinstance(got, dict) else got  # Grafana 11 wraps the list
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            return False
        last = max(items, key=lambda v: v.get("version", 0))
        return bool(last.get("version") == version and str(last.get("message", "")).startswith(PUSH_MESSAGE))

    def dashboard(self, uid: str) -> dict[str, Any] | None:
        got = self.call(f"read dashboard {uid}", lambda: self.api.dashboard.get_dashboard(uid), missing_ok=True)
        if got is not None and not (isinstance(got, dict) and isinstance(got.get("dashboard"), dict)):
            raise PushError(
                f"{self.shown} answered GET /api/dashboards/uid/{uid} with something other than a dashboard"
            )
        return got


def _message(exc: GrafanaException) -> str:
    """Grafana's own JSON ``message``; never a non-JSON body (a proxy's page may echo the request)."""
    r = exc.response
    if not isinstance(r, dict):
        return "non-JSON answer"
    return mask_urls(str(r.get("message") or r.get("status") or ""))[:200]


def _summarise(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What differs, in the operator's terms: panels and variables by name, other settings by key."""

    def by(items: list[dict[str, Any]], key: str) -> dict[str, str]:
        return {str(i.get(key)): json.dumps(i, sort_keys=True) for i in items}

    parts = []
    for what, o, n in (
        ("panels", by(old.get("panels", []), "title"), by(new.get("panels", []), "title")),
        (
            "variables",
            by(old.get("templating", {}).get("list", []), "name"),
            by(new.get("templating", {}).get("list", []), "name"),
        ),
    ):
        added = sorted(set(n) - set(o))
        removed = sorted(set(o) - set(n))
        changed = sorted(k for k in set(o) & set(n) if o[k] != n[k])
        if added or removed or changed:
            names = ", ".join([*(f"+{a}" for a in added), *(f"-{r}" for r in removed), *(f"~{c}" for c in changed)])
            parts.append(f"{what}: {names}")
    skip = {"panels", "templating", "description", "id", "version", "iteration"}
    keys = sorted(k for k in set(old) | set(new) if k not in skip and old.get(k) != new.get(k))
    if keys:
        parts.append("settings: " + ", ".join(keys))
    return "; ".join(parts) or "description"


def plan(gf: Grafana, boards: dict[str, tuple[Spec, dict[str, Any]]], *, force: bool = False) -> Plan:
    """Read everything and decide what to do with each dashboard; writes nothing."""
    gf.health()
    folders = gf.folders()
    out = Plan(gf.shown)
    wanted: dict[str, Folder] = {}
    for uid, (spec, local) in boards.items():
        wanted.setdefault(spec.folder.uid, spec.folder)
        got = gf.dashboard(uid)
        if got is None:
            out.changes.append(Change(uid, local["title"], spec.folder, "create", "new"))
            continue
        remote = dict(got.get("dashboard", {}))
        meta = got.get("meta", {})
        version = remote.get("version")
        moved = meta.get("folderUid", "") != spec.folder.uid
        stamp, actual = stamped_hash(remote), content_hash(remote)
        ch = Change(
            uid,
            local["title"],
            spec.folder,
            "update",
            remote=remote,
            remote_version=version if isinstance(version, int) else None,
        )
        intact = stamp is not None and (actual == stamp or gf.saved_by_netmon(uid, version))
        if not intact:
            who = f" by {meta['updatedBy']}" if meta.get("updatedBy") else ""
            when = f" at {meta['updated']}" if meta.get("updated") else ""
            why = (
                "exists in Grafana but was not made by netmon"
                if stamp is None
                else f"was changed in Grafana{who}{when} (version {version}) since netmon pushed it"
            )
            ch.action = "overwrite" if force else "conflict"
            ch.detail = why + ("; overwritten (--force)" if force else "; use --force to overwrite")
        elif stamp == stamped_hash(local) and not moved:
            ch.action, ch.detail = "unchanged", ""
        else:
            ch.detail = _summarise(remote, local) + (
                f"; moved from folder {meta.get('folderUid') or 'General'}" if moved else ""
            )
        out.changes.append(ch)
    out.new_folders = [f for uid, f in wanted.items() if uid not in folders]
    return out


def apply(gf: Grafana, p: Plan, boards: dict[str, tuple[Spec, dict[str, Any]]]) -> None:
    """Create folders, then write dashboards; on any failure undo this run's writes and raise."""
    created_folders: list[Folder] = []
    done: list[Change] = []
    try:
        for f in p.new_folders:
            gf.call(f"create folder {f.title!r} ({f.uid})", lambda f=f: gf.api.folder.create_folder(f.title, uid=f.uid))  # type: ignore[misc]
            created_folders.append(f)
        for ch in p.writes:
            local = dict(boards[ch.uid][1])
            local.pop("id", None)
            payload: dict[str, Any] = {
                "dashboard": local,
                "folderUid": ch.folder.uid,
                "message": f"{PUSH_MESSAGE} ({stamped_hash(local)})",
                "overwrite": ch.action == "overwrite",
            }
            if ch.remote_version is not None:
                local["version"] = ch.remote_version
            gf.call(f"save dashboard {ch.uid}", lambda payload=payload: gf.api.dashboard.update_dashboard(payload))  # type: ignore[misc]
            done.append(ch)
    except PushError as exc:
        undone = _rollback(gf, done, created_folders)
        raise PushError(f"{exc}\n{undone}", p) from None


def _rollback(gf: Grafana, done: list[Change], folders: list[Folder]) -> str:
    failed: list[str] = []
    for ch in reversed(done):
        try:
            if ch.remote is None:
                gf.call(f"delete dashboard {ch.uid}", lambda ch=ch: gf.api.dashboard.delete_dashboard(ch.uid))  # type: ignore[misc]
            else:
                previous = {k: v for k, v in ch.remote.items() if k not in ("id", "version")}
                body = {
                    "dashboard": previous,
                    "folderUid": ch.folder.uid,
                    "overwrite": True,
                    "message": f"{PUSH_MESSAGE} (rollback)",
                }
                gf.call(f"restore dashboard {ch.uid}", lambda body=body: gf.api.dashboard.update_dashboard(body))  # type: ignore[misc]
        except PushError:
            failed.append(ch.uid)
    for f in reversed(folders):
        try:
            gf.call(f"delete folder {f.uid}", lambda f=f: gf.api.folder.delete_folder(f.uid))  # type: ignore[misc]
        except PushError:
            failed.append(f"folder {f.uid}")
    n = len(done) + len(folders)
    if failed:
        return f"Rolled back {n - len(failed)} of {n} writes of this run; could not undo: {', '.join(failed)}."
    return f"Rolled back the {n} write(s) this run had made; Grafana is as it was." if n else "Nothing was written."


def push(
    url: str,
    token: str,
    *,
    force: bool = False,
    dry_run: bool = False,
    timeout: float = 10.0,
    boards: dict[str, tuple[Spec, dict[str, Any]]] | None = None,
) -> Plan:
    """Check, then (unless ``dry_run``) write every dashboard. Raises PushError on conflicts or failures."""
    boards = render_all() if boards is None else boards
    gf = Grafana(url, token, timeout)
    p = plan(gf, boards, force=force)
    if p.conflicts:
        lines = "\n".join(f"  {c.uid}: {c.detail}" for c in p.conflicts)
        raise PushError(
            f"{len(p.conflicts)} dashboard(s) in Grafana were changed outside netmon; nothing was written:\n{lines}", p
        )
    if not dry_run:
        apply(gf, p, boards)
    return p
