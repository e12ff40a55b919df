"""The sending channels: email over SMTP (smtplib) and webhook POSTs signed with
HMAC-SHA256 (urllib). Each raises SendFailed with a one-line reason when the other side
does not take the message; the outbox (delivery.py) decides when to try again.

Each message carries its outbox id (the email's Message-ID, the webhook's
X-Media-Monitor-Delivery header): should a sender die between the other side taking a
message and the outbox recording it, the one resend carries the same id, so a receiver
that keeps ids sees every message exactly once.
"""
from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage

from indexer.alerts.settings import DeliverySettings

SIGNATURE_HEADER = "X-Media-Monitor-Signature"
DELIVERY_HEADER = "X-Media-Monitor-Delivery"
EVENT_HEADER = "X-Media-Monitor-Event"


class SendFailed(RuntimeError):
    """The other side did not take the message (a refusal, a timeout, a bad answer)."""


def signature(secret: str, body: bytes) -> str:
    """The signature header's value: sha256= and the hex HMAC of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """Whether a signature header is right for the body (what a receiver checks)."""
    return hmac.compare_digest(signature(secret, body), header or "")


def post_webhook(url: str, secret: str, body: bytes, delivery_id: int, event: str,
                 timeout: float) -> None:
    """POST the JSON body; any answer but 2xx is a failure."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Media Monitor alerts",
        SIGNATURE_HEADER: signature(secret, body), DELIVERY_HEADER: str(delivery_id),
        EVENT_HEADER: event})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"the webhook answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendFailed(f"the webhook could not be reached: {reason}") from None


def send_email(settings: DeliverySettings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server the settings name."""
    try:
        if settings.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                      timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password or "")
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailed(f"the mail server {settings.smtp_host}:{settings.smtp_port} "
                         f"did not take the message: {exc}") from None
