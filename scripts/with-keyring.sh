#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (a real Secret
# Service), the way a desktop session provides one. Used by scripts/test.sh for the keychain test.
# The keyring lives in a throwaway HOME so the developer's own keyring is never touched.
set -euo pipefail
if [ "${1:-}" = "--inner" ]; then
  shift
  # An empty password needs the trailing newline (a truly empty stdin creates no keyring).
  echo 'branchdesk-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export SECRET_SERVICE_REQUIRED=1
  exec "$@"
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/run"
chmod 700 "$scratch/run"
# Keep the caller's toolchains reachable although HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/run" dbus-run-session -- "$0" --inner "$@"
