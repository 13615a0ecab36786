"""Where a quarantined drop's Data Docs are and what to do next, wherever someone looks: the alert,
`csc validation show`, the lines `csc run` prints; and the pages themselves, in a browser with no
internet (everything they load is on the site).

One night of three councils through the real nightly steps (land, validate, publish) on a warehouse
of its own: one good drop, one quarantined for a rule an operator may accept (a Y/N column holding
something else), one for a rule nobody may accept (a duplicate primary key).
"""

from __future__ import annotations

import shlex
import threading
from datetime import date, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from alert_receivers import SmtpServer, WebhookReceiver, alert_env
from drop_factory import write_drop
from test_validate import good_drop, good_rows
from csc_pipeline.contract import TABLES, TABLES_BY_NAME

DAY = date.today() - timedelta(days=2)  # a recent night: never "after the run"
GOOD, ACCEPTABLE, FIX_ONLY = "E06000981", "E06000982", "E06000983"
DOCS_URL = "http://127.0.0.1:8090"  # where the deployment serves the folder (never fetched here)


def _drops() -> dict[str, dict[str, list[dict]]]:
    s47 = good_rows(TABLES_BY_NAME["ssd_s47_enquiry"])
    s47[1]["s47e_s47_nfa"] = "maybe"  # yn_valid: acceptable after review
    people = good_rows(TABLES_BY_NAME["ssd_person"], 12)
    people[11]["pers_person_id"] = people[0]["pers_person_id"]  # primary_key_unique: the extract must be fixed
    return {GOOD: good_drop(), ACCEPTABLE: good_drop(ssd_s47_enquiry=s47), FIX_ONLY: good_drop(ssd_person=people)}


def _personal_values(tables: dict[str, list[dict]]) -> set[str]:
    """The drop's values of personal-data columns (names, dates of birth, UPNs, postcodes)."""
    pii = {(t.name, c.name) for t in TABLES for c in t.columns if c.pii}
    return {str(v) for name, rows in tables.items() for row in rows for col, v in row.items()
            if (name, col) in pii and v}


@pytest.fixture(scope="module")
def night(pg_server, tmp_path_factory):
    from warehouse_db import own_warehouse

    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.flows import nightly

    base = tmp_path_factory.mktemp("pages")
    drops = _drops()
    for la, tables in drops.items():
        write_drop(base / "landing", la, DAY, tables)
    with own_warehouse(pg_server.dsn(), "pages") as dsn, SmtpServer() as smtp, WebhookReceiver() as hook, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSC_WAREHOUSE_DSN", dsn)
        for name, value in alert_env(smtp, hook).items():
            mp.setenv(name, value)
        mp.setenv("CSC_DATA_DOCS", "failed")
        mp.setenv("CSC_DATA_DOCS_DIR", str(base / "data_docs"))
        mp.setenv("CSC_DATA_DOCS_URL", DOCS_URL)
        for var in ("CSC_COUNCILS", "CSC_DEPLOYMENT_CONFIG", "CSC_LABEL_MAPPING_DIR"):
            mp.delenv(var, raising=False)
        validated = nightly.validate(nightly.land([d.to_dict() for d in find_drops(base / "landing")],
                                                  run_id="pages night"))
        published = nightly.publish(validated)
        yield {
            "dsn": dsn, "docs": base / "data_docs", "mp": mp, "hook": hook, "smtp": smtp,
            "load": {v["landed"]["drop"]["la_code"]: v["landed"]["load_id"] for v in validated},
            "status": {p["drop"].split("/")[0]: p["status"] for p in published},
            "personal": set().union(*map(_personal_values, drops.values())),
        }


def _page(night, la: str) -> Path:
    return night["docs"] / la / f"{DAY}_load{night['load'][la]}" / "index.html"


def _show(capsys, load_id: int) -> str:
    from csc_pipeline.cli import main

    capsys.readouterr()
    assert main(["validation", "show", str(load_id)]) == 0
    return capsys.readouterr().out


