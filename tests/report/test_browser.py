"""A real browser: Debian's headless Chromium opens the HTML over the DevTools protocol.

No console errors, no network request besides the file itself, the language switch works (real mouse
click), and screenshots are saved under out/report-screenshots/ for a human to look at.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from govcloud.report.generate import generate
from govcloud.report.pdf import HEADLESS_FLAGS
from tests.report.conftest import CATALOGUE, NOW

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "report-screenshots"


class Cdp:
    def __init__(self, ws_url: str) -> None:
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                result: dict[str, Any] = msg.get("result", {})
                return result
            self.events.append(msg)

    def wait_event(self, method: str, timeout_s: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while time.monotonic() < deadline:
            msg: dict[str, Any] = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == method:
                    return msg
        raise AssertionError(f"no {method} within {timeout_s} s")

    def eval(self, expr: str) -> Any:
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        assert "exceptionDetails" not in r, r
        return r["result"].get("value")


@pytest.fixture
def chromium() -> Iterator[Cdp]:
    browser = shutil.which("chromium")
    if browser is None:
        pytest.fail("chromium is not installed: run `apt-get install -y chromium fonts-noto-cjk`")
    profile = tempfile.mkdtemp(prefix="gc-report-cdp-")
    proc = subprocess.Popen(
        [
            browser,
            *HEADLESS_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--window-size=1280,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()) and time.monotonic() < deadline:
            assert proc.poll() is None, "chromium exited during start-up"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as resp:
            targets = json.loads(resp.read())
        page = next(t for t in targets if t["type"] == "page")
        cdp = Cdp(page["webSocketDebuggerUrl"])
        yield cdp
        cdp.ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(cdp: Cdp, name: str) -> bytes:
    data = base64.b64decode(cdp.call("Page.captureScreenshot", format="png")["data"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / name).write_bytes(data)
    return data


def test_html_in_headless_chromium(chromium: Cdp, evidence_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(
        stack="lab",
        evidence_dir=evidence_dir,
        out_dir=out,
        formats=("html",),
        catalogue_path=CATALOGUE,
        catalogue_required=True,
        since=None,
        now=NOW,
    )
    url = (out / "report.html").resolve().as_uri()
    cdp = chromium
    for domain in ("Page", "Runtime", "Log", "Network"):
        cdp.call(f"{domain}.enable")
    cdp.call("Page.navigate", url=url)
    cdp.wait_event("Page.loadEventFired")
    assert cdp.eval("document.readyState") == "complete"

    # Chinese first.
    assert cdp.eval("document.documentElement.dataset.lang") == "zh"
    h1 = cdp.eval("document.querySelector('h1').innerText")
    assert "符合性报告" in h1 and "compliance" not in h1
    zh_png = _shot(cdp, "report-zh.png")
    for anchor in ("scope-platform", "scope-gaj-rkxx", "dr"):
        cdp.eval(f"document.getElementById('{anchor}').scrollIntoView()")
        _shot(cdp, f"report-zh-{anchor}.png")
    cdp.eval("window.scrollTo(0, 0)")

    # A real click on the language button.
    box = cdp.eval(
        "(() => { const r = document.getElementById('lang-toggle').getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        cdp.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
    assert cdp.eval("document.documentElement.dataset.lang") == "en"
    assert cdp.eval("document.documentElement.lang") == "en"
    h1 = cdp.eval("document.querySelector('h1').innerText")
    assert "compliance report" in h1 and "符合性报告" not in h1
    assert "Compliant" in cdp.eval("document.querySelector('.tiles').innerText")
    en_png = _shot(cdp, "report-en.png")
    assert zh_png != en_png

    # The "only items needing attention" filter hides compliant rows.
    before = cdp.eval("document.querySelectorAll('tr.item[data-status=compliant]')[0].offsetParent !== null")
    cdp.eval("document.getElementById('only-problems').click()")
    after = cdp.eval("document.querySelectorAll('tr.item[data-status=compliant]')[0].offsetParent !== null")
    assert (before, after) == (True, False)
    cdp.call("Emulation.setEmulatedMedia", media="print")
    _shot(cdp, "report-print-media.png")

    errors = [
        e
        for e in cdp.events
        if e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
        or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    requests = [
        e["params"]["request"]["url"] for e in cdp.events if e["method"] == "Network.requestWillBeSent"
    ]
    assert requests == [url]
    failed = [e for e in cdp.events if e["method"] == "Network.loadingFailed"]
    assert failed == []
