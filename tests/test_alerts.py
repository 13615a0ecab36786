"""Alerts reach a real local SMTP server and HTTP receiver, and carry no data values."""

from __future__ import annotations

from alert_receivers import SmtpServer, WebhookReceiver, alert_env
from csc_pipeline import deployment
from csc_pipeline.alerts import Alert, send_alert


def _alert() -> Alert:
    return Alert(
        kind="quarantined", title="E06999999 extract of 2026-11-24 quarantined",
        summary="2 blocking problems; the marts keep serving the 2026-11-23 data.",
        la_code="E06999999", extract_date="2026-11-24",
        details=["ssd_person.pers_person_id: primary key not unique — 2 rows (rows 5, 9)"],
    )


def test_alert_is_emailed_and_posted():
    with SmtpServer() as smtp, WebhookReceiver() as hook:
        sent = send_alert(_alert(), deployment.load(alert_env(smtp, hook)).alerts)
    assert sent == ["email", "webhook"]
    (mail,) = smtp.messages
    assert "Subject: E06999999 extract of 2026-11-24 quarantined" in mail
    assert "primary key not unique" in mail
    (payload,) = hook.received
    assert payload["alert"]["kind"] == "quarantined"
    assert "rows 5, 9" in payload["text"]


def test_a_failing_channel_does_not_stop_the_other():
    with WebhookReceiver() as hook:
        sent = send_alert(_alert(), deployment.load({
            "CSC_ALERT_SMTP_HOST": "127.0.0.1", "CSC_ALERT_SMTP_PORT": "1",  # nothing listens there
            "CSC_ALERT_EMAIL_TO": "x@council.example", "CSC_ALERT_WEBHOOK_URL": hook.url,
        }).alerts)
    assert sent == ["webhook"]
    assert len(hook.received) == 1


def test_no_channel_configured_sends_nothing():
    assert send_alert(_alert(), deployment.AlertSettings()) == []
