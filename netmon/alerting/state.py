"""Alert state, persisted in an SQLite file so a restart neither re-pages nor forgets.

The daemon owns the ``alerts`` table; the CLI (another process) only appends to ``acks`` and
``silences``, which the engine picks up on its next tick. WAL mode lets both work at once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import NetmonError
from ..fsmode import private_file

STATES = ("pending", "firing", "resolved")


def alert_id(rule: str, identity: Mapping[str, str]) -> str:
    """Stable short id of rule + identity labels (what `netmon alerts ack ID` takes)."""
    key = rule + "|" + "|".join(f"{k}={identity[k]}" for k in sorted(identity))
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:10]


@dataclass
class Alert:
    id: str
    rule: str
    severity: str
    labels: dict[str, str]
    state: str = "pending"
    value: float | str = 0.0
    summary_en: str = ""
    summary_zh: str = ""
    started: float = 0.0  # condition first true (pending since)
    fired: float | None = None
    resolved: float | None = None
    last_seen: float = 0.0  # last matching point
    suppressed: bool = False
    root_cause: str = ""
    impact: dict[str, Any] = field(default_factory=dict)
    flapping: bool = False
    changes: list[float] = field(default_factory=list)
    acked_by: str = ""
    acked_at: float | None = None
    ack_comment: str = ""
    silenced_by: str = ""
    level: int = 0  # escalation level reached (index into groups)
    route: int = -1  # index of the matching route, -1 for default_groups
    notified: dict[str, float] = field(default_factory=dict)  # receiver -> last send
    notified_state: str = ""  # what the receivers last heard: "", "firing", "resolved"
    last_notify: float = 0.0
    awaiting_cycle: bool = False  # fired from a poll; wait for end_cycle's topology check

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Alert:
        data = json.loads(text)
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def display_state(self) -> str:
        if self.state == "firing" and self.suppressed:
            return "suppressed"
        return self.state


@dataclass
class Silence:
    id: str
    matchers: list[str]
    starts: float
    ends: float
    created_by: str
    comment: str
    source: str = "cli"  # "cli" or "maintenance"

    def active(self, now: float) -> bool:
        return self.starts <= now < self.ends


_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, alert_id TEXT NOT NULL,
    rule TEXT NOT NULL, state TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_ts ON history(ts);
CREATE TABLE IF NOT EXISTS acks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, by TEXT NOT NULL,
    comment TEXT NOT NULL, ts REAL NOT NULL);
CREATE TABLE IF NOT EXISTS silences (
    id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts REAL NOT NULL, ends REAL NOT NULL,
    created_by TEXT NOT NULL, comment TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class AlertStore:
    """The SQLite file behind the engine and the `netmon alerts` commands."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            private_file(path)  # 0600 before SQLite opens it; its -wal/-shm files take the same mode
            self.db = sqlite3.connect(str(path), timeout=10, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise NetmonError(f"{path}: cannot open the alert state file: {exc}") from None

    def close(self) -> None:
        self.db.close()

    # --- engine side -------------------------------------------------------------------------
    def load_alerts(self) -> list[Alert]:
        return [Alert.from_json(row[0]) for row in self.db.execute("SELECT data FROM alerts")]

    def save(
        self, changed: Iterable[Alert], deleted: Iterable[str], events: Iterable[tuple[float, Alert]], keep: int
    ) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO alerts(id, data) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET data=excluded.data",
                [(a.id, a.to_json()) for a in changed],
            )
            self.db.executemany("DELETE FROM alerts WHERE id=?", [(i,) for i in deleted])
            rows = [(ts, a.id, a.rule, a.display_state, a.to_json()) for ts, a in events]
            if rows:
                self.db.executemany("INSERT INTO history(ts, alert_id, rule, state, data) VALUES(?,?,?,?,?)", rows)
                self.db.execute("DELETE FROM history WHERE seq <= (SELECT MAX(seq) FROM history) - ?", (keep,))

    def acks_after(self, seq: int) -> list[tuple[int, str, str, str, float]]:
        return list(
            self.db.execute("SELECT seq, alert_id, by, comment, ts FROM acks WHERE seq > ? ORDER BY seq", (seq,))
        )

    def meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    # --- CLI side ----------------------------------------------------------------------------
    def add_ack(self, alert_id: str, by: str, comment: str) -> None:
        self.db.execute(
            "INSERT INTO acks(alert_id, by, comment, ts) VALUES(?,?,?,?)", (alert_id, by, comment, time.time())
        )

    def add_silence(self, matchers: list[str], starts: float, ends: float, by: str, comment: str) -> Silence:
        s = Silence(uuid.uuid4().hex[:8], matchers, starts, ends, by, comment)
        self.db.execute(
            "INSERT INTO silences(id, matchers, starts, ends, created_by, comment) VALUES(?,?,?,?,?,?)",
            (s.id, json.dumps(matchers, ensure_ascii=False), starts, ends, by, comment),
        )
        return s

    def expire_silence(self, sid: str, now: float) -> bool:
        cur = self.db.execute("UPDATE silences SET ends=? WHERE id=? AND ends > ?", (now, sid, now))
        return cur.rowcount > 0

    def silences(self) -> list[Silence]:
        return [
            Silence(r[0], json.loads(r[1]), r[2], r[3], r[4], r[5])
            for r in self.db.execute(
                "SELECT id, matchers, starts, ends, created_by, comment FROM silences ORDER BY starts"
            )
        ]

    def history(self, limit: int = 50, since: float = 0.0, alert: str | None = None) -> list[tuple[float, Alert]]:
        q = "SELECT ts, data FROM history WHERE ts >= ?"
        args: list[Any] = [since]
        if alert:
            q += " AND alert_id = ?"
            args.append(alert)
        q += " ORDER BY seq DESC LIMIT ?"
        args.append(limit)
        return [(r[0], Alert.from_json(r[1])) for r in self.db.execute(q, args)]
