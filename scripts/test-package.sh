#!/usr/bin/env bash
# The installable package, checked the way a branch's IT meets it (issue #10): build the .deb and
# .rpm with a throwaway signing key, check SHA256SUMS and each minisign signature (and that a copy
# with one byte changed is refused), run lintian, install the .deb with apt, check `branchdesk
# --version`, start the installed app under Xvfb until its first screen is up (screenshot kept in
# artifacts/package/), open a vault made by an older schema with the installed binary, remove the
# package and check the vaults are untouched. Needs root or sudo (apt). Part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
work=$(mktemp -d)
cleanup() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q branch-desk >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
ok() { echo "test-package: ok: $*"; }
mkdir -p artifacts/package

# A package from an earlier run must not be what we test.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q branch-desk >/dev/null 2>&1 || true

# 1. Build with a throwaway key.
ui/node_modules/.bin/tauri signer generate --ci -f -w "$work/updater.key" -p "throwaway pass" >/dev/null
TAURI_SIGNING_PRIVATE_KEY="$work/updater.key" TAURI_SIGNING_PRIVATE_KEY_PASSWORD="throwaway pass" \
  scripts/package.sh
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
commit=$(git rev-parse --short=12 HEAD)
deb=dist/branchdesk_${version}_amd64.deb
rpm=dist/branchdesk-${version}-1.x86_64.rpm
[ -f "$deb" ] && [ -f "$rpm" ] || fail "dist/ lacks the .deb or the .rpm"

# 2. Checksums and signatures.
(cd dist && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match dist/"
ok "SHA256SUMS matches"
base64 -d "$work/updater.key.pub" > "$work/minisign.pub"
for artifact in "$deb" "$rpm"; do
  base64 -d "$artifact.sig" > "$work/sig.minisig"
  minisign -Vq -p "$work/minisign.pub" -m "$artifact" -x "$work/sig.minisig" \
    || fail "minisign refuses the signature of $artifact"
  cp "$artifact" "$work/tampered"
  size=$(stat -c %s "$work/tampered")
  at=$(( size / 2 ))
  byte=$(od -An -tu1 -j "$at" -N1 "$work/tampered" | tr -d ' ')
  printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" | dd of="$work/tampered" bs=1 seek="$at" conv=notrunc status=none
  cmp -s "$artifact" "$work/tampered" && fail "the tampered copy of $artifact is unchanged"
  if minisign -Vq -p "$work/minisign.pub" -m "$work/tampered" -x "$work/sig.minisig" 2>/dev/null; then
    fail "minisign accepts $artifact with one byte changed"
  fi
  ok "minisign accepts $(basename "$artifact") and refuses it with byte $at changed"
done

# The .desktop entry, and the .rpm's own metadata.
desktop=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "usr/share/applications/Branch Desk.desktop") \
  || fail "the .deb has no desktop entry"
for want in "Categories=Office;Finance;" "Name[ru]=" "Name[kk]=" "Comment[ru]=" "Comment[kk]=" "Exec=branchdesk"; do
  grep -qF -- "$want" <<<"$desktop" || fail "the desktop entry lacks $want"
done
[ "$(rpm -qp --qf '%{NAME} %{VERSION}' "$rpm" 2>/dev/null)" = "branch-desk $version" ] || fail "the .rpm is not branch-desk $version"
# Listed into a variable first: with pipefail, `rpm | grep -q` fails when grep stops reading early
# and rpm dies of SIGPIPE (seen once in CI).
rpm_files=$(rpm -qpl "$rpm" 2>/dev/null) || fail "rpm cannot list the .rpm"
grep -qx /usr/bin/branchdesk <<<"$rpm_files" || fail "the .rpm does not install /usr/bin/branchdesk"
ok "desktop entry (Office;Finance;, ru/kk names and comments) and .rpm metadata"

