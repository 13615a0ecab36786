"""Sending one alert to every configured channel.

Channels are configured by environment variables (which an Airflow deployment
can set, or define as Airflow connections `csc_alert_smtp` / `csc_alert_webhook`):

    CSC_ALERT_SMTP_HOST, CSC_ALERT_SMTP_PORT (25), CSC_ALERT_SMTP_USER, CSC_ALERT_SMTP_PASSWORD,
    CSC_ALERT_SMTP_STARTTLS (false), CSC_ALERT_EMAIL_FROM, CSC_ALERT_EMAIL_TO (comma-separated)
    CSC_ALERT_WEBHOOK_URL

A channel that fails to send is logged and does not stop the others, or the run.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    kind: str  # quarantined | missing_extract | superseded | task_failed
    title: str
    summary: str
    la_code: str | None = None
    extract_date: str | None = None
    details: list[str] = field(default_factory=list)  # one line per problem; never data values

    def text(self) -> str:
        lines = [self.title, "", self.summary]
        if self.details:
            lines += ["", *[f"- {d}" for d in self.details]]
        return "\n".join(lines)

    def payload(self) -> dict:
        """Slack- and Teams-compatible: `text` for both, the structured alert beside it."""
        return {"text": self.text(), "alert": asdict(self)}


def send_alert(alert: Alert, env: dict[str, str] | None = None) -> list[str]:
    """Send to every configured channel; return the channels that accepted it."""
    env = _with_airflow_connections(dict(os.environ)) if env is None else env
    sent = []
    if env.get("CSC_ALERT_SMTP_HOST") and env.get("CSC_ALERT_EMAIL_TO"):
        try:
            _send_email(alert, env)
            sent.append("email")
        except (OSError, smtplib.SMTPException) as exc:
            log.error("alert email not sent: %s", type(exc).__name__)
    if env.get("CSC_ALERT_WEBHOOK_URL"):
        try:
            _post_webhook(alert, env["CSC_ALERT_WEBHOOK_URL"])
            sent.append("webhook")
        except OSError as exc:
            log.error("alert webhook not sent: %s", type(exc).__name__)
    if not sent:
        log.warning("alert (no channel configured or none accepted it): %s", alert.title)
    return sent


def _send_email(alert: Alert, env: dict[str, str]) -> None:
    msg = EmailMessage()
    msg["Subject"] = alert.title
    msg["From"] = env.get("CSC_ALERT_EMAIL_FROM", "csc-pipeline@localhost")
    msg["To"] = env["CSC_ALERT_EMAIL_TO"]
    msg.set_content(alert.text())
    with smtplib.SMTP(env["CSC_ALERT_SMTP_HOST"], int(env.get("CSC_ALERT_SMTP_PORT", "25")), timeout=30) as smtp:
        if env.get("CSC_ALERT_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"):
            smtp.starttls()
        if env.get("CSC_ALERT_SMTP_USER"):
            smtp.login(env["CSC_ALERT_SMTP_USER"], env.get("CSC_ALERT_SMTP_PASSWORD", ""))
        smtp.send_message(msg)


def _post_webhook(alert: Alert, url: str) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(alert.payload()).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status >= 300:
            raise OSError(f"webhook answered {response.status}")


def _with_airflow_connections(env: dict[str, str]) -> dict[str, str]:
    """Fill unset channels from Airflow connections, when running inside Airflow and they exist."""
    if env.get("CSC_ALERT_SMTP_HOST") and env.get("CSC_ALERT_WEBHOOK_URL"):
        return env
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return env
    out = dict(env)
    try:
        smtp = BaseHook.get_connection("csc_alert_smtp")
        extra = smtp.extra_dejson
        out.setdefault("CSC_ALERT_SMTP_HOST", smtp.host or "")
        out.setdefault("CSC_ALERT_SMTP_PORT", str(smtp.port or 25))
        if smtp.login:
            out.setdefault("CSC_ALERT_SMTP_USER", smtp.login)
            out.setdefault("CSC_ALERT_SMTP_PASSWORD", smtp.password or "")
        out.setdefault("CSC_ALERT_EMAIL_FROM", extra.get("from", "csc-pipeline@localhost"))
        out.setdefault("CSC_ALERT_EMAIL_TO", extra.get("to", ""))
    except Exception:  # not defined: that channel stays off
        pass
    try:
        # The full URL, in the connection's extra {"url": ...} or its host field.
        hook = BaseHook.get_connection("csc_alert_webhook")
        out.setdefault("CSC_ALERT_WEBHOOK_URL", hook.extra_dejson.get("url") or hook.host or "")
    except Exception:
        pass
    return out
