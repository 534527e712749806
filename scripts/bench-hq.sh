#!/usr/bin/env bash
# Head office ingest (BENCHMARKS.md, "Head office ingest"): a fresh `branchdesk-hq` on SQLite and
# on PostgreSQL receives the outboxes of enrolled desks from the `ingest_load` example (one client
# and its application steps per application: client.add, application.create, application.submit,
# and application.refer for every tenth), and the server's memory is sampled meanwhile.
#
#   scripts/bench-hq.sh [--applications N] [--batch N] [--desks K] [--rate R] [--backends "sqlite postgres"]
#
# Defaults: 10 000 applications, 500 records a batch, 1 desk, --rate 1000 (requests/s per desk:
# high enough that the rate limit never throttles the load), both back ends. Release builds of
# `branchdesk-hq` and the example (CARGO_TARGET_DIR honoured). PostgreSQL runs inside
# scripts/pg-throwaway.sh (a throwaway cluster, fsync off). For each back end: a fresh home (init
# with a passphrase file), one enrolment code per desk, `serve --listen 127.0.0.1:0` in the
# background, the load, then SIGTERM. VmRSS of the server is read from /proc every 0.1 s while the
# load runs; VmHWM (the lifetime peak, which includes the scrypt unlock at start) just before it
# stops. Prints one JSON line per back end, prefixed "RESULT ", to stdout; progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

APPS=10000
BATCH=500
DESKS=1
RATE=1000
BACKENDS="sqlite postgres"
INNER=""
while [ $# -gt 0 ]; do
  case "$1" in
    --applications) APPS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --desks) DESKS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --backends) BACKENDS=$2; shift 2 ;;
    --inner) INNER=$2; shift 2 ;;  # internal: run one back end with the binaries already built
    *) echo "usage: $0 [--applications N] [--batch N] [--desks K] [--rate R] [--backends \"sqlite postgres\"]" >&2; exit 2 ;;
  esac
done
for n in "$APPS" "$BATCH" "$DESKS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench-hq: counts must be positive integers, got '$n'" >&2; exit 2; }
done
say() { echo "bench-hq: $*" >&2; }
die() { echo "bench-hq: $*" >&2; exit 1; }

