#!/usr/bin/env bash
# Builds the SPA (web/) into web/dist without the dx CLI:
# cargo → wasm32, wasm-bindgen (the exact version of Cargo.lock), optional wasm-opt, index.html + assets.
#   HUB_WASM_OPT=0  skip the wasm-opt size step (npm binaryen@132; Debian's wasm-opt is too old).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIST="$ROOT/web/dist"
TOOLS="$TARGET_DIR/web-tools"
t0=$(date +%s)
step() { echo "==> $* (+$(( $(date +%s) - t0 ))s)"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

WB_VERSION="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$WB_VERSION" ]; then
  echo "wasm-bindgen not found in Cargo.lock" >&2
  exit 1
fi
have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_wb" != "$WB_VERSION" ]; then
  step "installing wasm-bindgen-cli $WB_VERSION (found: ${have_wb:-none})"
  # Not --locked: its lock file pins a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

step "cargo build (release, wasm32)"
cargo build -p web --target wasm32-unknown-unknown --release
WASM="$TARGET_DIR/wasm32-unknown-unknown/release/web.wasm"

step "wasm-bindgen $WB_VERSION"
rm -rf "$DIST"
mkdir -p "$DIST"
wasm-bindgen --target web --no-typescript --out-name web --out-dir "$DIST" "$WASM"
raw_size=$(stat -c %s "$DIST/web_bg.wasm")

if [ "${HUB_WASM_OPT:-1}" != "0" ]; then
  WASM_OPT="$TOOLS/node_modules/.bin/wasm-opt"
  if [ ! -x "$WASM_OPT" ] && command -v npm >/dev/null; then
    step "installing binaryen@132 (npm) for wasm-opt"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent binaryen@132 || true
  fi
  if [ -x "$WASM_OPT" ]; then
    step "wasm-opt -Oz"
    # The features rustc enables by default for wasm32 since 1.82.
    "$WASM_OPT" -Oz \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$DIST/web_bg.opt.wasm" "$DIST/web_bg.wasm"
    mv "$DIST/web_bg.opt.wasm" "$DIST/web_bg.wasm"
  else
    echo "wasm-opt unavailable: shipping the unoptimised wasm"
  fi
fi

step "index.html and assets"
cp -r "$ROOT"/web/assets/. "$DIST"/
# Absolute URLs: the server answers every app route (/requests/new, ...) with this file.
cat > "$DIST/index.html" <<'HTML'
<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Hub</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/style.css">
  <link rel="modulepreload" href="/web.js">
  <link rel="preload" href="/web_bg.wasm" as="fetch" type="application/wasm" crossorigin>
</head>
<body>
  <div id="main"></div>
  <noscript>Hub needs JavaScript. / Для работы Hub нужен JavaScript.</noscript>
  <script type="module">
    import init from "/web.js";
    init({ module_or_path: "/web_bg.wasm" });
  </script>
</body>
</html>
HTML

step "done"
for f in "$DIST"/web_bg.wasm "$DIST"/web.js "$DIST"/style.css; do
  printf '  %-12s %8d bytes  (%d gzipped)\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
echo "  wasm before wasm-opt: $raw_size bytes"
echo "  total time: $(( $(date +%s) - t0 ))s"
