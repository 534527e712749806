#!/usr/bin/env bash
# Builds Branch Desk's release bundles, a .deb and an .rpm, with the Tauri CLI from npm, signs each
# with the updater key (the Tauri signer: minisign format, base64-wrapped) and writes them, their
# signatures and SHA256SUMS into dist/. The version is Cargo.toml's; the binary records the git
# commit it was built from (`branchdesk --version`).
#
# The signing key comes from the environment and never enters the repository:
#   TAURI_SIGNING_PRIVATE_KEY           the key, or a path to the key file
#   TAURI_SIGNING_PRIVATE_KEY_PASSWORD  its password
# A throwaway key for trying this out: ui/node_modules/.bin/tauri signer generate --ci -w KEY -p PASS
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  echo "package: set TAURI_SIGNING_PRIVATE_KEY (the updater signing key or its path) and" >&2
  echo "         TAURI_SIGNING_PRIVATE_KEY_PASSWORD; the key is never kept in the repository" >&2
  exit 2
fi

# The signer takes the key itself; accept a path to it as well.
if [ -f "$TAURI_SIGNING_PRIVATE_KEY" ]; then
  TAURI_SIGNING_PRIVATE_KEY=$(cat "$TAURI_SIGNING_PRIVATE_KEY")
fi
export TAURI_SIGNING_PRIVATE_KEY TAURI_SIGNING_PRIVATE_KEY_PASSWORD="${TAURI_SIGNING_PRIVATE_KEY_PASSWORD:-}"

scripts/setup-debian.sh
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
[ -n "$version" ] || { echo "package: no version in Cargo.toml" >&2; exit 1; }
BRANCHDESK_GIT_COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
export BRANCHDESK_GIT_COMMIT

(cd ui && npm run build)
target=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
rm -rf "$target/release/bundle/deb" "$target/release/bundle/rpm"
# The build itself needs no key (signing is the step below).
unkeyed() { env -u TAURI_SIGNING_PRIVATE_KEY -u TAURI_SIGNING_PRIVATE_KEY_PASSWORD "$@"; }
unkeyed ui/node_modules/.bin/tauri build --no-bundle
# The .deb's Depends: every shared library the binary links, at the versions it needs, as
# dpkg-shlibdeps computes them on this (Debian 12) machine.
shlibs=$(mktemp -d)
mkdir -p "$shlibs/debian"
printf 'Source: branch-desk\n\nPackage: branch-desk\nArchitecture: any\n' > "$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O "$target/release/branchdesk" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shlibs"
[ -n "$depends" ] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
depends_json=$(printf '%s' "$depends" | sed 's/"/\\"/g; s/, /","/g; s/^/["/; s/$/"]/')
# Debian's changelog, compressed as policy wants it. (Tauri's own `changelog` setting puts it under
# the product name, /usr/share/doc/Branch Desk/, where dpkg tools do not look.)
mkdir -p "$target/packaging"
gzip -9nc packaging/linux/changelog > "$target/packaging/changelog.gz"
extra="{\"bundle\":{\"linux\":{\"deb\":{\"depends\":$depends_json,\"files\":{"
extra+="\"/usr/share/doc/branch-desk/changelog.gz\":\"$target/packaging/changelog.gz\"}}}}}"
unkeyed ui/node_modules/.bin/tauri bundle --bundles deb,rpm --config "$extra"

rm -rf dist && mkdir -p dist
deb=dist/branchdesk_${version}_amd64.deb
rpm=dist/branchdesk-${version}-1.x86_64.rpm
cp "$target/release/bundle/deb/Branch Desk_${version}_amd64.deb" "$deb"
cp "$target/release/bundle/rpm/Branch Desk-${version}-1.x86_64.rpm" "$rpm"
for artifact in "$deb" "$rpm"; do
  ui/node_modules/.bin/tauri signer sign "$artifact" >/dev/null
  [ -s "$artifact.sig" ] || { echo "package: no signature for $artifact" >&2; exit 1; }
done
(cd dist && sha256sum -- *.deb *.rpm *.sig > SHA256SUMS)

echo "package: Branch Desk $version (commit $BRANCHDESK_GIT_COMMIT) in $(( $(date +%s) - started )) s:"
ls -l dist
