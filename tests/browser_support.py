"""Shared pieces of the browser tests: open a page of the built site and collect every problem."""

from __future__ import annotations

from urllib.parse import urlparse

from conftest import HTML

CLEAN = {"console": [], "pageerror": [], "failed": [], "external": []}


def site_pages():
    pages = sorted(p.relative_to(HTML).as_posix() for p in (HTML / "book").glob("*.html")) if HTML.exists() else []
    return pages or ["book/intro.html"]


def open_page(browser, url):
    """Load ``url``; return ``(page, problems)``.  ``problems`` collects every error."""
    page = browser.new_page()
    problems = {"console": [], "pageerror": [], "failed": [], "external": []}

    def route(r):
        if urlparse(r.request.url).hostname not in ("127.0.0.1", "localhost"):
            problems["external"].append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems["console"].append(m.text))
    page.on("pageerror", lambda e: problems["pageerror"].append(str(e)))
    page.on("requestfailed", lambda r: problems["failed"].append(r.url))
    page.goto(url, wait_until="load")
    if page.evaluate("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"):
        page.evaluate("() => MathJax.startup.promise")
    n_views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if n_views:
        # the html-manager replaces each view script by a rendered widget
        page.wait_for_function(
            "n => document.querySelectorAll('.jupyter-widgets.widget-container, .jupyter-widgets.widget-inline-hbox,"
            " .jupyter-widgets.widget-box').length >= n", arg=n_views, timeout=20_000)
        page.wait_for_timeout(300)
    return page, problems


# JS: the text of the article without code blocks and without typeset math.
UNTYPESET_TEXT = """() => {
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, mjx-container, script, style, .jupyter-widgets').forEach(e => e.remove());
  return clone.innerText;
}"""

SHOWN_PIXELS = """async (img) => {            // a hash of the pixels of a displayed <img>
  await img.decode();
  const c = Object.assign(document.createElement('canvas'), {width: img.naturalWidth, height: img.naturalHeight});
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  let h = 0; for (const v of g.getImageData(0, 0, c.width, c.height).data) h = (h * 31 + v) | 0;
  return h;
}"""
