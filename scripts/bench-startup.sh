#!/usr/bin/env bash
# Start-up time and memory of Branch Desk against a bare Tauri 2 "hello" window (bench/hello), both
# release builds, measured in the same run, alternating, on fresh data folders.
#
#   start-up : from exec to the first screen on display (the UI's `ui_ready` call writes
#              BRANCHDESK_READY_FILE; the hello page does the same from its script)
#   memory   : PSS summed over the app process and all its descendants (WebKitWebProcess,
#              WebKitNetworkProcess) after the first screen plus SETTLE seconds
#
# Usage: scripts/bench-startup.sh [RUNS]   (default 7; SETTLE=5 seconds). Prints a Markdown table.
# Without a display it re-runs itself under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
SETTLE=${SETTLE:-5}

if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi

TARGET=${CARGO_TARGET_DIR:-target}
(cd ui && npm run build >/dev/null)
cargo build --release --locked -p branchdesk -p hello-tauri >&2
DESK="$TARGET/release/branchdesk"
HELLO="$TARGET/release/hello-tauri"

descendants() { # pid → pid and every descendant
  local p=$1; echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do descendants "$c"; done
}

pss_kib() { # sum of PSS over a process tree
  local total=0 v
  for p in $(descendants "$1"); do
    v=$(awk '/^Pss:/{print $2}' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

one_run() { # binary → "ms kib"
  local bin=$1 work ready t0 t1 pid
  work=$(mktemp -d); ready="$work/ready"
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  t0=$(date +%s%N)
  BRANCHDESK_DATA_DIR="$work/data" BRANCHDESK_READY_FILE="$ready" "$bin" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do [ -e "$ready" ] && break; sleep 0.005; done
  t1=$(date +%s%N)
  [ -e "$ready" ] || { echo "no first screen from $bin within 30 s" >&2; kill -TERM "$pid"; exit 1; }
  sleep "$SETTLE"
  local kib; kib=$(pss_kib "$pid")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
  echo "$(( (t1 - t0) / 1000000 )) $kib"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

desk_ms=(); desk_kib=(); hello_ms=(); hello_kib=()
for i in $(seq 1 "$RUNS"); do
  read -r ms kib < <(one_run "$HELLO"); hello_ms+=("$ms"); hello_kib+=("$kib")
  read -r ms kib < <(one_run "$DESK");  desk_ms+=("$ms");  desk_kib+=("$kib")
  echo "run $i: hello ${hello_ms[-1]} ms ${hello_kib[-1]} KiB | desk ${desk_ms[-1]} ms ${desk_kib[-1]} KiB" >&2
done

hm=$(printf '%s\n' "${hello_ms[@]}" | median); dm=$(printf '%s\n' "${desk_ms[@]}" | median)
hk=$(printf '%s\n' "${hello_kib[@]}" | median); dk=$(printf '%s\n' "${desk_kib[@]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }

echo "| measure (median of $RUNS) | bare Tauri hello | Branch Desk | ratio (target ≤ 1.2×) |"
echo "|---|---|---|---|"
echo "| start to first screen | ${hm} ms | ${dm} ms | $(ratio "$dm" "$hm") |"
echo "| PSS, app + WebKit processes, ${SETTLE} s after first screen | $((hk / 1024)) MiB | $((dk / 1024)) MiB | $(ratio "$dk" "$hk") |"
echo
echo "all runs (ms): hello ${hello_ms[*]} | desk ${desk_ms[*]}"
echo "all runs (KiB): hello ${hello_kib[*]} | desk ${desk_kib[*]}"
