"""E-mail over SMTP with STARTTLS (certificate verified; a private relay's CA via ca_file)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from pydantic import SecretStr

from .base import DeliveryError, Notifier
from .message import Notice, markdown, plain, title


class EmailNotifier(Notifier):
    kind = "email"

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        starttls: bool,
        username: str | None,
        password: SecretStr | None,
        sender: str,
        to: list[str],
        timeout: float,
        retries: int,
        backoff: float,
        language: str,
        ca_file: Path | None,
    ) -> None:
        super().__init__(name, timeout, retries, backoff, language)
        self.host, self.port, self.starttls = host, port, starttls
        self.username, self._password = username, password
        self.sender, self.to = sender, to
        self.ca_file = ca_file

    def build(self, notices: list[Notice]) -> EmailMessage:
        msg = EmailMessage()
        lang = "zh" if self.language in ("zh", "both") else "en"
        msg["Subject"] = title(notices, lang)
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg.set_content(plain(notices, self.language))
        msg.add_alternative(
            "<pre style='font-family:sans-serif'>" + _html_escape(markdown(notices, self.language)) + "</pre>",
            subtype="html",
        )
        return msg

    def _send(self, msg: EmailMessage) -> None:
        ctx = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=ctx)
                smtp.ehlo()
            if self.username and self._password is not None:
                smtp.login(self.username, self._password.get_secret_value())
            smtp.send_message(msg)

    async def deliver(self, notices: list[Notice]) -> None:
        msg = self.build(notices)
        where = f"smtp {self.host}:{self.port}"
        try:
            await asyncio.wait_for(asyncio.to_thread(self._send, msg), self.timeout * 3)
        except TimeoutError:
            raise DeliveryError(f"{where}: timed out") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{where}: authentication failed ({exc.smtp_code})", retryable=False) from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError(f"{where}: recipients refused", retryable=False) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"{where}: {exc.smtp_code}", retryable=exc.smtp_code >= 400 and exc.smtp_code < 500
            ) from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"{where}: TLS failed ({exc.reason})", retryable=False) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None


def _html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
