"""Shared HTTP sending for the webhook-style notifiers (httpx, TLS verified, optional private CA)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx

from .base import DeliveryError, Notifier

# httpx logs every request URL at INFO; DingTalk and WeCom carry their token in the query.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class HttpNotifier(Notifier):
    def __init__(
        self, name: str, timeout: float, retries: int, backoff: float, language: str, ca_file: Path | None
    ) -> None:
        super().__init__(name, timeout, retries, backoff, language)
        self.ca_file = ca_file
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        if self._client is None:
            verify: Any = str(self.ca_file) if self.ca_file else True
            if self.ca_file:
                import ssl

                verify = ssl.create_default_context(cafile=str(self.ca_file))
            self._client = httpx.AsyncClient(timeout=self.timeout, verify=verify)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post(self, url: str, body: bytes, headers: dict[str, str], what: str) -> httpx.Response:
        """POST; timeouts, connection errors, 429 and 5xx are retryable, other 4xx are not.

        ``what`` names the endpoint in errors without its query string (tokens live there).
        """
        if self._client is None:
            await self.start()
        assert self._client is not None
        try:
            resp = await self._client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
        except httpx.TimeoutException:
            raise DeliveryError(f"{what}: timed out after {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{what}: {type(exc).__name__}") from None
        if resp.status_code == 429 or resp.status_code >= 500:
            raise DeliveryError(f"{what}: HTTP {resp.status_code}")
        if resp.status_code >= 400:
            raise DeliveryError(f"{what}: HTTP {resp.status_code} {resp.text[:200]}", retryable=False)
        return resp


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
