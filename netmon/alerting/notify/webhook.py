"""Generic JSON webhook, signed like GitHub's: ``X-Netmon-Signature: sha256=HEX(HMAC-SHA256(secret, body))``.

The body carries ``sent_at`` (Unix seconds) so a receiver can reject replays.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import asdict
from pathlib import Path

from pydantic import SecretStr

from .http import HttpNotifier, dumps
from .message import Notice


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookNotifier(HttpNotifier):
    kind = "webhook"

    def __init__(
        self,
        name: str,
        url: str,
        secret: SecretStr | None,
        header: str,
        timeout: float,
        retries: int,
        backoff: float,
        language: str,
        ca_file: Path | None,
    ) -> None:
        super().__init__(name, timeout, retries, backoff, language, ca_file)
        self.url = url
        self._secret = secret
        self.header = header

    async def deliver(self, notices: list[Notice]) -> None:
        alerts = []
        for n in notices:
            a = asdict(n.alert)
            for private in ("notified", "changes", "awaiting_cycle"):
                a.pop(private, None)
            alerts.append({"kind": n.kind, **a})
        body = dumps({"version": 1, "receiver": self.name, "sent_at": int(time.time()), "alerts": alerts})
        headers = {}
        if self._secret is not None:
            headers[self.header] = webhook_signature(self._secret.get_secret_value(), body)
        await self.post(self.url, body, headers)
