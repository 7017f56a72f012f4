"""``influxdb1://`` — InfluxDB 1.x through the v1 HTTP API (``/write``, ``/query``, ``/ping``)."""

from __future__ import annotations

import gzip

import httpx

from ..errors import NetmonError
from .base import Sink, SinkRejected, SinkUnavailable
from .influxql import InfluxQLQuery, ident
from .partial import parse_partial
from .urls import SinkURL

_V1_PRECISION = {"ns": "n", "us": "u", "ms": "ms", "s": "s"}


def _error_text(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("error", resp.text)).strip()
    except ValueError:
        return resp.text.strip()[:300]


def _auth(url: SinkURL) -> tuple[str, str] | None:
    return (url.user, url.secret()) if url.user else None


class Influx1Sink(Sink):
    def __init__(self, url: SinkURL) -> None:
        super().__init__(url)
        self._client = httpx.AsyncClient(base_url=url.base_url, auth=_auth(url), timeout=url.timeout)
        self._params = {"db": url.database, "precision": _V1_PRECISION[url.precision]}
        if url.rp:
            self._params["rp"] = url.rp

    async def start(self) -> None:
        try:
            await self._client.get("/ping")
        except httpx.TransportError as exc:
            raise SinkUnavailable(
                f"{self.url}: cannot reach {self.url.base_url}: {type(exc).__name__}: {exc}"
            ) from None
        q = InfluxQLQuery(self.url.base_url, self.url.database, auth=_auth(self.url), timeout=self.url.timeout)
        try:
            resp = await q._client.post("/query", data={"q": "SHOW DATABASES"})
        except httpx.TransportError as exc:
            raise SinkUnavailable(f"{self.url}: {type(exc).__name__}: {exc}") from None
        finally:
            await q.close()
        if resp.status_code in (401, 403):
            who = f"user {self.url.user!r} with ${self.url.secret_env}" if self.url.user else "no user given"
            raise NetmonError(
                f"{self.url}: authentication refused (HTTP {resp.status_code}; {who}): {_error_text(resp)}"
            )
        if resp.status_code >= 400:
            raise SinkUnavailable(f"{self.url}: SHOW DATABASES: HTTP {resp.status_code}: {_error_text(resp)}")
        series = (resp.json().get("results") or [{}])[0].get("series") or [{}]
        names = {row[0] for row in series[0].get("values") or []}
        if self.url.database not in names:
            raise NetmonError(
                f"{self.url}: database {self.url.database!r} does not exist on {self.url.base_url}; "
                f"create it (CREATE DATABASE {ident(self.url.database)}) or fix the URL"
            )

    async def write(self, payload: bytes, points: int) -> None:
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        body = payload
        if self.url.gzip:
            body = gzip.compress(payload, compresslevel=1)
            headers["Content-Encoding"] = "gzip"
        try:
            resp = await self._client.post("/write", params=self._params, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise SinkUnavailable(f"{self.url}: {type(exc).__name__}: {exc}") from None
        if resp.status_code == 204:
            return
        if resp.status_code >= 500 or resp.status_code in (408, 429):
            raise SinkUnavailable(f"{self.url}: HTTP {resp.status_code}: {_error_text(resp)}")
        text = _error_text(resp)
        partial = parse_partial(text, payload, points, self.url.precision)
        raise SinkRejected(f"{self.url}: HTTP {resp.status_code}: {text}", resp.status_code, partial)

    async def close(self) -> None:
        await self._client.aclose()


def influx1_query(url: SinkURL) -> InfluxQLQuery:
    return InfluxQLQuery(url.base_url, url.database, rp=url.rp, auth=_auth(url), timeout=max(url.timeout, 30.0))
