"""Email transports: SMTP when ZEROKEEP_SMTP_URL is set, else a Maildir outbox in the data dir.

    transport = transport_for(settings)     # SmtpTransport or MaildirOutbox
    await transport.send(message)           # raises OSError / mailbox.Error on failure

SMTP URLs: smtp://host:port (plain), smtp+starttls://user:pass@host:port, smtps://host:port
(implicit TLS). smtplib is blocking, so each send runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import mailbox
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import unquote, urlsplit

from zerokeep.config import Settings

OUTBOX_DIR_NAME = "outbox"
SMTP_TIMEOUT_SECONDS = 10.0

Security = Literal["plain", "starttls", "tls"]
_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


class Transport(Protocol):
    name: str

    async def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: Security = "plain",
        username: str | None = None,
        password: str | None = None,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self._username = username
        self._password = password
        self._timeout = timeout

    @classmethod
    def from_url(cls, url: str) -> SmtpTransport:
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES or not parts.hostname:
            raise ValueError("an SMTP URL looks like smtp://host:port or smtp+starttls://u:p@host")
        security, default_port = _SCHEMES[parts.scheme]
        return cls(
            parts.hostname,
            parts.port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def __repr__(self) -> str:  # never the password
        return f"<SmtpTransport {self.security} {self.host}:{self.port}>"

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.security == "tls":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self._timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self._timeout)
        with client:
            if self.security == "starttls":
                client.starttls(context=context)
            if self._username is not None:
                client.login(self._username, self._password or "")
            client.send_message(message)


class MaildirOutbox:
    """Writes each message as a file of a Maildir (`new/`), readable by any mail tool."""

    name = "maildir"

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"<MaildirOutbox {self.path}>"

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._add, message)

    def _add(self, message: EmailMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self.path, create=True).add(mailbox.MaildirMessage(message))


def transport_for(settings: Settings) -> Transport:
    if settings.smtp_url:
        return SmtpTransport.from_url(settings.smtp_url)
    return MaildirOutbox(settings.data_dir / OUTBOX_DIR_NAME)
