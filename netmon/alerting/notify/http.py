"""Shared HTTP sending for the webhook-style notifiers (httpx, TLS verified, optional private CA)."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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

    def where(self, url: str) -> str:
        """How errors name the endpoint: receiver name and kind, scheme://host:port only. Never
        the path or the query: DingTalk/WeCom tokens live in the query, other hooks in the path."""
        try:
            u = urlsplit(url)
            origin = f"{u.scheme}://{u.hostname or '?'}{f':{u.port}' if u.port else ''}"
        except ValueError:
            origin = "?"
        return f"{self.kind} receiver {self.name!r} ({origin})"

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        """POST; timeouts, connection errors, 429 and 5xx are retryable, other 4xx are not.

        Errors carry the receiver's name, the status code and its standard reason phrase, never
        the answer's body: a receiver's error page may echo the URL's token or signature.
        """
        if self._client is None:
            await self.start()
        assert self._client is not None
        what = self.where(url)
        try:
            resp = await self._client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
        except httpx.TimeoutException:
            raise DeliveryError(f"{what}: timed out after {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{what}: {type(exc).__name__}") from None
        if resp.status_code >= 400:
            raise DeliveryError(
                f"{what}: HTTP {status_text(resp.status_code)}",
                retryable=resp.status_code == 429 or resp.status_code >= 500,
            )
        return resp

    def errcode(self, resp: httpx.Response, url: str) -> int:
        """The ``errcode`` of a DingTalk/WeCom JSON answer (0: delivered). Only the number is
        ever reported: ``errmsg`` may quote the request."""
        try:
            return int(json.loads(resp.text).get("errcode", 0))
        except (ValueError, AttributeError, TypeError):
            raise DeliveryError(
                f"{self.where(url)}: HTTP {resp.status_code} but the answer is not the expected JSON "
                f"({len(resp.content)} bytes, content-type {resp.headers.get('content-type', '?')!r})"
            ) from None


def status_text(code: int) -> str:
    """``404 Not Found``: the standard phrase for the code, not the server's own reason text."""
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
