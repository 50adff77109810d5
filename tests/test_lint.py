"""pyflakes over the package, the tests, the scripts and the code of every chapter.

Notebook code is checked as one module per chapter (cells in order, IPython magics dropped), so
a name defined in an earlier cell counts as defined; an unused import, an undefined name or a
shadowed definition in a chapter fails here, as in a ``.py`` file.
"""

import io
from pathlib import Path

import nbformat
import pytest
from pyflakes.api import check, checkRecursive
from pyflakes.reporter import Reporter

ROOT = Path(__file__).resolve().parents[1]
PY_TREES = ["nblm_helpers", "tests", "benchmarks", "scripts", "_ext"]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def _report(run):
    out, err = io.StringIO(), io.StringIO()
    n = run(Reporter(out, err))
    return n, (out.getvalue() + err.getvalue()).replace(str(ROOT) + "/", "")


def test_python_files_are_clean():
    n, text = _report(lambda rep: checkRecursive([str(ROOT / t) for t in PY_TREES], rep))
    assert n == 0, text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_code_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    src = "\n\n".join("\n".join(line for line in c.source.splitlines()
                                if not line.lstrip().startswith(("%", "!")))
                      for c in nb.cells if c.cell_type == "code")
    n, text = _report(lambda rep: check(src, str(path.relative_to(ROOT)), rep))
    assert n == 0, text


def test_the_lint_can_fail():
    n, text = _report(lambda rep: check("import os\nx = undefined_name\n", "probe.py", rep))
    assert n == 2 and "'os' imported but unused" in text and "undefined name 'undefined_name'" in text
