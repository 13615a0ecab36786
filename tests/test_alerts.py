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


def _body(mail: str) -> str:
    """An email's text as a reader sees it (the SMTP message may be quoted-printable)."""
    import email
    from email import policy

    return email.message_from_string(mail, policy=policy.default).get_body().get_content()


def _issue(rule: str, table: str = "ssd_person", column: str | None = "pers_person_id", rows: int = 2):
    from csc_pipeline.issues import make_issue

    return make_issue(rule, table, column, rows=rows, sample_rows=[5, 9][:rows])


def test_the_quarantine_alert_says_where_the_data_docs_are_and_the_exact_accept_command(tmp_path):
    from csc_pipeline.alerts import messages

    docs_dir = tmp_path / "data_docs"
    page = docs_dir / "E06999999" / "2026-11-24_load42" / "index.html"
    url = messages.data_docs_link(str(page), docs_dir, "http://127.0.0.1:8090/")
    assert url == "http://127.0.0.1:8090/E06999999/2026-11-24_load42/index.html"
    assert messages.data_docs_link(str(page), docs_dir, None) == str(page)  # no URL: the file's path
    assert messages.data_docs_link(None, docs_dir, "http://127.0.0.1:8090") is None

    blocking = [_issue("yn_valid", "ssd_cla_health", "clah_health_check_status", 3),
                _issue("volume_shrink", "ssd_cla_health", None, 0)]
    alert = messages.quarantined("E06999999", "2026-11-24", 42, blocking, url)
    with SmtpServer() as smtp, WebhookReceiver() as hook:
        assert send_alert(alert, deployment.load(alert_env(smtp, hook)).alerts) == ["email", "webhook"]
    (mail,) = [_body(m) for m in smtp.messages]
    (payload,) = hook.received
    command = ('csc accept --load-id 42 --rule volume_shrink --rule yn_valid '
               '--reason "WHY THE DATA IS RIGHT" --operator "YOUR NAME"')
    for text in (mail, payload["text"], payload["alert"]["summary"]):
        assert f"Data Docs: {url}" in text
        assert "fix the extract and send it again for the same date" in text
        assert command in text
        assert "csc validation show 42" in text
    assert f"Data Docs: {url}" in payload["alert"]["details"]


def test_the_quarantine_alert_offers_no_accept_when_a_rule_cannot_be_accepted(tmp_path):
    from csc_pipeline.alerts import messages

    page = str(tmp_path / "E06999999" / "2026-11-24_load7" / "index.html")
    alert = messages.quarantined("E06999999", "2026-11-24", 7, [_issue("primary_key_unique"),
                                                               _issue("yn_valid", column="pers_sex")], page)
    with SmtpServer() as smtp, WebhookReceiver() as hook:
        send_alert(alert, deployment.load(alert_env(smtp, hook)).alerts)
    (mail,) = [_body(m) for m in smtp.messages]
    (payload,) = hook.received
    for text in (mail, payload["text"]):
        assert f"Data Docs: {page}" in text
        assert "It cannot be accepted as it is (primary_key_unique would break the load)" in text
        assert "csc accept" not in text
    # without a page (data_docs: never), no Data Docs line at all
    bare = messages.quarantined("E06999999", "2026-11-24", 7, [_issue("primary_key_unique")], None)
    assert "Data Docs" not in bare.summary and not any("Data Docs" in d for d in bare.details)


def test_next_step_for_each_status():
    from csc_pipeline.alerts.messages import next_step

    assert next_step(5, "published", []) == "Nothing to do: the drop passed and is published."
    assert next_step(5, "accepted", []).startswith("Nothing to do")
    assert "csc accept --load-id 5 --rule volume_shrink " in next_step(5, "quarantined", [_issue("volume_shrink")])
    newer = next_step(5, "quarantined", [_issue("volume_shrink")], newer_published="2026-11-25")
    assert "2026-11-25" in newer and "csc accept" not in newer
    assert "next run takes the drop again" in next_step(5, "failed", [])
