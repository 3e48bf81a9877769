"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: commands
in on fd 3, replies out on fd 4, NUL-terminated JSON), to lay a page out at an exact width.

Why not `--window-size`: headless Chromium will not make a window narrower than 500 px, and a phone
is 360-430 px; device-metrics emulation sets any width. No network, no port, no extra package.

As a script, a full-page screenshot at any width:
    python tests/support/chromium.py report.html --width 420 --out report-420.png
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

# Without the background-networking flags Chromium dials out as it starts, and a closed network
# refuses it; a new empty profile (--user-data-dir) per run keeps runs apart.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",  # as on a phone: the page gets the whole width
)


# Puts the two pipe ends on fds 3 and 4, where Chromium expects them, then becomes Chromium. Both
# are first moved above 9, so neither is overwritten when one of them already is 3 or 4.
_ON_FDS_3_AND_4 = """import fcntl, os, sys
ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]
for target, end in zip((3, 4), ends):
    os.dup2(end, target)
    os.close(end)
os.execvp(sys.argv[3], sys.argv[3:])
"""


def find() -> str | None:
    return next((b for b in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if b), None)


class Chromium:
    """One browser, one page. `with Chromium(binary) as page: page.open(url, width); page.evaluate(js)`."""

    def __init__(self, binary: str, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="sparkify-chromium-")
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()
        self._log = open(Path(self._profile.name) / "stderr.log", "wb")  # noqa: SIM115 - closed in close()
        argv = [binary, *FLAGS, f"--user-data-dir={self._profile.name}/profile", "--remote-debugging-pipe"]
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _ON_FDS_3_AND_4, str(to_browser), str(from_browser), *argv],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable")

    # --- the protocol ------------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self._send(method, params, self._session)

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError(f"Chromium did not answer in {self.timeout:g} s: {self.log()[-2000:]}")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium exited: {self.log()[-2000:]}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        found: dict[str, Any] = json.loads(message)
        return found

    def _wait_for(self, event: str) -> None:
        while True:
            for i, seen in enumerate(self._events):
                if seen.get("method") == event:
                    del self._events[: i + 1]
                    return
            self._events.append(self._receive())

    # --- what tests use ----------------------------------------------------------------------

    def open(self, url: str, width: int, height: int = 900) -> None:
        """Load url in a viewport `width` CSS px wide (device scale 1, a desktop browser)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self._events.clear()
        self.send("Page.navigate", {"url": url})
        self._wait_for("Page.loadEventFired")
        if self.evaluate("location.href") != url:  # the load event was an earlier page's
            self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """The whole page, top to bottom, as PNG."""
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))

    def log(self) -> str:
        return (Path(self._profile.name) / "stderr.log").read_text(errors="replace")

    def close(self) -> None:
        try:
            self._send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._out)
        os.close(self._in)
        self._log.close()
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="A full-page PNG of an HTML file at a given width.")
    parser.add_argument("page", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    binary = find()
    if binary is None:
        raise SystemExit("chromium is not installed (Debian: apt-get install chromium)")
    with Chromium(binary) as page:
        page.open(args.page.resolve().as_uri(), args.width)
        page.screenshot(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
