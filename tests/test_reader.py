"""What a reader sees on the built site: navigation, legible figures, no leftovers.

Browser tests (Debian chromium through Playwright) of the reader-facing items
of the book: the chapter menu opens on a phone and toggles on a desktop;
tables are tables and math is typeset; figures are shown at (nearly) their
natural size with text at least as large as the page's small text; code
wraps; search results are readable; every chapter opens with a "Before you
start" box and has exercises with folded, executed solutions; the errata page
starts with a summary table; the intro shows the licence, how to cite and the
download of the runnable book.  The per-page checks (``reader_view_problems``,
``chapter_furniture_problems``) run inside test_browser.test_page, on its one
load of each page.  Site checks that need no browser are at the end.
"""

from __future__ import annotations

import re
import zipfile

import pytest

from conftest import ROOT
from figure_text import svg_metrics
from browser_support import CLEAN, UNTYPESET_TEXT, open_page
from test_notebooks import toc_files

pytestmark = pytest.mark.browser

CHAPTERS = [f"{f}.html" for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]
CHAPTER_PAGES = set(CHAPTERS)     # site-relative paths, as test_browser.test_page gets them
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 400, "height": 860}
MIN_SHOWN = 0.8          # no figure shown below 80 % of its natural width (desktop)


def _open(browser, site_url, path, viewport=DESKTOP):
    page, problems = open_page(browser, f"{site_url}/{path}")
    page.set_viewport_size(viewport)
    page.wait_for_timeout(200)
    return page, problems


# -- navigation ------------------------------------------------------------------
SIDEBAR_STATE = """() => {
  const dlg = document.querySelector('dialog#pst-primary-sidebar-modal');
  const side = document.querySelector('#pst-primary-sidebar');
  const shown = el => { if (!el) return false; const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 100 && r.right > 100 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
  const links = el => el ? [...el.querySelectorAll('a.reference.internal')].filter(a => a.offsetParent !== null).length : 0;
  return {modal: !!(dlg && dlg.open && shown(dlg)), modalLinks: dlg && dlg.open ? links(dlg) : 0,
          sidebar: shown(side), sidebarLinks: shown(side) ? links(side) : 0};
}"""


def _menu_button(page):
    buttons = page.locator("button.primary-toggle, label.primary-toggle, .primary-toggle")
    visible = [buttons.nth(i) for i in range(buttons.count()) if buttons.nth(i).is_visible()]
    assert visible, "no visible chapter-menu button"
    return visible[0]


def test_chapter_menu_opens_the_chapter_list_on_a_phone(browser, site_url):
    page, problems = _open(browser, site_url, "book/single_dot.html", PHONE)
    try:
        before = page.evaluate(SIDEBAR_STATE)
        assert not before["modal"] and not before["sidebar"], f"chapter list shown before the click: {before}"
        _menu_button(page).click()
        page.wait_for_timeout(600)
        after = page.evaluate(SIDEBAR_STATE)
        page.screenshot(path=str(ROOT / "_build" / "menu-400.png"))
    finally:
        page.close()
    assert after["modal"] or after["sidebar"], f"the menu button did not open the chapter list: {after}"
    assert max(after["modalLinks"], after["sidebarLinks"]) >= len(CHAPTERS), after
    assert problems == CLEAN


def test_chapter_menu_toggles_the_sidebar_on_a_desktop(browser, site_url):
    page, problems = _open(browser, site_url, "book/single_dot.html", DESKTOP)
    try:
        states = [page.evaluate(SIDEBAR_STATE)]
        for _ in range(2):
            _menu_button(page).click()
            page.wait_for_timeout(600)
            states.append(page.evaluate(SIDEBAR_STATE))
    finally:
        page.close()
    assert [s["sidebar"] for s in states] == [True, False, True], states
    assert states[0]["sidebarLinks"] >= len(CHAPTERS)
    assert problems == CLEAN


# -- tables, math, figures, code -----------------------------------------------------
RAW_TABLE = re.compile(r"\|\s*:?-{3,}:?\s*\|")      # the |---| rule every Markdown table has
RAW_INLINE_TEX = re.compile(r"\$[^$\s][^$\n]{0,80}?\\[A-Za-z]+[^$\n]{0,80}?\$|\$\\[A-Za-z]")

