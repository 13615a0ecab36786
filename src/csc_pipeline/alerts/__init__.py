"""Alerts to the council's data team: email (SMTP) and a JSON webhook (Slack/Teams style).

Alerts carry summaries only: council, extract date, what failed, rules and row
counts — never values from the data.
"""

from .send import Alert, send_alert

__all__ = ["Alert", "send_alert"]
