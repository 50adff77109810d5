"""Real-browser tests of the built site: Debian chromium driven by Playwright.

Every page is loaded from a server on 127.0.0.1 with every request that leaves
127.0.0.1 aborted and recorded.  A page passes when it has no console error,
no page error, no failed request, no external request, typeset math, loaded
images, and (for every static-responsive widget) frames that change when a
slider is moved with the keyboard.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from conftest import HTML, serve_directory

pytestmark = pytest.mark.browser


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


@pytest.mark.parametrize("page_path", site_pages())
def test_page_is_self_contained_and_clean(browser, site_url, page_path):
    page, problems = open_page(browser, f"{site_url}/{page_path}")
    try:
        text = page.evaluate(UNTYPESET_TEXT)
        has_math = page.locator(".math").count() > 0
        n_typeset = page.locator("mjx-container").count()
        images = page.evaluate("""() => [...document.querySelectorAll('main img')]
            .filter(i => i.offsetParent !== null)
            .map(i => ({src: i.src.slice(0, 80), ok: i.complete && i.naturalWidth > 0}))""")
    finally:
        page.close()
    assert problems == {"console": [], "pageerror": [], "failed": [], "external": []}
    if has_math:
        assert n_typeset > 0, "math on the page was not typeset by MathJax"
    for raw in ("$$", "\\(", "\\[", "\\frac", "\\Gamma", "\\xi"):
        assert raw not in text, f"raw TeX {raw!r} left on {page_path}"
    broken = [i["src"] for i in images if not i["ok"]]
    assert not broken, f"images that did not load: {broken}"


def static_widget_pages():
    pages = []
    for p in site_pages():
        if (HTML / p).exists() and "nblm-responsive" in (HTML / p).read_text(encoding="utf-8"):
            pages.append(p)
    return pages or ["book/widgets_howto.html"]


@pytest.mark.parametrize("page_path", static_widget_pages())
def test_static_widgets_respond_to_the_keyboard(browser, site_url, page_path):
    page, problems = open_page(browser, f"{site_url}/{page_path}")
    try:
        boxes = page.locator(".nblm-responsive.nblm-static")
        n_boxes = boxes.count()
        assert n_boxes > 0, "page mentions nblm-responsive but shows no static widget"
        for b in range(n_boxes):
            box = boxes.nth(b)
            sliders = box.locator(".nblm-control")
            assert sliders.count() > 0
            for k in range(sliders.count()):
                slider = sliders.nth(k)
                shown = box.locator("img.nblm-frame:visible, .nblm-frame img:visible")
                shown.first.wait_for(state="visible", timeout=10_000)   # slow under load: frames decode
                assert shown.count() == 1, "a Stack shows exactly one frame"
                before_src = shown.first.get_attribute("src")
                before_px = shown.first.evaluate(SHOWN_PIXELS)
                before_readout = slider.locator(".widget-readout").inner_text()
                handle = slider.locator(".noUi-handle")
                handle.focus()
                at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
                page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
                page.wait_for_function("([el, r]) => el.innerText !== r",
                                       arg=[slider.locator(".widget-readout").element_handle(), before_readout],
                                       timeout=5_000)
                shown = box.locator("img.nblm-frame:visible, .nblm-frame img:visible")
                shown.first.wait_for(state="visible", timeout=10_000)
                assert shown.count() == 1
                assert shown.first.get_attribute("src") != before_src, f"slider {k}: the frame did not switch"
                assert shown.first.evaluate(SHOWN_PIXELS) != before_px, f"slider {k}: the same picture is shown"
    finally:
        page.close()
    assert problems == {"console": [], "pageerror": [], "failed": [], "external": []}


def test_checker_catches_a_cdn_page(browser, tmp_path):
    """The checks above would fail on a CDN build: a page loading MathJax from a CDN is flagged."""
    (tmp_path / "cdn.html").write_text(
        '<!doctype html><html><head>'
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
        '</head><body><main><p>$$x^2$$</p></main></body></html>')
    with serve_directory(tmp_path) as url:
        page, problems = open_page(browser, f"{url}/cdn.html")
        text = page.evaluate(UNTYPESET_TEXT)
        page.close()
    assert problems["external"] == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"]
    assert "$$" in text  # offline, a CDN build shows raw TeX
