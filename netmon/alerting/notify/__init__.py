"""Notifiers: Alertmanager, DingTalk, WeCom, e-mail and a generic webhook."""

from __future__ import annotations

from ...secrets import SecretStore
from ..config import (
    AlertingConfig,
    AlertmanagerReceiver,
    DingTalkReceiver,
    EmailReceiver,
    WebhookReceiver,
    WeComReceiver,
)
from .alertmanager import AlertmanagerNotifier
from .base import DeliveryError, Dispatcher, Notifier
from .dingtalk import DingTalkNotifier
from .email import EmailNotifier
from .message import Notice
from .webhook import WebhookNotifier
from .wecom import WeComNotifier

__all__ = ["DeliveryError", "Dispatcher", "Notice", "Notifier", "build_notifiers"]


def build_notifiers(cfg: AlertingConfig, secrets: SecretStore, source: str = "netmon.yaml") -> dict[str, Notifier]:
    """One notifier per receiver; secret references resolved here (an InputError names the receiver)."""
    out: dict[str, Notifier] = {}
    for name, r in cfg.receivers.items():
        where = f"{source}: alerting.receivers.{name}"
        common = (r.timeout, r.retries, r.backoff)
        n: Notifier
        if isinstance(r, AlertmanagerReceiver):
            n = AlertmanagerNotifier(name, r.url, r.resend, *common)
        elif isinstance(r, DingTalkReceiver):
            n = DingTalkNotifier(
                name,
                r.url,
                secrets.resolve(r.access_token, where),
                secrets.resolve(r.secret, where) if r.secret else None,
                r.rate_per_minute,
                *common,
                r.language,
                r.ca_file,
            )
        elif isinstance(r, WeComReceiver):
            n = WeComNotifier(
                name, r.url, secrets.resolve(r.key, where), r.rate_per_minute, *common, r.language, r.ca_file
            )
        elif isinstance(r, EmailReceiver):
            n = EmailNotifier(
                name,
                r.host,
                r.port,
                r.starttls,
                r.username,
                secrets.resolve(r.password, where) if r.password else None,
                r.sender,
                r.to,
                *common,
                r.language,
                r.ca_file,
            )
        elif isinstance(r, WebhookReceiver):
            n = WebhookNotifier(
                name,
                r.url,
                secrets.resolve(r.secret, where) if r.secret else None,
                r.signature_header,
                *common,
                r.language,
                r.ca_file,
            )
        else:  # pragma: no cover - the discriminated union is exhaustive
            raise TypeError(type(r))
        out[name] = n
    return out
