"""Checks of the built HTML that need no browser: self-contained, complete, light."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from test_notebooks import toc_files

pytestmark = pytest.mark.site

EXTERNAL_LOAD = re.compile(
    r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["'](?:https?:)?//"""
    r"""|<link\b[^>]*\bhref=["'](?:https?:)?//[^"']*["'][^>]*>""", re.I)
PAGE_BUDGET = 1_500_000  # bytes of HTML per page, frames of static widgets included


def pages(site):
    return sorted(site.rglob("*.html"))


def test_every_toc_page_was_built(built_site):
    for f in toc_files():
        assert (built_site / f"{f}.html").exists(), f"{f} not built"


def test_no_page_loads_anything_from_outside(built_site):
    offenders = {}
    for p in pages(built_site):
        html = p.read_text(encoding="utf-8")
        hits = [m.group(0)[:120] for m in EXTERNAL_LOAD.finditer(html)
                if 'rel="canonical"' not in m.group(0)]
        if hits:
            offenders[str(p.relative_to(built_site))] = hits
    assert not offenders, offenders
    index_js = " ".join(p.read_text(encoding="utf-8") for p in (built_site / "_static").glob("*.js"))
    assert "cdn.jsdelivr.net/npm/mathjax" not in index_js


def test_vendored_assets_are_used_and_present(built_site):
    html = (built_site / "book" / "widgets_howto.html").read_text(encoding="utf-8")
    for asset in ("vendor/mathjax/tex-mml-chtml.js", "vendor/require.js", "vendor/widgets_paths.js",
                  "vendor/mathjax2_shim.js", "vendor/html-manager/embed-amd.js"):
        assert f"_static/{asset}" in html, f"{asset} not referenced"
        assert (built_site / "_static" / asset).exists(), f"{asset} not copied"
    assert html.count("THEBE_JS_URL") <= 1, "sphinx-thebe script emitted twice"


def test_pages_are_light(built_site):
    heavy = {str(p.relative_to(built_site)): p.stat().st_size for p in (built_site / "book").glob("*.html")
             if p.stat().st_size > PAGE_BUDGET}
    assert not heavy, f"pages over {PAGE_BUDGET} bytes: {heavy}"


def test_vendored_files_are_not_committed():
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.startswith(("_vendor/", "node_modules/", "_build/"))]
    assert "package-lock.json" in tracked or not tracked  # (an uncommitted checkout lists nothing)
