#!/usr/bin/env bash
# Consent and the client's data export, timed as whole processes of the release CLI (hyperfine):
#
#   unlock      : `vault unlock-test` — what every CLI verb pays before its work (scrypt 2^17)
#   record      : `consent record` with a 5 MB scan of the signed form (unlock, checks, attachment,
#                 signed event, audit + outbox)
#   receipt     : `consent receipt --out` (unlock, the Kantara JSON, the sealed PDF receipt kept in
#                 the vault and written out)
#   export      : `client export` of a client with 20 applications (each with its events), consent
#                 events, printed documents and their audit entries, as one ZIP
#
# The work itself is each line minus `unlock`. Usage: scripts/bench-consent.sh [RUNS] (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
TARGET=${CARGO_TARGET_DIR:-target}
(cd ui && npm run build >/dev/null)
cargo build --release --locked -p branchdesk >&2
BD="$(realpath "$TARGET/release/branchdesk")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BRANCHDESK_DATA_DIR="$work/data"
ADMIN="Әлия Қасымова"; ADMIN_PASS="тёплый чай с молоком"
OFFICER="Ержан Сапаров"; OFFICER_PASS="парольная фраза офицера"
IIN=061211600012

printf '%s\n' "$ADMIN_PASS" | "$BD" vault init --admin "$ADMIN" --file-keychain >&2
printf '%s\n%s\n' "$ADMIN_PASS" "$OFFICER_PASS" |
  "$BD" officer add --officer "$ADMIN" --name "$OFFICER" --role officer >&2
cat >"$work/client.json" <<EOF
{"iin": "$IIN", "surname": "Қасымова", "given_name": "Әлия", "patronymic": "Серікқызы",
 "birth_date": "11.12.2006", "sex": "female", "phone": "8 701 234 56 78", "email": "",
 "registration_address": "Алматы, ул. Абая, 1", "actual_address": "Алматы, ул. Абая, 1",
 "document_kind": "id_card", "document_number": "045 123 456", "document_issuer": "МВД РК",
 "document_issued_on": "15.01.2023", "document_expires_on": "14.01.2033",
 "employer": "ТОО «Рассвет»", "position": "", "monthly_income": "350 000"}
EOF
cat >"$work/application.json" <<EOF
{"product_id": "consumer-12", "amount": "500 000", "months": 12, "method": "annuity",
 "purpose": "Ремонт дома"}
EOF
as_officer() { printf '%s\n' "$OFFICER_PASS" | "$BD" "$@" --officer "$OFFICER"; }
as_officer client add --form "$work/client.json" >&2
as_officer print consent --client "$IIN" --out "$work/form.pdf" >&2
# A 5 MB scan: a PDF's header and trailer around 5 MB of image data.
{ printf '%%PDF-1.4\n'; head -c 5000000 /dev/urandom; printf '\n%%%%EOF\n'; } >"$work/scan.pdf"
as_officer consent record --client "$IIN" --give issue-microcredit,third-party-transfer,agreement-monitoring \
  --refuse advertising --scan "$work/scan.pdf" >&2
for _ in $(seq 20); do
  as_officer application create --client "$IIN" --form "$work/application.json" >/dev/null
done
cat >"$work/run.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
export BRANCHDESK_DATA_DIR="$BRANCHDESK_DATA_DIR"
case "\$1" in
  unlock) printf '%s\n' "$OFFICER_PASS" | "$BD" vault unlock-test --officer "$OFFICER" >/dev/null ;;
  record) printf '%s\n' "$OFFICER_PASS" | "$BD" consent record --officer "$OFFICER" --client $IIN \
            --give issue-microcredit,third-party-transfer,agreement-monitoring --refuse advertising \
            --scan "$work/scan.pdf" >/dev/null ;;
  receipt) printf '%s\n' "$OFFICER_PASS" | "$BD" consent receipt --officer "$OFFICER" --client $IIN \
            --out "$work/receipt.pdf" --force >/dev/null ;;
  export) printf '%s\n' "$ADMIN_PASS" | "$BD" client export --officer "$ADMIN" --client $IIN \
            --out "$work/export.zip" --force >/dev/null ;;
esac
EOF
chmod +x "$work/run.sh"
# The export first, while the client has one consent (one scan), then the consent runs.
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$work/export.md" \
  -n unlock "$work/run.sh unlock" -n "export (20 applications)" "$work/run.sh export" >&2
echo "export: $(stat -c %s "$work/export.zip") bytes, $(python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(len(z.namelist()), 'files')" "$work/export.zip")"
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$work/consent.md" \
  -n "record (5 MB scan)" "$work/run.sh record" -n receipt "$work/run.sh receipt" >&2
cat "$work/export.md" "$work/consent.md"
echo "vault after the runs: $(du -sk "$BRANCHDESK_DATA_DIR" | cut -f1) KiB"