# One back end against DB, with HQ_BIN and LOAD_BIN built. Prints its RESULT line.
run_one() {
  local backend=$1 db=$2
  # Globals, not locals: the EXIT trap runs after this function has returned.
  server="" sampler=""
  work=$(mktemp -d -t bench-hq.XXXXXX)
  # shellcheck disable=SC2317,SC2329 # invoked by the trap
  cleanup_one() {
    set +e
    [ -z "$sampler" ] || { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null; }
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
      kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null
    fi
    rm -rf "$work"
  }
  trap cleanup_one EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  export BRANCHDESK_HQ_HOME="$work/home"
  export BRANCHDESK_HQ_PASSPHRASE_FILE="$work/passphrase"
  export BRANCHDESK_HQ_LOG=info
  (umask 077; printf 'benchmark passphrase, not secret\n' >"$BRANCHDESK_HQ_PASSPHRASE_FILE")
  [ "$backend" = sqlite ] && db="sqlite://$work/home/hq.db"

  "$HQ_BIN" init --host 127.0.0.1 >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; die "init failed"; }
  : >"$work/codes"
  for i in $(seq "$DESKS"); do
    "$HQ_BIN" --db "$db" enrol --branch "Bench branch $i" >>"$work/codes" 2>>"$work/enrol.log" ||
      { cat "$work/enrol.log" >&2; die "enrol failed"; }
  done

  # Made here: the background job opens it only after the fork, maybe after the first read below.
  : >"$work/serve.out"
  "$HQ_BIN" --db "$db" serve --listen 127.0.0.1:0 --rate "$RATE" \
    >"$work/serve.out" 2>"$work/serve.log" </dev/null &
  server=$!
  local url="" tries=0
  while [ -z "$url" ]; do
    kill -0 "$server" 2>/dev/null || { tail -n 20 "$work/serve.log" >&2; die "$backend: the server exited at start"; }
    url=$(sed -n 's/^listening on \(https:\/\/.*\)$/\1/p' "$work/serve.out" | head -n 1)
    [ -n "$url" ] && break
    tries=$((tries + 1))
    [ "$tries" -lt 300 ] || { tail -n 20 "$work/serve.log" >&2; die "$backend: no 'listening on' line after 30 s"; }
    sleep 0.1
  done
  say "$backend: serving on $url (pid $server)"

  status_kib() { # VmRSS / VmHWM of the server in KiB
    local k v _
    while read -r k v _; do [ "$k" = "$1:" ] && { echo "$v"; return; }; done <"/proc/$server/status"
    die "no $1 in /proc/$server/status"
  }
  sleep 1
  local idle_rss
  idle_rss=$(status_kib VmRSS)
  # Sample VmRSS every 0.1 s while the load runs; the sampler keeps the maximum in a file.
  (
    peak=0
    while [ -r "/proc/$server/status" ]; do
      while read -r k v _; do [ "$k" = VmRSS: ] && { [ "$v" -gt "$peak" ] && peak=$v; break; }; done \
        <"/proc/$server/status" 2>/dev/null || true
      echo "$peak" >"$work/peak.tmp" && mv "$work/peak.tmp" "$work/peak"
      sleep 0.1
    done
  ) &
  sampler=$!

  local load_before load_after
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  "$LOAD_BIN" --url "$url" --codes "$work/codes" --applications "$APPS" --batch "$BATCH" \
    --desks "$DESKS" >"$work/load.json" ||
    { tail -n 20 "$work/serve.log" >&2; die "$backend: the load generator failed"; }
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  sleep 0.3 # one more sample after the last batch
  local peak_rss hwm after_rss
  peak_rss=$(cat "$work/peak") || die "$backend: no memory sample"
  hwm=$(status_kib VmHWM)
  after_rss=$(status_kib VmRSS)
  kill "$sampler"; wait "$sampler" 2>/dev/null || true; sampler=""

  # Head office must hold every record and every referred application.
  "$HQ_BIN" --db "$db" status --json >"$work/status.json"
  local want stored
  want=$(jq -r .records "$work/load.json")
  stored=$(jq -r .records "$work/status.json")
  [ "$stored" = "$want" ] || die "$backend: head office stores $stored records, the load sent $want"
  stored=$(jq -r .referred "$work/status.json")
  [ "$stored" = "$((APPS / 10))" ] || die "$backend: $stored applications referred at head office, the load referred $((APPS / 10))"
  local db_bytes
  if [ "$backend" = sqlite ]; then
    db_bytes=0
    for f in "$work/home/hq.db" "$work/home/hq.db-wal"; do
      [ ! -f "$f" ] || db_bytes=$((db_bytes + $(stat -c %s "$f")))
    done
  else
    db_bytes=$(psql "$db" -Atc "SELECT pg_database_size(current_database())")
  fi

  kill -TERM "$server"
  local rc=0
  wait "$server" || rc=$?
  server=""
  [ "$rc" -eq 0 ] || { tail -n 20 "$work/serve.log" >&2; die "$backend: the server exited with $rc after SIGTERM"; }
  # No request may have been refused (the server logs each refusal).
  if grep -q 'refused' "$work/serve.log"; then
    grep 'refused' "$work/serve.log" | head -n 5 >&2
    die "$backend: the server refused requests (log lines above)"
  fi

  jq -c --arg backend "$backend" --argjson idle "$idle_rss" --argjson peak "$peak_rss" \
    --argjson hwm "$hwm" --argjson after "$after_rss" --argjson db_bytes "$db_bytes" \
    --arg load_before "$load_before" --arg load_after "$load_after" --arg rate "$RATE" \
    '{backend: $backend} + . + {server_rss_kib: {idle: $idle, peak_sampled: $peak, hwm: $hwm, after: $after},
      db_bytes: $db_bytes, rate: ($rate | tonumber), loadavg_before: $load_before, loadavg_after: $load_after}' \
    "$work/load.json" | sed 's/^/RESULT /'
}

if [ -n "$INNER" ]; then
  case "$INNER" in
    sqlite) run_one sqlite "" ;;
    postgres)
      [ -n "${BRANCHDESK_TEST_PG_URL:-}" ] || die "--inner postgres runs inside scripts/pg-throwaway.sh"
      run_one postgres "$BRANCHDESK_TEST_PG_URL" ;;
    *) die "unknown back end $INNER" ;;
  esac
  exit 0
fi

command -v jq >/dev/null || die "jq is needed (apt-get install jq)"
TARGET=${CARGO_TARGET_DIR:-target}
say "building branchdesk-hq and the ingest_load example (release, target $TARGET)"
cargo build --release --locked -p branchdesk-hq --bin branchdesk-hq --example ingest_load >&2
HQ_BIN="$(realpath "$TARGET/release/branchdesk-hq")"
LOAD_BIN="$(realpath "$TARGET/release/examples/ingest_load")"
export HQ_BIN LOAD_BIN
say "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $APPS applications, batches of $BATCH, $DESKS desk(s)"
args=(--applications "$APPS" --batch "$BATCH" --desks "$DESKS" --rate "$RATE")
for backend in $BACKENDS; do
  case "$backend" in
    sqlite) "$0" --inner sqlite "${args[@]}" ;;
    postgres) scripts/pg-throwaway.sh run -- "$0" --inner postgres "${args[@]}" ;;
    *) die "unknown back end $backend (sqlite or postgres)" ;;
  esac
done
