"""Real-browser tests of the built site: Debian chromium driven by Playwright.

Every page is loaded once from a server on 127.0.0.1 with every request that
leaves 127.0.0.1 aborted and recorded, and everything is checked on that one
load (a page load with MathJax and the widget manager costs seconds): no
console error, no page error, no failed or external request, typeset math,
loaded images; what a reader sees (tests/test_reader.py: tables, figure sizes
and text, code wrapping; on chapters the "Before you start" box and folded,
executed solutions); and, for every static-responsive widget, frames that
change when a slider is moved with the keyboard.
"""

from __future__ import annotations

import pytest

from browser_support import CLEAN, SHOWN_PIXELS, UNTYPESET_TEXT, open_page, site_pages
from conftest import serve_directory
from test_reader import CHAPTER_PAGES, chapter_furniture_problems, reader_view_problems

pytestmark = pytest.mark.browser

def clean_page_problems(page, page_path):
    """No raw TeX, typeset math, every image loaded."""
    text = page.evaluate(UNTYPESET_TEXT)
    has_math = page.locator(".math").count() > 0
    n_typeset = page.locator("mjx-container").count()
    images = page.evaluate("""() => [...document.querySelectorAll('main img')]
        .filter(i => i.offsetParent !== null)
        .map(i => ({src: i.src.slice(0, 80), ok: i.complete && i.naturalWidth > 0}))""")
    out = []
    if has_math and n_typeset == 0:
        out.append("math on the page was not typeset by MathJax")
    for raw in ("$$", "\\(", "\\[", "\\frac", "\\Gamma", "\\xi"):
        if raw in text:
            out.append(f"raw TeX {raw!r} left on {page_path}")
    broken = [i["src"] for i in images if not i["ok"]]
    if broken:
        out.append(f"images that did not load: {broken}")
    return out


def widget_keyboard_problems(page, page_path):
    """Every slider of every static widget switches to a different picture from the keyboard."""
    out = []
    boxes = page.locator(".nblm-responsive.nblm-static")
    n_boxes = boxes.count()
    if "nblm-responsive" in page.content() and n_boxes == 0:
        return ["page mentions nblm-responsive but shows no static widget"]
    for b in range(n_boxes):
        box = boxes.nth(b)
        sliders = box.locator(".nblm-control")
        if sliders.count() == 0:
            out.append(f"widget {b}: no slider")
        for k in range(sliders.count()):
            slider = sliders.nth(k)
            shown = box.locator("img.nblm-frame:visible, .nblm-frame img:visible")
            shown.first.wait_for(state="visible", timeout=10_000)   # slow under load: frames decode
            if shown.count() != 1:
                out.append(f"widget {b}: a Stack must show exactly one frame, shows {shown.count()}")
                continue
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
            if shown.count() != 1:
                out.append(f"widget {b}, slider {k}: {shown.count()} frames shown after the move")
            elif shown.first.get_attribute("src") == before_src:
                out.append(f"widget {b}, slider {k}: the frame did not switch")
            elif shown.first.evaluate(SHOWN_PIXELS) == before_px:
                out.append(f"widget {b}, slider {k}: the same picture is shown")
    return out


@pytest.mark.parametrize("page_path", site_pages())
def test_page(browser, site_url, page_path):
    """Everything a browser can check on one page, on one load of it."""
    page, problems = open_page(browser, f"{site_url}/{page_path}")
    found = {}
    try:
        found["clean"] = clean_page_problems(page, page_path)
        found["reader"] = reader_view_problems(page, page_path)
        found["widgets"] = widget_keyboard_problems(page, page_path)
        if page_path in CHAPTER_PAGES:       # last: it opens the solutions
            found["chapter"] = chapter_furniture_problems(page, page_path)
    finally:
        page.close()
    found = {k: v for k, v in found.items() if v}
    assert problems == CLEAN and not found, {"requests/console": problems, **found}


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