def test_the_night_quarantines_the_two_bad_drops_with_their_data_docs(night):
    assert night["status"] == {GOOD: "published", ACCEPTABLE: "quarantined", FIX_ONLY: "quarantined"}
    assert _page(night, ACCEPTABLE).is_file() and _page(night, FIX_ONLY).is_file()
    assert not _page(night, GOOD).parent.exists()  # data_docs: failed


def test_each_quarantine_alert_gives_the_data_docs_url_and_what_to_do(night):
    alerts = {h["alert"]["la_code"]: h for h in night["hook"].received if h["alert"]["kind"] == "quarantined"}
    assert sorted(alerts) == [ACCEPTABLE, FIX_ONLY]
    for la, hook in alerts.items():
        url = f"{DOCS_URL}/{la}/{DAY}_load{night['load'][la]}/index.html"
        assert f"Data Docs: {url}" in hook["text"] and f"Data Docs: {url}" in hook["alert"]["summary"]
        # the URL is the page's place under the served folder
        assert night["docs"] / url.removeprefix(DOCS_URL + "/") == _page(night, la)
        assert f"csc validation show {night['load'][la]}" in hook["text"]
        mail = next(m for m in night["smtp"].messages if f"{la}/{DAY} extract quarantined" in m)
        assert url in mail.replace("=\r\n", "")  # quoted-printable soft line breaks
        assert not [v for v in night["personal"] if v in hook["text"] or v in mail]
    accept = alerts[ACCEPTABLE]["text"]
    assert (f'`csc accept --load-id {night["load"][ACCEPTABLE]} --rule yn_valid --reason "WHY THE DATA IS RIGHT" '
            '--operator "YOUR NAME"`') in accept
    assert "csc accept" not in alerts[FIX_ONLY]["text"]
    assert "It cannot be accepted as it is (primary_key_unique would break the load)" in alerts[FIX_ONLY]["text"]


def test_validation_show_gives_the_data_docs_and_the_next_step(night, capsys):
    out = _show(capsys, night["load"][FIX_ONLY])
    lines = out.splitlines()
    assert lines[0] == f"load {night['load'][FIX_ONLY]}: {FIX_ONLY}/{DAY}, quarantined"
    assert f"Data Docs: {DOCS_URL}/{FIX_ONLY}/{DAY}_load{night['load'][FIX_ONLY]}/index.html" in lines
    assert lines[-1] == ("Next: fix the extract and send it again for the same date (a drop whose files changed "
                         "is taken again at the next run). It cannot be accepted as it is "
                         "(primary_key_unique would break the load).")
    good = _show(capsys, night["load"][GOOD]).splitlines()
    assert good[-1] == "Nothing to do: the drop passed and is published."
    assert good[-2].startswith("Data Docs: none for this load (pages are written when a drop's checks run "
                               "and one fails")
    for text in (out, "\n".join(good)):
        assert not [v for v in night["personal"] if v in text]


def test_validation_show_gives_the_page_path_when_the_deployment_serves_no_url(night, capsys, monkeypatch):
    monkeypatch.delenv("CSC_DATA_DOCS_URL")
    lines = _show(capsys, night["load"][ACCEPTABLE]).splitlines()
    assert f"Data Docs: {_page(night, ACCEPTABLE)}" in lines


def test_csc_run_prints_the_data_docs_and_where_to_look_under_each_quarantined_drop(night):
    from csc_pipeline import deployment
    from csc_pipeline.cli.validation import run_lines
    from csc_pipeline.load.audit import drop_outcomes

    with psycopg.connect(night["dsn"]) as conn:
        outcomes = {o.la_code: o for o in drop_outcomes(conn, extract_date=DAY)}
    config = deployment.current()
    for la in (ACCEPTABLE, FIX_ONLY):
        load_id = night["load"][la]
        assert run_lines(config, outcomes[la]) == [
            f"Data Docs: {DOCS_URL}/{la}/{DAY}_load{load_id}/index.html",
            f"Next: `csc validation show {load_id}` gives the report and what to do (fix and resend, or `csc accept`)",
        ]
    assert run_lines(config, outcomes[GOOD]) == []


