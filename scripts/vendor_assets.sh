#!/usr/bin/env bash
# Copy the browser assets the book needs -- MathJax 3, require.js and the
# ipywidgets HTML manager -- from the npm registry (versions pinned in
# package-lock.json) into _vendor/vendor/, which Sphinx publishes as
# _build/html/_static/vendor/.  The built site then loads nothing from a CDN.
#
# Not committed: _vendor/ and node_modules/ are build products (.gitignore).
# Not `_static/`: Jupyter Book 1 adds a <script> tag for *every* .js file under
# a project's _static folder, which would load all of MathJax's components.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "vendor_assets: npm is needed to fetch MathJax/require.js/html-manager." >&2
  echo "  Debian/Ubuntu: apt-get install -y nodejs npm" >&2
  exit 1
fi
# Reinstall only when the lock file changed since the last install.
stamp=node_modules/.nblm-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  echo "$want" > "$stamp"
fi

dest=_vendor/vendor
rm -rf _vendor
mkdir -p "$dest/mathjax" "$dest/html-manager"

# MathJax 3: the combined component plus what it lazy-loads (TeX extensions,
# CHTML fonts, menu, accessibility).
mj=node_modules/mathjax/es5
cp "$mj/tex-mml-chtml.js" "$dest/mathjax/"
cp -r "$mj/input" "$mj/output" "$mj/ui" "$mj/a11y" "$mj/adaptors" "$dest/mathjax/"

# ipywidgets static rendering: require.js + the html-manager AMD bundle and
# the icon fonts it loads relative to itself.
cp node_modules/requirejs/require.js "$dest/require.js"
hm=node_modules/@jupyter-widgets/html-manager/dist
cp "$hm"/embed-amd.js "$hm"/*.woff2 "$hm"/*.woff "$hm"/*.ttf "$hm"/*.eot "$hm"/*.svg "$dest/html-manager/"

# Small local shims, committed in _ext/.
cp _ext/widgets_paths.js _ext/mathjax2_shim.js "$dest/"
echo "vendor_assets: $(du -sh _vendor | cut -f1) in _vendor/"