# 3. lintian: errors fail the run; warnings are listed (reasons in docs/packaging.md).
[ "$(dpkg-parsechangelog -l packaging/linux/changelog -S Version)" = "$version" ] \
  || fail "packaging/linux/changelog's latest entry is not $version: add one"
lintian --fail-on error --tag-display-limit 0 "$deb" | tee "$work/lintian.txt" || fail "lintian reports errors"
ok "lintian: no errors ($(grep -c '^W:' "$work/lintian.txt" || true) warnings)"

# 4. Install with apt.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$deb" >/dev/null || fail "apt cannot install $deb"
[ "$(dpkg-query -W -f='${Version}' branch-desk)" = "$version" ] || fail "the installed package is not $version"
said=$(/usr/bin/branchdesk --version)
[ "$said" = "branchdesk $version (commit $commit)" ] || fail "--version says '$said', want version $version and commit $commit"
ok "installed; --version: $said"

# 5. The installed app keeps its data in the user's XDG data folder, nothing in the current one.
home="$work/home"; cwd="$work/cwd"; mkdir -p "$home" "$cwd"
data="$home/.local/share/kz.sminvest.branchdesk"
as_user() { (cd "$cwd" && env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"); }
echo "тёплый чай с молоком" | as_user /usr/bin/branchdesk vault init --admin "Әлия Қасымова" --file-keychain >/dev/null \
  || fail "the installed binary cannot create a vault"
[ -f "$data/vault/vault.db" ] || fail "the vault is not in \$HOME/.local/share/kz.sminvest.branchdesk"
[ -z "$(ls -A "$cwd")" ] || fail "the app wrote into the current folder: $(ls -A "$cwd")"
ok "the vault is in $data"

# 6. The installed window starts and shows its first screen (the unlock screen).
ready="$work/ready"
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -u
  cd "$4" && env -i HOME="$1" PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" \
    BRANCHDESK_READY_FILE="$2" \
    /usr/bin/branchdesk >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do [ -e "$2" ] && break; sleep 0.1; done
  sleep 1
  import -window root "$3" 2>/dev/null
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
' _ "$home" "$ready" artifacts/package/installed-first-screen.png "$cwd"
[ -e "$ready" ] || fail "the installed app showed no first screen within 60 s"
colours=$(convert artifacts/package/installed-first-screen.png -format %k info:)
[ "$colours" -gt 50 ] || fail "the screenshot looks blank ($colours colours)"
ok "the installed window rendered its first screen ($colours colours, artifacts/package/installed-first-screen.png)"

# 7. A vault made by an older build (schema 1) opens with the installed one.
old="$work/old"; mkdir -p "$old/.local/share"
cp -r src-tauri/crates/vault/tests/fixtures/schema-1 "$old/.local/share/kz.sminvest.branchdesk"
(cd "$cwd" && echo "fixture passphrase 1" | env -i HOME="$old" PATH=/usr/bin:/bin LANG=C.UTF-8 \
  /usr/bin/branchdesk vault unlock-test --officer "Айгерим Сейтқали") >/dev/null \
  || fail "the installed binary does not open a schema-1 vault"
ok "a schema-1 vault opens with the installed package"

# 8. Removing the package leaves every vault as it was.
before=$(cd "$home" && find . -type f -exec sha256sum {} + | sort)
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q branch-desk >/dev/null || fail "apt cannot remove the package"
[ ! -e /usr/bin/branchdesk ] || fail "/usr/bin/branchdesk is still there after removal"
after=$(cd "$home" && find . -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] && [ -f "$data/vault/vault.db" ] || fail "removing the package changed the vault"
[ -f "$old/.local/share/kz.sminvest.branchdesk/vault/vault.db" ] || fail "removing the package touched the old vault"
ok "removed (purged); the vaults are untouched"

echo "test-package: sizes: .deb $(stat -c %s "$deb") B, .rpm $(stat -c %s "$rpm") B, installed $(dpkg-deb -f "$deb" Installed-Size) KiB"
