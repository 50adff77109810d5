"""Shared paths and fixtures.

Tests that read the built site (markers ``site`` and ``browser``) need
``_build/html`` from ``make book``.  When it, or Debian's chromium, is missing
they are skipped with a message -- except under CI (``CI=true``), where a
skip would hide a broken site, so they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests are derandomized by default so that CI is reproducible (the same
# examples every run); HYPOTHESIS_PROFILE=explore searches afresh each run.
settings.register_profile("nblm", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "nblm"))

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
HTML = Path(os.environ.get("NBLM_BOOK_HTML", ROOT / "_build" / "html"))
EXECUTED = ROOT / "_build" / "jupyter_execute"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition, message):
    """Skip (locally) or fail (under CI) when a prerequisite is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{message} (CI=true: this test must run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def built_site():
    require((HTML / "index.html").exists(), f"the book is not built at {HTML}; run `make book` first")
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve_directory(directory):
    """Serve ``directory`` on 127.0.0.1 (a free port); yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site, served on 127.0.0.1 for the browser tests."""
    with serve_directory(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never `playwright install`)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require(chromium is not None,
            "no chromium on PATH: `make test` installs Debian's package as root; "
            "otherwise `apt-get install -y chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements.txt installs it
        require(False, "playwright (Python) is not installed; run `make test`")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()