def _wait_until_loaded(page, timeout: float = 30) -> None:
    """Text can show before the stylesheet and script have loaded on a busy machine: wait for both."""
    import time

    deadline = time.monotonic() + timeout
    while page.evaluate("document.readyState") != "complete":
        if time.monotonic() > deadline:
            raise AssertionError("the page did not finish loading its stylesheet and script")
        time.sleep(0.2)


def test_the_pages_are_styled_and_work_in_a_browser_without_the_internet(night, tmp_path):
    """Served from 127.0.0.1 as the Docker stack's data-docs service serves them: the page is laid
    out by the site's own stylesheet (not the browser's defaults), its index lists the tables, and
    its buttons work without jQuery."""
    from browser import opened

    handler = partial(SimpleHTTPRequestHandler, directory=str(night["docs"]))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}/{FIX_ONLY}/{DAY}_load{night['load'][FIX_ONLY]}"
    try:
        with opened(f"{root}/index.html", wait_for=["ssd_person", "blocking"]) as (page, text):
            assert f"Validation of {FIX_ONLY}/{DAY}" in text
            assert "primary_key_unique" in text and "ssd_cla_episodes" in text
            _wait_until_loaded(page)
            style = page.evaluate("""(() => {
                const s = e => getComputedStyle(document.querySelector(e));
                return {font: s('body').fontFamily, margin: s('body').margin,
                        collapse: s('table.table').borderCollapse, badge: s('.csc-blocking').backgroundColor};
            })()""")
            assert "Times" not in style["font"] and style["margin"] == "0px"  # the browser's: serif, 8px
            assert style["collapse"] == "collapse" and style["badge"] not in ("rgba(0, 0, 0, 0)", "transparent")
            href = page.evaluate("document.querySelector('a[href*=\"validations/ssd_person/\"]').href")
        with opened(href, wait_for=["pers_person_id is unique"]) as (page, text):
            _wait_until_loaded(page)
            assert page.evaluate("getComputedStyle(document.querySelector('.row')).display") == "flex"
            shown = "getComputedStyle(document.querySelector('.collapse')).display"
            assert page.evaluate(shown) == "none"
            page.evaluate("document.querySelector('[data-toggle=\"collapse\"]').click()")
            assert page.evaluate(shown) != "none"  # "Show more info..."
            visible_rows = ("[...document.querySelectorAll('table.table tbody tr')]"
                            ".filter(r => r.offsetParent !== null).length")
            before = page.evaluate(visible_rows)
            page.evaluate("document.querySelectorAll('.btn-group .btn')[1].click()")  # Failed Only
            assert 0 < page.evaluate(visible_rows) < before
            assert page.evaluate("document.querySelectorAll('.btn-group .btn')[1].classList.contains('active')")
    finally:
        server.shutdown()
        server.server_close()


def test_the_accept_command_that_show_prints_accepts_the_drop(night, capsys):
    """The command is exact: run as printed (reason and operator filled in), it publishes the drop."""
    from csc_pipeline.cli import main

    load_id = night["load"][ACCEPTABLE]
    last = _show(capsys, load_id).splitlines()[-1]
    assert last.startswith("Next: fix the extract and send it again for the same date")
    command = shlex.split(last.split("`")[1])
    assert command[:5] == ["csc", "accept", "--load-id", str(load_id), "--rule"]
    argv = [{"WHY THE DATA IS RIGHT": "the council confirms the values (ticket 12)",
             "YOUR NAME": "A. Analyst"}.get(a, a) for a in command[1:]]
    assert main(argv) == 0, capsys.readouterr().err
    assert _show(capsys, load_id).splitlines()[-1] == "Nothing to do: accepted after review and published."