FIGURES = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('main img')) {
    if (img.offsetParent === null || !img.complete || img.naturalWidth < 50) continue;
    let svg = null;
    const src = img.currentSrc || img.src;
    if (src.startsWith('data:image/svg') || src.startsWith('blob:') || src.endsWith('.svg')) {
      try { const r = await fetch(src); const t = await r.text(); if (t.includes('<svg')) svg = t; } catch (e) {}
    }
    out.push({src: src.slice(0, 60), shown: img.getBoundingClientRect().width, natural: img.naturalWidth, svg});
  }
  return out;
}"""

SMALL_TEXT_PX = """() => {          // the page's small text: a <small> in the article
  const host = document.querySelector('main article') || document.querySelector('main') || document.body;
  const small = host.appendChild(document.createElement('small'));
  small.textContent = 'x';
  const px = parseFloat(getComputedStyle(small).fontSize);
  small.remove();
  return px;
}"""


def reader_view_problems(page, page_path):
    """Tables are tables, no $...$ left, figures full size with legible text, code wraps.

    Called by test_browser.test_page on its one load of every page.
    """
    text = page.evaluate(UNTYPESET_TEXT)
    figures = page.evaluate(FIGURES)
    small_px = page.evaluate(SMALL_TEXT_PX)
    overflow = page.evaluate("""() => [...document.querySelectorAll('main pre')]
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.innerText.split('\\n').sort((a, b) => b.length - a.length)[0].slice(0, 80))""")
    out = []
    tables = RAW_TABLE.findall(text)
    if tables:
        out.append(f"raw Markdown table rows: {tables[:3]}")
    tex = RAW_INLINE_TEX.findall(text)
    if tex:
        out.append(f"untypeset $...$: {tex[:3]}")
    shrunk = [(f["src"], round(f["shown"] / f["natural"], 2)) for f in figures
              if f["shown"] < MIN_SHOWN * f["natural"]]
    if shrunk:
        out.append(f"figures shown below {MIN_SHOWN:.0%} of their natural width: {shrunk}")
    tiny = []
    for f in figures:
        if f["svg"]:
            width_pt, sizes = svg_metrics(f["svg"])
            if sizes:
                px = min(sizes) * (4 / 3) * f["shown"] / f["natural"]
                if px < small_px - 0.05:
                    tiny.append((f["src"], round(px, 1)))
    if tiny:
        out.append(f"figure text smaller than the page's small text ({small_px} px): {tiny}")
    if not any(f["svg"] for f in figures) and figures:
        out.append("no figure could be read as SVG")
    if overflow:
        out.append(f"code lines cut off (the block scrolls sideways): {overflow}")
    return out


def test_figure_checks_can_fail(browser, tmp_path):
    from conftest import serve_directory

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="720pt" height="100pt"><text style="font-size: 8px" x="5" y="50">a</text></svg>'
    (tmp_path / "f.svg").write_text(svg)
    (tmp_path / "p.html").write_text('<html><body><main style="width:500px"><img src="f.svg" style="max-width:100%">'
                                     '<div>c</div><p>| a | b |\n|---|---|\n| 1 | 2 |</p></main></body></html>')
    with serve_directory(tmp_path) as url:
        page, _ = open_page(browser, f"{url}/p.html")
        figures = page.evaluate(FIGURES)
        text = page.evaluate(UNTYPESET_TEXT)
        page.close()
    (f,) = figures
    assert f["shown"] < MIN_SHOWN * f["natural"]
    assert svg_metrics(f["svg"]) == (720.0, [8.0])
    assert RAW_TABLE.findall(text)


def test_search_results_show_no_code_and_no_tex(browser, site_url):
    page, problems = _open(browser, site_url, "search.html?q=linewidth")
    try:
        page.wait_for_function("() => /Search finished/.test(document.getElementById('search-results')?.innerText"
                               " || '') || document.querySelectorAll('#search-results li p.context').length > 3",
                               timeout=20_000)
        page.wait_for_timeout(1500)
        text = page.locator("#search-results").inner_text()
    finally:
        page.close()
    assert text.count("\n") > 5, text
    for raw in ("\\(", "\\Gamma", "\\delta", "_{", "glue(", "import ", "display=False"):
        assert raw not in text, f"{raw!r} in the search results:\n{text[:2000]}"
    assert problems == CLEAN


# -- chapter furniture -------------------------------------------------------------
def chapter_furniture_problems(page, page_path):
    """A "Before you start" box first; numbered exercises, each with a folded solution that
    holds executed code.  Opens every solution (so test_browser.test_page calls it last)."""
    box = page.evaluate("""() => {
      const a = [...document.querySelectorAll('main .admonition')]
        .find(e => /Before you start/.test(e.querySelector('.admonition-title')?.innerText || ''));
      if (!a) return null;
      const h2 = document.querySelector('main article h2');
      return {text: a.innerText, beforeFirstH2: !h2 || !!(a.compareDocumentPosition(h2) & Node.DOCUMENT_POSITION_FOLLOWING)};
    }""")
    n_ex = page.locator("main .exercise").count()
    solutions = page.locator("main .solution").all()
    hidden_before = [not s.locator(".cell_output, .cell_input").first.is_visible() for s in solutions]
    opened = []
    for s in solutions:
        s.locator(".admonition-title, .toggle-button, summary").first.click()
        page.wait_for_timeout(150)
        opened.append((s.locator(".cell_input").count() > 0 and s.locator(".cell_input").first.is_visible(),
                       s.locator(".cell_output").count() > 0))
    out = []
    if not box:
        return out + ["no 'Before you start' box"]
    if not ("Prerequisites" in box["text"] and "Time to read" in box["text"]):
        out.append(f"the box lacks prerequisites or time to read: {box['text']!r}")
    if not box["beforeFirstH2"]:
        out.append("the box must come before the first section")
    if n_ex < 1:
        out.append("no numbered exercises")
    if len(solutions) != n_ex:
        out.append(f"{n_ex} exercises but {len(solutions)} solutions")
    if not all(hidden_before):
        out.append(f"solutions not folded: {hidden_before}")
    if not all(code and output for code, output in opened):
        out.append(f"a solution lacks executed code (shown code, output): {opened}")
    return out


def test_errata_start_with_a_summary_table(browser, site_url):
    page, problems = _open(browser, site_url, "book/errata.html")
    try:
        info = page.evaluate("""() => {
          const t = document.querySelector('main table');
          const h2s = [...document.querySelectorAll('main h2')];
          const typos = h2s.find(h => /Notation and typos/.test(h.innerText));
          if (!t) return null;
          const rows = [...t.querySelectorAll('tbody tr')];
          const heads = [...t.querySelectorAll('thead th')].map(th => th.innerText.trim());
          const links = rows.map(r => r.querySelector('a.reference')?.getAttribute('href') || '');
          const targets = links.map(h => h.startsWith('#') && !!document.getElementById(h.slice(1)));
          const entries = document.querySelectorAll('main section section section > h3, main section section > h3').length;
          return {heads, n: rows.length, targets, entries,
                  kinds: rows.map(r => r.children[1]?.innerText.trim()),
                  first: !typos || !!(t.compareDocumentPosition(typos) & Node.DOCUMENT_POSITION_FOLLOWING)};
        }""")
    finally:
        page.close()
    assert info, "no table on the errata page"
    assert info["first"], "the summary table must come before the entries"
    assert info["n"] >= info["entries"] > 20, info
    assert all(info["targets"]), f"summary links that go nowhere: {info['targets']}"
    assert set(info["kinds"]) <= {"typo", "open choice", "wrong claim", "clarification"}, set(info["kinds"])
    assert problems == CLEAN


def test_intro_shows_licence_citation_and_the_download(browser, site_url):
    page, problems = _open(browser, site_url, "book/intro.html")
    try:
        text = page.locator("main").inner_text()
        zip_href = page.evaluate("""() => [...document.querySelectorAll('main a')]
            .map(a => a.getAttribute('href') || '').find(h => h.endsWith('nblm-book.zip')) || null""")
        title = page.title()
        side_first = page.evaluate("() => document.querySelector('#pst-primary-sidebar a.reference')?.innerText")
        icon = page.evaluate("() => document.querySelector('link[rel~=icon]')?.getAttribute('href')")
    finally:
        page.close()
    assert "MIT" in text and "CITATION.cff" in text and "preferred-citation" in text
    assert "A mean-field theory of nearly many-body localized metals" in text
    assert zip_href, "no link to the runnable book (nblm-book.zip) on the intro page"
    page_title, _, site_title = title.partition(" \u2014 ")
    assert page_title != site_title, f"duplicated title: {title!r}"
    assert side_first and side_first.strip() != site_title, f"the sidebar repeats the site title: {side_first!r}"
    assert icon, "no favicon"
    assert problems == CLEAN


# -- site checks without a browser ---------------------------------------------------
@pytest.mark.site
def test_no_progress_bars_or_frame_talk_on_the_static_site(built_site):
    for p in sorted((built_site / "book").glob("*.html")):
        html = p.read_text(encoding="utf-8")
        assert "IntProgressModel" not in html and "FloatProgressModel" not in html, f"progress bar on {p.name}"
        if p.stem == "widgets_howto":   # the how-to page is about frames: counting them is its subject
            continue
        text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
        assert not re.search(r"\b\d+\s+(?:precomputed\s+)?frames\b", text), f"frame-count talk on {p.name}"


@pytest.mark.site
def test_the_runnable_book_archive_is_on_the_site(built_site):
    found = sorted(built_site.glob("_downloads/*/nblm-book.zip"))
    assert len(found) == 1, found
    with zipfile.ZipFile(found[0]) as z:
        names = set(z.namelist())
    for needed in ("nblm-book/Makefile", "nblm-book/README.md", "nblm-book/requirements.txt",
                   "nblm-book/nblm_helpers/__init__.py", "nblm-book/book/single_dot.ipynb", "nblm-book/_toc.yml"):
        assert needed in names, f"{needed} missing from the archive"
