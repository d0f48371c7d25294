"""Headless Chromium over a published folder, for the browser tests (tests/browser, tests/profiler):
one local HTTP server, one driver set-up, one link check."""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import urllib.error
import urllib.request
from pathlib import Path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve ``folder`` on a free local port; yields the base URL (ending in /)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium(profile_dir: Path, *, window: str = "1400,1000", page_load_timeout: int = 60):
    """A headless Chromium (Debian's chromium and chromedriver, installed by `make system-deps`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--window-size={window}", f"--user-data-dir={profile_dir}"):
        opts.add_argument(arg)
    drv = webdriver.Chrome(options=opts, service=Service("/usr/bin/chromedriver"))
    drv.set_page_load_timeout(page_load_timeout)
    try:
        yield drv
    finally:
        drv.quit()


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
