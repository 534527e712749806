#!/usr/bin/env bash
# The one command that sets everything up and runs the desk's window. Extra arguments go to
# `cargo run` (e.g. `scripts/run.sh --release`). Without a display it starts a virtual one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
(cd ui && npm run build)
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display; starting the desk under Xvfb (screen :99-ish, 1280x800)" >&2
  exec xvfb-run -a -s "-screen 0 1280x800x24" cargo run --locked "$@"
fi
exec cargo run --locked "$@"
