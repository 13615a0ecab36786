"""Headless Chromium driven over the DevTools protocol: a page that needs a login cookie,
its visible text and a screenshot (the UI of Airflow 3 reads its JWT from the `_token` cookie);
or an open page to evaluate JavaScript in (computed styles, clicks)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from websockets.sync.client import connect

CHROMIUM = Path("/usr/bin/chromium")


class Page:
    def __init__(self, ws):
        self.ws, self.next_id = ws, 0

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def text(self) -> str:
        return self.evaluate("document.body ? document.body.innerText : ''") or ""

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (JSON-serialisable values)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")


def capture(url: str, out: Path, *, cookies: dict[str, str], wait_for: list[str], timeout: float = 90,
            size: tuple[int, int] = (1600, 1000)) -> str:
    """Open `url` with `cookies` set for its origin, wait until every string of `wait_for` is in the
    page's visible text, write a PNG screenshot to `out` and return that text."""
    with opened(url, cookies=cookies, wait_for=wait_for, timeout=timeout, size=size) as (page, text):
        time.sleep(2)  # let the grid finish painting its cells
        png = page.call("Page.captureScreenshot", format="png")["data"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(png))
        return text


@contextmanager
def opened(url: str, *, cookies: dict[str, str] | None = None, wait_for: list[str] = (), timeout: float = 90,
           size: tuple[int, int] = (1600, 1000)) -> Iterator[tuple[Page, str]]:
    """A headless Chromium showing `url` (with `cookies` set for its origin) once every string of
    `wait_for` is in its visible text: the page, to drive, and that text."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: run scripts/ensure-system-deps.sh (as root)")
    profile = Path(tempfile.mkdtemp(prefix="csc-chromium-"))
    browser = subprocess.Popen(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", f"--user-data-dir={profile}",
         f"--window-size={size[0]},{size[1]}", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = _devtools_port(browser)
        targets = httpx.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
        ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(ws_url, max_size=None) as ws:
            page = Page(ws)
            page.call("Network.enable")
            if cookies:
                origin = re.match(r"https?://[^/]+", url).group(0)
                for name, value in cookies.items():
                    page.call("Network.setCookie", name=name, value=value, url=origin + "/")
            page.call("Page.enable")
            page.call("Page.navigate", url=url)
            deadline = time.monotonic() + timeout
            text = ""
            while time.monotonic() < deadline:
                text = page.text()
                if all(w in text for w in wait_for):
                    break
                time.sleep(1)
            else:
                raise AssertionError(f"{url}: {[w for w in wait_for if w not in text]} not shown after "
                                     f"{timeout:.0f} s; the page shows: {text[:800]!r}")
            yield page, text
    finally:
        browser.kill()
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _devtools_port(browser: subprocess.Popen) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = browser.stderr.readline()
        found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line or "")
        if found:
            # Keep reading what it writes, so a full pipe never blocks the browser.
            threading.Thread(target=browser.stderr.read, daemon=True).start()
            return int(found.group(1))
        if browser.poll() is not None:
            break
    raise RuntimeError("chromium did not start its DevTools endpoint")
