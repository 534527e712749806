#!/usr/bin/env bash
# Checks that Branch Desk still compiles for Windows by cross-compiling the app for
# x86_64-pc-windows-gnu with mingw-w64. This is a compile check only: the real Windows build
# (NSIS/MSI, WebView2, Authenticode) needs a Windows machine; see docs/windows.md.
# Not part of the test command (it needs the Windows target and mingw-w64, and takes minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  echo "check-windows: the Rust target $target is not installed; nothing checked." >&2
  echo "               Install it with: rustup target add $target" >&2
  exit 2
fi
if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  echo "check-windows: mingw-w64 (x86_64-w64-mingw32-gcc) is not installed; nothing checked." >&2
  echo "               Install it with: apt-get install gcc-mingw-w64-x86-64" >&2
  exit 2
fi

(cd ui && npm run build)
started=$(date +%s)
cargo build --release --locked --target "$target" --bin branchdesk
exe=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/$target/release/branchdesk.exe
file "$exe"
echo "check-windows: built $exe ($(stat -c %s "$exe") bytes) in $(( $(date +%s) - started )) s."
echo "check-windows: it needs WebView2Loader.dll beside it (copied into the target folder by webview2-com-sys)."
