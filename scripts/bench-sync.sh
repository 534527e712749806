#!/usr/bin/env bash
# Desk sync at branch scale: the desk's `desk_sync::sync_now` pushing a seeded SQLCipher vault's
# outbox to a real `branchdesk-hq serve` (SQLite) over TLS on 127.0.0.1, against one plain curl
# upload of the same bytes; a push cut after half its bytes and resumed; and the vault's size at
# 100 000 applications after compaction. The work is the `push_load` example
# (src-tauri/crates/desk_sync/examples/push_load.rs); this builds it and `branchdesk-hq` in
# release (CARGO_TARGET_DIR honoured) and runs it.
#
#   scripts/bench-sync.sh [--applications N] [--runs R] [--direct-runs D] [--link MBIT:RTT_MS|none]
#                         [--lifecycle short|book] [--compact-applications M]
#                         [--compact-lifecycle book|short] [--only push|compact]
#
# Defaults: 10 000 applications (one client each, `short` lifecycle: create, submit, refer for
# every tenth: 3.1 outbox records an application), 3 runs through the counting proxy and 1 straight
# to head office, each with a fresh head office and a fresh desk; one more over a shaped link of
# 10 Mbit/s each way and 40 ms round trip (curl too; `--link none` skips it); then the resumed
# push (cut after half the median run's bytes through the proxy, then a round uncut); then
# 100 000 applications (`book` lifecycle, as benches/records.rs) for the compaction (takes minutes
# and some 2.5 GiB in the temporary folder, twice that while VACUUM runs). Prints one JSON line
# per measure, prefixed "RESULT ", to stdout; progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

APPS=10000
RUNS=3
DIRECT=1
LINK=10:40
LIFECYCLE=short
COMPACT_APPS=100000
COMPACT_LIFECYCLE=book
ONLY=""
usage() {
  echo "usage: $0 [--applications N] [--runs R] [--direct-runs D] [--link MBIT:RTT_MS|none] [--lifecycle short|book] [--compact-applications M] [--compact-lifecycle book|short] [--only push|compact]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case "$1" in
    --applications) APPS=$2 ;;
    --runs) RUNS=$2 ;;
    --direct-runs) DIRECT=$2 ;;
    --link) LINK=$2 ;;
    --lifecycle) LIFECYCLE=$2 ;;
    --compact-applications) COMPACT_APPS=$2 ;;
    --compact-lifecycle) COMPACT_LIFECYCLE=$2 ;;
    --only) ONLY=$2 ;;
    *) usage ;;
  esac
  shift 2
done
for n in "$APPS" "$COMPACT_APPS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench-sync: counts must be positive integers, got '$n'" >&2; exit 2; }
done
for n in "$RUNS" "$DIRECT"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "bench-sync: run counts must be integers, got '$n'" >&2; exit 2; }
done
case "$ONLY" in "" | push | compact) ;; *) usage ;; esac
say() { echo "bench-sync: $*" >&2; }
die() { echo "bench-sync: $*" >&2; exit 1; }

command -v curl >/dev/null || die "curl is needed (apt-get install curl)"
TARGET=${CARGO_TARGET_DIR:-target}
say "building branchdesk-hq and the push_load example (release, target $TARGET)"
cargo build --release --locked -p branchdesk-hq --bin branchdesk-hq \
  -p branchdesk-desk-sync --example push_load >&2
BRANCHDESK_HQ_BIN="$(realpath "$TARGET/release/branchdesk-hq")"
LOAD_BIN="$(realpath "$TARGET/release/examples/push_load")"
export BRANCHDESK_HQ_BIN
say "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"

if [ "$ONLY" != compact ]; then
  say "push: $APPS applications ($LIFECYCLE), $RUNS runs through the proxy, $DIRECT direct, link $LINK, then the resumed push"
  "$LOAD_BIN" push --applications "$APPS" --runs "$RUNS" --direct-runs "$DIRECT" \
    --link "$LINK" --lifecycle "$LIFECYCLE" | sed -u 's/^/RESULT /'
fi
if [ "$ONLY" != push ]; then
  say "compact: $COMPACT_APPS applications ($COMPACT_LIFECYCLE)"
  "$LOAD_BIN" compact --applications "$COMPACT_APPS" --lifecycle "$COMPACT_LIFECYCLE" |
    sed -u 's/^/RESULT /'
fi
say "done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
