"""Every figure of the executed chapters fits the content column, with legible text.

Reads the notebooks as the book build executed them (``_build/jupyter_execute``):
each figure output is SVG, at most ``COLUMN_WIDTH_IN`` wide (so the page shows
it at full size, not shrunk), and no text in it is smaller than ``MIN_FONT_PT``
(11 pt = 14.7 CSS px at full size, the page's small text).  The browser test
checks the same on the rendered pages, widget frames included.
"""

from __future__ import annotations

import nbformat
import pytest

from conftest import EXECUTED, NOTEBOOKS, require
from figure_text import png_outputs, problems, svg_metrics

pytestmark = pytest.mark.site


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_figures_fit_the_column_with_legible_text(path):
    executed = EXECUTED / "book" / path.name
    require(executed.exists(), f"{executed} missing; run `make book` first")
    nb = nbformat.read(executed, as_version=4)
    assert not png_outputs(nb), f"raster figure outputs in cells {png_outputs(nb)}"
    assert not problems(nb), f"(cell, width in, text sizes below minimum): {problems(nb)}"


def test_checker_can_fail():
    wide = '<svg width="720pt" height="200pt"><text style="font-size: 8px">a</text></svg>'
    assert svg_metrics(wide) == (720.0, [8.0])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data={"image/svg+xml": wide})])])
    assert problems(nb) == [(0, 10.0, [8.0])]
    glued = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data={"application/papermill.record/image/svg+xml": wide})])])
    assert problems(glued) == [(0, 10.0, [8.0])]
