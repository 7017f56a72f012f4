"""WeCom (企业微信) group robot: POST ?key=KEY with a markdown message (content <= 4096 bytes)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from pydantic import SecretStr

from .base import DeliveryError
from .http import HttpNotifier, dumps
from .message import Notice, markdown

RATE_LIMITED = 45009  # api freq out of limit: retry later
MAX_BYTES = 4096


def _clip(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 4].decode(errors="ignore") + "\n…"


class WeComNotifier(HttpNotifier):
    kind = "wecom"

    def __init__(
        self,
        name: str,
        url: str,
        key: SecretStr,
        rate_per_minute: int,
        timeout: float,
        retries: int,
        backoff: float,
        language: str,
        ca_file: Path | None,
    ) -> None:
        super().__init__(name, timeout, retries, backoff, language, ca_file)
        self.base = url
        self._key = key
        self.rate_per_minute = rate_per_minute

    async def deliver(self, notices: list[Notice]) -> None:
        url = f"{self.base}?key={urllib.parse.quote_plus(self._key.get_secret_value())}"
        body = {"msgtype": "markdown", "markdown": {"content": _clip(markdown(notices, self.language), MAX_BYTES)}}
        resp = await self.post(url, dumps(body), {})
        code = self.errcode(resp, url)
        if code == RATE_LIMITED:
            raise DeliveryError(f"{self.where(url)}: rate limited (errcode 45009)")
        if code != 0:
            raise DeliveryError(f"{self.where(url)}: errcode {code}", retryable=False)
