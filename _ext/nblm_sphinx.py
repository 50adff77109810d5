"""Local Sphinx extension of the nblm book (loaded from _config.yml).

1. Marks the build for :mod:`nblm_helpers.widgets`: notebook kernels started by
   myst-nb inherit ``NBLM_WIDGET_MODE=static``, so widgets are built from
   precomputed frames that respond on the static site without a kernel.  A
   reader's own Jupyter session does not set it and gets live widgets.
2. Works around sphinx-thebe 0.3.1 under Sphinx 7.4, which emits its inline
   ``const THEBE_JS_URL = ...`` script twice ("Identifier 'THEBE_JS_URL' has
   already been declared" in the browser console).
3. Pins the BLAS/OpenMP thread counts of the notebook kernels (2-core machines:
   two kernels x many BLAS threads oversubscribe the CPU).
4. Lets Sphinx read (and so execute) notebooks in parallel
   (scripts/jupyter_book_parallel.py): sphinx-external-toc always loads
   sphinx-multitoc-numbering, which does not declare itself parallel-read safe,
   so Sphinx would fall back to a serial read.  That extension only replaces
   TocTreeCollector.assign_section_numbers, which Sphinx calls in the main
   process after reading; it keeps no per-document state, so the declaration is
   true.  (Chapters are not numbered here anyway: use_multitoc_numbering false.)
5. Makes the chapter-menu button work: with sphinx-book-theme 1.3 on
   pydata-sphinx-theme 0.16-0.17 the "Toggle primary sidebar" button does
   nothing at any width, so on a phone the chapter list cannot be opened
   (pydata-sphinx-theme #2451, sphinx-book-theme #988).  The cause is the
   theme-switcher/search buttons the pydata theme puts in
   ``navbar_persistent``; emptying that list (Jupyter Book has no key for it,
   and ``sphinx: config: html_theme_options`` would replace every option
   Jupyter Book sets) restores the toggle.  tests/test_browser.py clicks it.
"""

import os

os.environ["NBLM_WIDGET_MODE"] = "static"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for js in context.get("script_files", []):
        attrs = tuple(sorted((k, str(v)) for k, v in js.attributes.items() if k != "priority"))
        key = (str(js.filename or ""), attrs)
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def _theme_options(app, config):
    options = dict(config.html_theme_options or {})
    options["navbar_persistent"] = []
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _theme_options)
    app.add_css_file("nblm.css")
    app.add_js_file("nblm_search.js", loading_method="defer")
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    multitoc = app.extensions.get("sphinx_multitoc_numbering")
    if multitoc is not None:
        multitoc.parallel_read_safe = True
    return {"parallel_read_safe": True, "parallel_write_safe": True}
