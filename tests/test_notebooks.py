"""The chapters: committed clean, structured alike, and executed cleanly by the build.

The strict book build (``make book``) force-executes every notebook with
``raise_on_error``; these tests read what it wrote to _build/jupyter_execute
and fail on any error *or warning* output, so a notebook that only prints a
warning still fails the suite.
"""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from conftest import EXECUTED, NOTEBOOKS, ROOT, require

SKELETON = ("what you will learn", "the physics", "the computation", "what we found", "exercises",
            "references")


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [ch["file"] for ch in part["chapters"]]
    return files


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    files = toc_files()
    stems = {f"book/{p.stem}" for p in NOTEBOOKS}
    assert stems <= set(files), f"notebooks missing from _toc.yml: {sorted(stems - set(files))}"
    for f in files:
        assert (ROOT / f"{f}.md").exists() or (ROOT / f"{f}.ipynb").exists(), f"_toc.yml names missing {f}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_or_widget_state(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; strip them before committing"
    assert "widgets" not in nb.metadata, f"{path.name}: saved widget state; strip it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_structure_and_imports(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert "sys.path" not in code, "import the installed nblm_helpers; do not edit sys.path"
    assert re.search(r"^from nblm_helpers|^import nblm_helpers", code, re.M), "chapters call nblm_helpers"
    missing = [s for s in SKELETON if s not in text]
    assert not missing, f"{path.name}: page skeleton lacks {missing}"
    if "init_printing" in code:
        assert 'init_printing(use_latex="mathjax")' in code, "SymPy output must be MathJax, not PNG"
    assert "np.random.seed" not in code, "use a seeded np.random.default_rng(...)"
    if "default_rng(" in code:
        assert re.search(r"default_rng\(\s*\d", code), "random generators must be seeded"


@pytest.mark.site
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_build_executed_the_notebook_cleanly(path):
    executed = EXECUTED / "book" / path.name
    require(executed.exists(), f"{executed} is missing; run `make book` first")
    assert executed.stat().st_mtime >= path.stat().st_mtime, "the build is older than the notebook"
    nb = nbformat.read(executed, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code_cells), "every code cell was executed"
    for i, c in enumerate(code_cells):
        for out in c.outputs:
            assert out.output_type != "error", f"cell {i} raised {out.get('ename')}"
            if out.output_type == "stream":
                assert out.name != "stderr", f"cell {i} wrote to stderr (a warning?): {out.text[:300]}"
        # a figure is shown once, through glue with a caption: a figure cell (usually folded,
        # hide-input) that leaves its figure open also shows it bare, above the captioned copy
        if "hide-input" in c.metadata.get("tags", []) or "remove-cell" in c.metadata.get("tags", []):
            bare = [o for o in c.outputs if o.output_type in ("display_data", "execute_result")
                    and {"image/svg+xml", "image/png"} & set(o.get("data", {}))
                    and not o.get("metadata", {}).get("scrapbook")
                    and "application/vnd.jupyter.widget-view+json" not in o.get("data", {})]
            assert not bare, f"cell {i} ({c.metadata.get('tags')}) displays a figure outside glue: close it (plt.close(fig))"
    glue_file = executed.with_suffix(".glue.json")
    if glue_file.exists():  # numbers quoted in the prose must not be a silent NaN
        import json

        glued = json.loads(glue_file.read_text())
        nans = [k for k, v in glued.items() if v.get("data", {}).get("text/plain", "").strip() == "nan"]
        assert not nans, f"glued NaN: {nans}"
