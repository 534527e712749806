#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster, for the head-office server's tests:
#   scripts/pg-throwaway.sh run -- CMD [ARGS...]
# The cluster lives in a temp folder: its own port on 127.0.0.1, its own socket folder, trust auth,
# superuser "postgres", no fsync (nothing in it is worth keeping). CMD gets
#   BRANCHDESK_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/hq
#   BRANCHDESK_TEST_PG_ADMIN_URL=postgres://postgres@127.0.0.1:PORT/postgres (to CREATE DATABASE per test)
# The cluster is always stopped and its folder removed afterwards, Ctrl-C, TERM and HUP included; the
# script exits with CMD's status. A missing PostgreSQL or a cluster that will not start fails the
# run, never skips it. As root the server runs as the "postgres" user (it refuses to run as root).
set -euo pipefail
[ "${1:-}" = run ] && [ "${2:-}" = -- ] && [ $# -ge 3 ] || { echo "usage: $0 run -- CMD [ARGS...]" >&2; exit 2; }
shift 2
die() { echo "pg-throwaway: $*" >&2; exit 1; }

# pg_config's bindir only if it holds the server (libpq-dev alone ships pg_config without it),
# else the newest Debian one.
bin=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bin/initdb" ] || bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ -x "$bin/createdb" ] ||
  die "PostgreSQL server not found (no initdb via pg_config --bindir or in /usr/lib/postgresql/*/bin);" \
    "install the Debian package postgresql (scripts/setup-debian.sh does)"

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to run the server as"
  server() { (cd / && runuser -u postgres -- "$@"); }   # cd: postgres may not be able to read our cwd
else
  server() { "$@"; }
fi

dir=$(mktemp -d -t pg-throwaway.XXXXXX)
child=""
# Stop the server (fast: drops open connections; immediate if that fails) and remove everything.
cleanup() {
  set +e
  if [ -f "$dir/data/postmaster.pid" ]; then
    server "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ||
      server "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null
  fi
  rm -rf "$dir"
}
# On a signal, pass it on to CMD and all it started (a shell waiting on a command would not act on
# it until that command ends), and let CMD finish before the cluster goes away.
proc_tree() { echo "$1"; local c; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do proc_tree "$c"; done; }
on_signal() {
  # shellcheck disable=SC2046 # one word per pid, on purpose
  [ -z "$child" ] || { kill -"$1" $(proc_tree "$child") 2>/dev/null || true; wait "$child" || true; }
  exit "$2"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP
[ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
server test -w "$dir" || die "$dir is not writable by the server's user (set TMPDIR to a folder it can use)"

server "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
  >"$dir/initdb.log" 2>&1 || { tail -n 20 "$dir/initdb.log" >&2; die "initdb failed (output above)"; }

# A random port below Linux's ephemeral range; another one if something else already has it.
started=""
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 12000))
  rm -f "$dir/server.log"
  if server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start -o \
    "-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >"$dir/pg_ctl.log" 2>&1; then
    started=1; break
  fi
  grep -q "Address already in use" "$dir/server.log" 2>/dev/null || break
done
if [ -z "$started" ]; then
  cat "$dir/pg_ctl.log" "$dir/server.log" 2>/dev/null | tail -n 25 >&2 || true
  die "PostgreSQL did not start (pg_ctl output and server log above)"
fi

"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres hq || die "could not create database hq"
export BRANCHDESK_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/hq"
export BRANCHDESK_TEST_PG_ADMIN_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "pg-throwaway: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir" >&2

# CMD runs in the background so a TERM sent to this script is handled at once, not after CMD ends.
# Undo the SIGINT/SIGQUIT ignoring bash gives background jobs, so Ctrl-C still reaches CMD, and keep
# the terminal as its stdin.
( trap - INT QUIT; exec "$@" ) <&0 &
child=$!
rc=0; wait "$child" || rc=$?
child=""
exit "$rc"
