"""Query helper over InfluxQL ``/query``: InfluxDB 1.x, and 1.8+/2.x/3.x via their v1-compatible API.

One query path serves both Influx sinks; for 2.x the bucket needs a DBRP mapping (see
docs/STORAGE.md). Values come back as JSON: an integer field written as ``1i`` and a float
written as ``1`` both read as 1.
"""

from __future__ import annotations

from typing import Any

import httpx

from ..errors import NetmonError
from ..model import Point
from .base import Query, SinkUnavailable


def ident(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class InfluxQLQuery(Query):
    def __init__(
        self,
        base_url: str,
        database: str,
        rp: str = "",
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.database, self.rp = database, rp
        self._client = httpx.AsyncClient(base_url=base_url, headers=headers or {}, auth=auth, timeout=timeout)

    def _from(self, measurement: str) -> str:
        return (ident(self.rp) + "." if self.rp else "") + ident(measurement)

    @staticmethod
    def _where(where: dict[str, str] | None, extra: list[str]) -> str:
        conds = [f"{ident(k)} = {literal(v)}" for k, v in (where or {}).items()] + extra
        return (" WHERE " + " AND ".join(conds)) if conds else ""

    @staticmethod
    def _select(fields: list[str] | None) -> str:
        return ", ".join(ident(f) for f in fields) if fields else "*"

    async def run(self, q: str) -> list[dict[str, Any]]:
        """Run InfluxQL; return the series of the first statement."""
        try:
            resp = await self._client.post("/query", data={"db": self.database, "q": q, "epoch": "ns"})
        except httpx.TransportError as exc:
            raise SinkUnavailable(f"{self._client.base_url}: {type(exc).__name__}: {exc}") from None
        if resp.status_code >= 500:
            raise SinkUnavailable(f"{self._client.base_url}/query: HTTP {resp.status_code}")
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code >= 400:
            raise NetmonError(f"{self._client.base_url}/query: HTTP {resp.status_code}: {body.get('error', resp.text)}")
        res = (body.get("results") or [{}])[0]
        if "error" in res:
            raise NetmonError(f"{self._client.base_url}/query: {res['error']}")
        return list(res.get("series", []))

    @staticmethod
    def _points(measurement: str, series: list[dict[str, Any]]) -> list[Point]:
        out: list[Point] = []
        for s in series:
            cols = s["columns"]
            tags = {k: v for k, v in (s.get("tags") or {}).items() if v != ""}
            for row in s.get("values", []):
                fields = {c: v for c, v in zip(cols[1:], row[1:], strict=True) if v is not None}
                if fields:
                    out.append(Point(measurement, dict(tags), fields, int(row[0])))
        return out

    async def latest(
        self, measurement: str, where: dict[str, str] | None = None, fields: list[str] | None = None
    ) -> list[Point]:
        q = f"SELECT {self._select(fields)} FROM {self._from(measurement)}{self._where(where, [])} "  # noqa: S608 (quoted)
        q += "GROUP BY * ORDER BY time DESC LIMIT 1"
        return self._points(measurement, await self.run(q))

    async def range(
        self,
        measurement: str,
        start_ns: int,
        end_ns: int,
        where: dict[str, str] | None = None,
        fields: list[str] | None = None,
    ) -> list[Point]:
        cond = [f"time >= {int(start_ns)}", f"time < {int(end_ns)}"]
        q = f"SELECT {self._select(fields)} FROM {self._from(measurement)}{self._where(where, cond)} GROUP BY *"  # noqa: S608
        pts = self._points(measurement, await self.run(q))
        pts.sort(key=lambda p: p.time_ns)
        return pts

    async def close(self) -> None:
        await self._client.aclose()
