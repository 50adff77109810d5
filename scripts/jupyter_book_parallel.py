"""``jupyter-book`` (1.x) with Sphinx's parallel read: notebooks execute side by side.

Jupyter Book 1's command line has no ``-j``, although its ``build_sphinx``
accepts ``jobs``.  This wrapper passes ``NBLM_BUILD_JOBS`` (default: the number
of CPUs) and otherwise runs the unchanged ``jupyter-book`` command line, so
``python scripts/jupyter_book_parallel.py build --all -W --keep-going .`` is the
strict build of the README with every notebook still force-executed; myst-nb
declares itself parallel-read safe.  Each notebook kernel runs one BLAS thread
(``_ext/nblm_sphinx.py``), so N jobs use N cores.
"""

import os
import sys

import jupyter_book.sphinx as jb_sphinx
from jupyter_book.cli.main import main

_build_sphinx = jb_sphinx.build_sphinx


def _build_sphinx_parallel(*args, jobs=None, **kwargs):
    jobs = int(os.environ.get("NBLM_BUILD_JOBS", os.cpu_count() or 1))
    return _build_sphinx(*args, jobs=jobs, **kwargs)


jb_sphinx.build_sphinx = _build_sphinx_parallel

if __name__ == "__main__":
    sys.exit(main())
