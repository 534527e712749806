#!/usr/bin/env bash
# Installs what Branch Desk needs to build, run and test on Debian 12, skipping what is present:
# Debian packages (build deps, Xvfb and WebKitWebDriver, poppler, keyring, age, sqlcipher,
# PostgreSQL), the UI's npm packages, and tauri-driver 2.x. Safe to run again; uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config perl make   # Rust crates that build C (SQLCipher, vendored OpenSSL)
  libwebkit2gtk-4.1-dev                  # Tauri 2 on Linux
  xvfb webkit2gtk-driver                 # headless window + WebKitWebDriver for end-to-end tests
  imagemagick xdotool x11-utils          # screenshots and window checks in scripts
  poppler-utils qpdf zbar-tools          # checking printed PDFs and their QR codes
  dbus gnome-keyring                     # a real Secret Service for keychain tests
  age sqlcipher                          # reference tools the vault's files must open with
  openssl                                # test CAs, signed PDFs and time-stamps for the verify tests
  postgresql                             # throwaway clusters for the head-office server's tests
  fonts-dejavu-core hyperfine
  minisign lintian rpm                   # checking the packages scripts/package.sh builds
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  grep -q "install ok installed" <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" || missing+=("$p")
done
# Node may come from elsewhere (e.g. nodesource or a preinstalled toolchain): keep it if it works.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

# Vite 8 needs Node.js 20.19 or newer; Debian 12's own nodejs is 18.
node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  echo "setup: Node.js $(node --version 2>/dev/null || echo 'missing') is too old; install Node.js 20.19+ (e.g. from nodejs.org)" >&2
  exit 1
fi

command -v cargo >/dev/null || { echo "setup: cargo is missing; install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
grep -q rustfmt <<<"$(rustup component list --installed 2>/dev/null)" || rustup component add rustfmt clippy

TAURI_DRIVER="${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"
if ! [ -x "$TAURI_DRIVER" ] && ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver 2.x"
  cargo install tauri-driver --version '^2' --locked
fi

# The UI's packages, exactly as locked.
if ! [ -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
