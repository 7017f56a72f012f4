"""DingTalk (钉钉) group robot with signed requests (加签), markdown messages, 20/min limit.

As DingTalk documents: ``timestamp`` in ms; ``string_to_sign = timestamp + "\\n" + secret``;
``sign = urlencode(base64(HMAC-SHA256(key=secret, msg=string_to_sign)))``; both go in the query.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from pathlib import Path

from pydantic import SecretStr

from .base import DeliveryError
from .http import HttpNotifier, dumps
from .message import Notice, markdown, title

RATE_LIMITED = 130101  # "send too fast": retry later


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class DingTalkNotifier(HttpNotifier):
    kind = "dingtalk"

    def __init__(
        self,
        name: str,
        url: str,
        access_token: SecretStr,
        secret: SecretStr | None,
        rate_per_minute: int,
        timeout: float,
        retries: int,
        backoff: float,
        language: str,
        ca_file: Path | None,
    ) -> None:
        super().__init__(name, timeout, retries, backoff, language, ca_file)
        self.base = url
        self._token = access_token
        self._secret = secret
        self.rate_per_minute = rate_per_minute

    def signed_url(self, now_ms: int | None = None) -> str:
        q = "access_token=" + urllib.parse.quote_plus(self._token.get_secret_value())
        if self._secret is not None:
            ts = now_ms if now_ms is not None else int(time.time() * 1000)
            q += f"&timestamp={ts}&sign={dingtalk_sign(self._secret.get_secret_value(), ts)}"
        return f"{self.base}{'&' if '?' in self.base else '?'}{q}"

    async def deliver(self, notices: list[Notice]) -> None:
        body = {
            "msgtype": "markdown",
            "markdown": {"title": title(notices, "zh")[:64], "text": markdown(notices, self.language)},
        }
        url = self.signed_url()
        resp = await self.post(url, dumps(body), {})
        code = self.errcode(resp, url)
        if code == RATE_LIMITED:
            raise DeliveryError(f"{self.where(url)}: rate limited (errcode 130101)")
        if code != 0:
            raise DeliveryError(f"{self.where(url)}: errcode {code}", retryable=False)
