#!/usr/bin/env bash
# Fuzzes the verify crate (branchdesk-verify) with cargo-fuzz and libFuzzer, coverage-guided, on
# stable Rust: the targets in fuzz/fuzz_targets/ (its own cargo workspace, outside the main one)
#   mrz            : any text as a machine-readable zone, then its checks and dates
#   pdf_signatures : any bytes as a signed PDF (pades::verify, is_signed_pdf, the seal entry)
#   cms            : any bytes as a CMS file, attached and detached, and through signed::verify
#
# Usage: scripts/fuzz.sh [--seconds N] [TARGET...]   (default 60 s each, every target)
# Prints one line per target: `FUZZ <target> runs=<executed units> seconds=<N> crashes=<n>`, read
# from libFuzzer's final stats; exits 1 if any target crashed, timed out or ran out of memory (the
# input is saved under fuzz/artifacts/<target>/; replay it with
# `cargo fuzz run -s none --fuzz-dir fuzz <target> <file>`). libFuzzer's full output goes to
# fuzz/logs/<target>.log. Corpora grow in fuzz/corpus/<target>/, seeded on each run from the verify
# crate's test data (MRZ lines, NCA CMS files, and PDFs made here around them).
#
# Stable Rust works: with `-s none` (no sanitizer) cargo-fuzz passes only stable flags
# (-Cpasses=sancov-module and -Cllvm-args=-sanitizer-coverage-*); libfuzzer-sys builds libFuzzer
# from source with the C++ compiler (build-essential). cargo-fuzz is installed if missing.
# The build is `cargo build --release` plus debug assertions and overflow checks (cargo-fuzz's
# default). CARGO_TARGET_DIR is honoured (default fuzz/target).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=60
CARGO_FUZZ_VERSION=0.13.2
ALL=(mrz pdf_signatures cms)
usage() { echo "usage: $0 [--seconds N] [TARGET...]   (targets: ${ALL[*]})" >&2; exit 2; }
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage; SECONDS_EACH=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) [[ " ${ALL[*]} " == *" $1 "* ]] || usage; targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL[@]}")

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

# Seeds. -----------------------------------------------------------------------------------------
crate=src-tauri/crates/verify
nca=$crate/tests/fixtures/nca
seed() { # target name < bytes
  mkdir -p "fuzz/corpus/$1"
  cat >"fuzz/corpus/$1/seed-$2"
}

# MRZ: the golden zones of the identity tests (each `const NAME: [&str; N] = [ "...", ... ];`),
# one line per string.
for zone in ID_CARD PASSPORT; do
  lines=$(sed -n "/^const $zone:/,/^];/s/^ *\"\([^\"]*\)\",\?\$/\1/p" "$crate/tests/verify/identity.rs")
  [ -n "$lines" ] || { echo "fuzz: no $zone zone found in $crate/tests/verify/identity.rs" >&2; exit 1; }
  printf '%s\n' "$lines" | seed mrz "$(tr 'A-Z_' 'a-z-' <<<"$zone").txt"
done

# CMS: real NCA (Kazakh GOST) signatures, attached and detached, PEM and DER, and a time-stamp token.
cms_files=("$nca"/gost2015/*.cms "$nca"/derived/*.cms "$nca"/gost2004/ncanode_tsp_token.bin
  "$nca"/gost2004/kalkan_test_CMS_GOST.pem)
for f in "${cms_files[@]}"; do
  seed cms "$(basename "$f")" <"$f"
  seed pdf_signatures "$(basename "$f")" <"$f"
done

# PDFs: a tiny one with a signature dictionary whose range means nothing, and ones whose
# /ByteRange really frames a /Contents hex string holding one of the CMS files above.
printf '%s\n' '%PDF-1.4' '1 0 obj' '<< /Type /Sig /ByteRange [0 10 20 30] /Contents <3000> >>' \
  'endobj' '2 0 obj' '<< /BranchDeskSeal (BD1.seal) >>' 'endobj' 'trailer << /Root 1 0 R >>' \
  '%%EOF' | seed pdf_signatures tiny.pdf
signed_pdf() { # cms-file: a PDF whose one signature is that CMS
  local hex tail b c d
  hex=$(od -An -v -tx1 "$1" | tr -d ' \n')
  tail=$' >>\nendobj\n2 0 obj\n<< /BranchDeskSeal <FEFF00420044> >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'
  d=${#tail}
  pdf_head() { printf '%%PDF-1.7\n1 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 %010d %010d %010d] /Contents ' "$@"; }
  b=$(pdf_head 0 0 0 | wc -c)
  c=$((b + ${#hex} + 2))
  pdf_head "$b" "$c" "$d"
  printf '<%s>%s' "$hex" "$tail"
}
for f in "$nca"/gost2015/kalkan_individual_detached.cms "$nca"/derived/kalkan_test_CMS_GOST.cms; do
  signed_pdf "$f" | seed pdf_signatures "$(basename "$f" .cms).pdf"
done

# Build and run. ---------------------------------------------------------------------------------
fuzz() { cargo fuzz "$1" -s none --fuzz-dir fuzz "${@:2}"; }
fuzz build >&2   # every target, in one cargo build
mkdir -p fuzz/logs
failed=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/artifacts/$t"
  before=$(find "fuzz/artifacts/$t" -type f | sort)
  log=fuzz/logs/$t.log
  echo "fuzz: $t for ${SECONDS_EACH}s (log: $log)" >&2
  rc=0
  fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  new=$(comm -13 <(echo "$before") <(find "fuzz/artifacts/$t" -type f | sort) | grep . || true)
  crashes=$(grep -c . <<<"$new" || true)
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes=1 # died without an artifact (the build, or libFuzzer itself): see the log
  fi
  echo "FUZZ $t runs=${runs:-?} seconds=$SECONDS_EACH crashes=$crashes"
  if [ "$crashes" -ne 0 ]; then
    failed=1
    grep -A1 -E "panicked at" "$log" | sed "s/^/fuzz: $t: /" >&2 || true
    grep -E "^==[0-9]+== ERROR|^SUMMARY" "$log" | sed "s/^/fuzz: $t: /" >&2 || true
    while read -r f; do
      if [ -n "$f" ]; then
        echo "fuzz: $t: input $f (hex, first 256 bytes): $(head -c 256 "$f" | od -An -v -tx1 | tr -d ' \n')" >&2
      fi
    done <<<"$new"
  fi
done
exit "$failed"
