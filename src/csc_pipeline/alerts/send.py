"""Sending one alert to every configured channel.

Channels are the deployment's `alerts` settings (deployment.py: environment variables
CSC_ALERT_SMTP_HOST, CSC_ALERT_SMTP_PORT (25), CSC_ALERT_SMTP_USER, CSC_ALERT_SMTP_PASSWORD,
CSC_ALERT_SMTP_STARTTLS (false), CSC_ALERT_EMAIL_FROM, CSC_ALERT_EMAIL_TO (comma-separated),
CSC_ALERT_WEBHOOK_URL, or the Airflow connections `csc_alert_smtp` / `csc_alert_webhook`).

A channel that fails to send is logged and does not stop the others, or the run.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage

from csc_pipeline import deployment
from csc_pipeline.deployment import AlertSettings

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


def send_alert(alert: Alert, channels: AlertSettings | None = None) -> list[str]:
    """Send to every configured channel (default: this deployment's); return those that accepted it."""
    if channels is None:
        channels = deployment.alert_settings_from_airflow(deployment.current().alerts)
    sent = []
    if channels.smtp_host and channels.email_to:
        try:
            _send_email(alert, channels)
            sent.append("email")
        except (OSError, smtplib.SMTPException) as exc:
            log.error("alert email not sent: %s", type(exc).__name__)
    if channels.webhook_url:
        try:
            _post_webhook(alert, channels.webhook_url)
            sent.append("webhook")
        except OSError as exc:
            log.error("alert webhook not sent: %s", type(exc).__name__)
    if not sent:
        log.warning("alert (no channel configured or none accepted it): %s", alert.title)
    return sent


def _send_email(alert: Alert, channels: AlertSettings) -> None:
    msg = EmailMessage()
    msg["Subject"] = alert.title
    msg["From"] = channels.email_from
    msg["To"] = channels.email_to
    msg.set_content(alert.text())
    with smtplib.SMTP(channels.smtp_host, channels.smtp_port, timeout=30) as smtp:
        if channels.smtp_starttls:
            smtp.starttls()
        if channels.smtp_user:
            smtp.login(channels.smtp_user, channels.smtp_password)
        smtp.send_message(msg)


def _post_webhook(alert: Alert, url: str) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(alert.payload()).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status >= 300:
            raise OSError(f"webhook answered {response.status}")
