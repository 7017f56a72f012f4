"""``influxdb://`` — the v2 write API through influxdb-client's WriteApi.

Works with InfluxDB 2.x/3.x, with 1.8+ (``org=-``, ``bucket=db/rp``, token ``user:password``)
and with anything else that speaks ``/api/v2/write`` (VictoriaMetrics is what the tests use,
since InfluxDB 2.x cannot be installed on the build machine). influxdb-client's write call is
blocking (urllib3), so it runs in a worker thread; its own retries are off because the
pipeline retries with backoff and keeps the batch in the spool meanwhile.
"""

from __future__ import annotations

import asyncio
import json

import httpx
from influxdb_client import InfluxDBClient, WritePrecision
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.rest import ApiException
from urllib3.exceptions import HTTPError as Urllib3Error

from ..errors import NetmonError
from .base import Sink, SinkRejected, SinkUnavailable
from .influxql import InfluxQLQuery
from .partial import parse_partial
from .urls import SinkURL

_PRECISION = {"ns": WritePrecision.NS, "us": WritePrecision.US, "ms": WritePrecision.MS, "s": WritePrecision.S}


def _api_message(exc: ApiException) -> str:
    try:
        return str(json.loads(exc.body or "{}").get("message") or exc.body or exc.reason).strip()
    except ValueError:
        return str(exc.body or exc.reason).strip()[:300]


class Influx2Sink(Sink):
    def __init__(self, url: SinkURL) -> None:
        super().__init__(url)
        self._token = url.secret()
        self._client = InfluxDBClient(
            url=url.base_url,
            token=self._token,
            org=url.org,
            timeout=int(url.timeout * 1000),
            enable_gzip=url.gzip,
            retries=False,
        )
        self._write = self._client.write_api(write_options=SYNCHRONOUS)

    async def start(self) -> None:
        if not self._token:
            raise NetmonError(f"{self.url}: no token: set the environment variable {self.url.secret_env}")
        # An empty write checks reachability, the token and the bucket without storing anything.
        headers = {"Authorization": f"Token {self._token}"}
        params = {"org": self.url.org, "bucket": self.url.bucket, "precision": self.precision}
        try:
            async with httpx.AsyncClient(base_url=self.url.base_url, timeout=self.url.timeout) as c:
                resp = await c.post("/api/v2/write", params=params, content=b"", headers=headers)
        except httpx.TransportError as exc:
            raise SinkUnavailable(
                f"{self.url}: cannot reach {self.url.base_url}: {type(exc).__name__}: {exc}"
            ) from None
        if resp.status_code in (401, 403):
            raise NetmonError(f"{self.url}: the token in ${self.url.secret_env} was refused (HTTP {resp.status_code})")
        if resp.status_code == 404:
            raise NetmonError(
                f"{self.url}: HTTP 404: bucket {self.url.bucket!r} or org {self.url.org!r} not found "
                "(or the server has no v2 write API: use influxdb1:// for InfluxDB 1.7 and older)"
            )
        if resp.status_code >= 500:
            raise SinkUnavailable(f"{self.url}: HTTP {resp.status_code}")

    def _write_sync(self, payload: bytes) -> None:
        self._write.write(
            bucket=self.url.bucket,
            org=self.url.org,
            record=payload,
            write_precision=_PRECISION[self.precision],  # type: ignore[arg-type]
        )

    async def write(self, payload: bytes, points: int) -> None:
        try:
            await asyncio.to_thread(self._write_sync, payload)
        except ApiException as exc:
            status = int(exc.status or 0)
            msg = f"{self.url}: HTTP {status}: {_api_message(exc)}"
            if status >= 500 or status in (0, 408, 429):
                raise SinkUnavailable(msg) from None
            if status in (401, 403):
                msg += f" (check the token in ${self.url.secret_env})"
            elif status == 404:
                msg += f" (does bucket {self.url.bucket!r} exist in org {self.url.org!r}?)"
            raise SinkRejected(msg, status, parse_partial(msg, payload, points, self.precision)) from None
        except (Urllib3Error, OSError) as exc:
            raise SinkUnavailable(f"{self.url}: {type(exc).__name__}: {exc}") from None

    async def close(self) -> None:
        await asyncio.to_thread(self._client.close)


def influx2_query(url: SinkURL) -> InfluxQLQuery:
    """InfluxQL through the v1-compatible /query (DBRP mapping for the bucket needed on 2.x)."""
    db, _, rp = url.bucket.partition("/")
    headers = {"Authorization": f"Token {url.secret()}"} if url.secret() else {}
    return InfluxQLQuery(url.base_url, db, rp=rp, headers=headers, timeout=max(url.timeout, 30.0))
