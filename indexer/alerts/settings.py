"""Delivery settings, from MEDIA_MONITOR_* environment variables (or given directly)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

PREFIX = "MEDIA_MONITOR_"


@dataclass(frozen=True)
class DeliverySettings:
    """Where mail goes out and how links in messages are written."""

    base_url: str = "http://127.0.0.1:8000"   # the web app as readers reach it
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_security: str = "none"               # none | starttls | tls
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = "Media Monitor <alerts@localhost>"
    hits_per_message: int = 20                # the rest are one link away, in the inbox
    timeout: float = 20.0                     # seconds for one SMTP or webhook exchange
    retry_for: float = 24 * 3600.0            # seconds a message is retried before it fails
    first_retry: float = 30.0                 # seconds before the first retry; doubles
    max_retry: float = 3600.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "DeliverySettings":
        """Read MEDIA_MONITOR_BASE_URL, MEDIA_MONITOR_SMTP_HOST, ..._SMTP_PORT,
        ..._SMTP_SECURITY, ..._SMTP_USER, ..._SMTP_PASSWORD, ..._MAIL_FROM and
        ..._HITS_PER_MESSAGE; the defaults stand for what is not set."""
        env = os.environ if environ is None else environ
        base = cls()
        read = lambda name, default, kind=str: kind(env.get(PREFIX + name, default))  # noqa: E731
        security = read("SMTP_SECURITY", base.smtp_security).lower()
        if security not in ("none", "starttls", "tls"):
            raise ValueError(f"{PREFIX}SMTP_SECURITY must be none, starttls or tls, not {security!r}")
        return cls(base_url=read("BASE_URL", base.base_url).rstrip("/"),
                   smtp_host=read("SMTP_HOST", base.smtp_host),
                   smtp_port=read("SMTP_PORT", base.smtp_port, int), smtp_security=security,
                   smtp_user=env.get(PREFIX + "SMTP_USER") or None,
                   smtp_password=env.get(PREFIX + "SMTP_PASSWORD") or None,
                   mail_from=read("MAIL_FROM", base.mail_from),
                   hits_per_message=read("HITS_PER_MESSAGE", base.hits_per_message, int))
