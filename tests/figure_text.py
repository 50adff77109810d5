"""How large a figure is, and how large its text is, read from its SVG.

Used by tests/test_figures.py (every figure of the executed notebooks) and
tests/test_browser.py (figures as the reader sees them).  Figures are
matplotlib SVGs with text kept as text (``svg.fonttype: none``): the SVG's
``width`` is in points and each ``<text>`` carries ``font-size: Npx`` in user
units, which are points too.  Only ``<text>`` elements count, not ``<tspan>``
children: mathtext writes sub- and superscripts as smaller tspans, and those
are conventionally ~70 % of the text they belong to.

Run as a script on notebooks, it lists every figure output that is wider than
the column or has text smaller than ``MIN_FONT_PT``::

    python tests/figure_text.py _build/jupyter_execute/book/*.ipynb
"""

from __future__ import annotations

import base64
import re
import sys

from nblm_helpers.plotting import COLUMN_WIDTH_IN, MIN_FONT_PT

_WIDTH = re.compile(r'<svg[^>]*\bwidth="([\d.]+)(pt|px)?"')
_TEXT = re.compile(r"<text\b[^>]*font-size:\s*([\d.]+)px")
_TEXT_FONT = re.compile(r"<text\b[^>]*font:[^;\"]*?([\d.]+)px")


def svg_metrics(svg: str):
    """``(width_pt, font_sizes_pt)`` of a matplotlib SVG (text elements only)."""
    m = _WIDTH.search(svg)
    if not m:
        raise ValueError("no <svg width=...> found")
    width = float(m.group(1)) * (0.75 if m.group(2) == "px" else 1.0)
    sizes = [float(s) for s in _TEXT.findall(svg)] + [float(s) for s in _TEXT_FONT.findall(svg)]
    return width, sizes


def notebook_svgs(nb):
    """Yield ``(cell_index, svg_text)`` for every SVG output of an executed notebook (glued ones too)."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            for key, svg in out.get("data", {}).items():
                # glue(..., display=False) stores the figure under a papermill record key
                if key == "image/svg+xml" or key.endswith("record/image/svg+xml"):
                    yield i, svg if isinstance(svg, str) else "".join(svg)


def widget_frame_svgs(nb):
    """Yield ``(model_id, svg_text)`` for every SVG frame stored in the notebook's widget state."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for model_id, model in state.items():
        if model.get("model_name") != "ImageModel" or model["state"].get("format") != "svg+xml":
            continue
        for buf in model.get("buffers", []):
            if buf.get("path") == ["value"]:
                yield model_id, base64.b64decode(buf["data"]).decode("utf-8")


def problems(nb, *, max_width_pt=COLUMN_WIDTH_IN * 72, min_font_pt=MIN_FONT_PT):
    """Every SVG figure of ``nb`` (outputs and widget frames; the frames are identified by
    their widget model id) wider than the column or with text below ``min_font_pt``."""
    out = []
    for i, svg in list(notebook_svgs(nb)) + list(widget_frame_svgs(nb)):
        width, sizes = svg_metrics(svg)
        small = sorted({s for s in sizes if s < min_font_pt - 1e-6})
        if width > max_width_pt + 0.5 or small:
            out.append((i, round(width / 72, 2), small))
    return out


def png_outputs(nb):
    """Cell indices of raster (PNG/JPEG) figure outputs: the book shows SVG only."""
    def raster(data):
        kinds = {k.rsplit("record/", 1)[-1] for k in data}
        return bool({"image/png", "image/jpeg"} & kinds) and "image/svg+xml" not in kinds

    return [i for i, cell in enumerate(nb.cells) for out in cell.get("outputs", [])
            if raster(out.get("data", {}))]


if __name__ == "__main__":  # pragma: no cover - a tool for chapter authors
    import nbformat

    bad = 0
    for path in sys.argv[1:]:
        nb = nbformat.read(path, as_version=4)
        for i, w, small in problems(nb):
            bad += 1
            print(f"{path}: cell {i}: width {w} in (max {COLUMN_WIDTH_IN}), text below {MIN_FONT_PT} pt: {small}")
        for i in png_outputs(nb):
            bad += 1
            print(f"{path}: cell {i}: PNG output (the book's figures are SVG)")
    print(f"{bad} problem(s)")
    sys.exit(1 if bad else 0)
