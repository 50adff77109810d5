"""Write the runnable book as one zip: ``python scripts/make_archive.py [OUT]``.

``make book`` runs this before the Sphinx build (default ``_build/nblm-book.zip``);
the book offers the file for download.  Unzipped, it is a project in which
``make lab`` (and ``make book``, ``make test``) work as in a clone: the package
source, the notebooks (committed without outputs), the tests, the lock files,
the Makefile and the README, all under one top folder ``nblm-book/``.

What goes in is the explicit list ``INCLUDE``.  In a git checkout only tracked
files under it are taken (``git ls-files``, contents as in the work tree);
elsewhere -- e.g. inside an unzipped archive -- the listed paths are walked,
skipping build products, environments and caches (``EXCLUDE``).  The zip is
deterministic: sorted names, a fixed timestamp, fixed permissions (0644, 0755 for
executables), so the same sources give the same bytes.

Standard library only.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP = "nblm-book"
DEFAULT_OUT = ROOT / "_build" / "nblm-book.zip"
# Folders (trailing "/") and files of the runnable book; missing optional ones are skipped.
INCLUDE = [
    "book/", "nblm_helpers/", "tests/", "benchmarks/", "scripts/", "_ext/", ".ci/",
    "_config.yml", "_toc.yml", "Makefile", "README.md", "LICENSE", "CITATION.cff",
    "pyproject.toml", "requirements.in", "requirements.txt", "requirements-build.txt",
    "package.json", "package-lock.json", ".gitignore",
]
REQUIRED = {"book/", "nblm_helpers/", "Makefile", "README.md", "pyproject.toml",
            "requirements.in", "requirements.txt", "requirements-build.txt"}
# Never archived, whatever the source of the file list (matched against every path part).
EXCLUDE = ["_build", ".venv", ".venv-*", "node_modules", "_vendor", "*.egg-info", "__pycache__",
           "*.pyc", ".ipynb_checkpoints", ".hypothesis", ".pytest_cache", ".jupyter_cache",
           "jupyter_execute", ".DS_Store"]
EXCLUDE_DIRS = ["benchmarks/results"]
# 1980-01-01, the earliest time a zip entry can carry.
EPOCH = (1980, 1, 1, 0, 0, 0)


def _excluded(rel: str) -> bool:
    if any(rel == d or rel.startswith(d + "/") for d in EXCLUDE_DIRS):
        return True
    return any(fnmatch.fnmatch(part, pat) for part in rel.split("/") for pat in EXCLUDE)


def _in_git_checkout(root: Path) -> bool:
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return False
    return Path(top).resolve() == root.resolve()


def list_files(root: Path = ROOT) -> list[str]:
    """The archived files, relative to ``root``, sorted."""
    present = [p for p in INCLUDE if (root / p.rstrip("/")).exists()]
    missing = REQUIRED - set(present)
    if missing:
        raise SystemExit(f"make_archive: missing in {root}: {', '.join(sorted(missing))}")
    if _in_git_checkout(root):
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", *present],
                             capture_output=True, check=True).stdout.decode()
        files = [f for f in out.split("\0") if f and (root / f).is_file()]
    else:
        files = []
        for p in present:
            path = root / p.rstrip("/")
            if path.is_file():
                files.append(p)
                continue
            for dirpath, dirnames, filenames in os.walk(path):
                rel_dir = Path(dirpath).relative_to(root).as_posix()
                dirnames[:] = [d for d in dirnames if not _excluded(f"{rel_dir}/{d}")]
                files += [f"{rel_dir}/{f}" for f in filenames]
    files = sorted(f for f in set(files) if not _excluded(f))
    lost = [r for r in sorted(REQUIRED) if not any(f == r or f.startswith(r) for f in files)]
    if lost:
        raise SystemExit(f"make_archive: not archived (untracked by git?): {', '.join(lost)}")
    return files


def write_archive(out: Path = DEFAULT_OUT, root: Path = ROOT) -> list[str]:
    files = list_files(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for rel in files:
            src = root / rel
            info = zipfile.ZipInfo(f"{TOP}/{rel}", date_time=EPOCH)
            info.create_system = 3  # Unix, so that unzip restores the permissions below
            mode = 0o755 if os.access(src, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, src.read_bytes(), compresslevel=9)
    tmp.replace(out)
    return files


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    if not out.is_absolute():
        out = Path.cwd() / out
    files = write_archive(out)
    size = out.stat().st_size
    print(f"== archive: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}"
          f" ({len(files)} files, {size / 1e6:.1f} MB): the runnable book under {TOP}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
