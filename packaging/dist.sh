#!/usr/bin/env bash
# packaging/dist.sh: `make dist` writes every artefact to $DIST with a
# SHA256SUMS, reproducibly: the same commit gives the same bytes (Go's
# -trimpath builds, SOURCE_DATE_EPOCH from the commit for every timestamp,
# fixed GUIDs in the MSI, sorted archives).
#
#   packaging/dist.sh all          everything (what `make dist` runs; the
#                                  binaries must be in $DIST from `make cross`)
#   packaging/dist.sh msi EXE OUT  just the MSI around EXE (tests)
#   packaging/dist.sh sign FILE    Authenticode-sign FILE in place
#   packaging/dist.sh linux ARCH deb|rpm   one package of $DIST/pbprobe-linux-ARCH
#
# Environment: DIST (dist), VERSION (git describe), SOURCE_DATE_EPOCH (the
# commit's time), SIGN_PKCS12 and SIGN_PASSWORD_FILE (sign the Windows
# executables and the MSI when set), NFPM (the nfpm command).
set -euo pipefail

# Paths given relative to where dist.sh was started, before it moves to the
# repository's root.
abs() { case $1 in /* | "") echo "$1" ;; *) echo "$PWD/$1" ;; esac }
SIGN_PKCS12=$(abs "${SIGN_PKCS12:-}")
SIGN_PASSWORD_FILE=$(abs "${SIGN_PASSWORD_FILE:-}")
SIGN_CAFILE=$(abs "${SIGN_CAFILE:-}")
arg2=$(abs "${2:-}")
arg3=$(abs "${3:-}")
cd "$(dirname "$0")/.."

DIST=${DIST:-dist}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export SOURCE_DATE_EPOCH
NFPM=${NFPM:-go run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2}

die() { echo "dist: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found (Debian package $2)"; }

# versions sets BASE (x.y.z), BUILD (commits since the tag) and FILE (for
# file names) from VERSION: v0.1.2, v0.1.2-5-gabc1234[-dirty], or a bare
# commit hash before the first tag (0.0.0 and the commit count).
versions() {
	if [[ $VERSION =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+)(-([0-9]+)-g[0-9a-f]+)?(-dirty)?$ ]]; then
		BASE=${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}
		BUILD=${BASH_REMATCH[5]:-0}
	else
		BASE=0.0.0
		BUILD=$(git rev-list --count HEAD 2>/dev/null || echo 0)
	fi
	FILE=${VERSION#v}
}

# guid turns a name into a fixed GUID, so that the same version always
# gets the same product code and package code.
guid() {
	local h
	h=$(printf '%s' "$1" | sha256sum | tr 'a-f' 'A-F')
	echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"
}

# at runs a command with the clock at SOURCE_DATE_EPOCH: wixl and msibuild
# stamp the MSI's summary with the time and have no option for it.
at() {
	faketime -f "@$(date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S')" "$@"
}

msi() {
	local exe=$1 out=$2 msiversion dir wxs
	wxs=$(pwd)/packaging/windows/pbprobe.wxs
	need wixl wixl; need msibuild msitools; need faketime faketime
	versions
	# MSI versions are major.minor.build (what upgrades compare) and a
	# fourth field the commits since the tag.
	msiversion=$BASE.$BUILD
	dir=$(mktemp -d)
	# The cabinet keeps the file's time.
	cp "$exe" "$dir/pbprobe.exe"
	touch -d "@$SOURCE_DATE_EPOCH" "$dir/pbprobe.exe"
	# wixl takes the file's path relative to where it runs.
	(cd "$dir" && TZ=UTC at wixl -a x64 -D "Version=$msiversion" -D "Release=$BASE" -D "NextRelease=${BASE%.*}.$((${BASE##*.} + 1))" \
		-D "ProductCode=$(guid "pbprobe-product-$VERSION")" \
		-D "Exe=pbprobe.exe" -o pbprobe.msi "$wxs")
	mv "$dir/pbprobe.msi" "$out"
	TZ=UTC at msibuild "$out" -s "pbprobe $msiversion: Password Boss connectivity probe" pbprobe "x64;1033" \
		"{$(guid "pbprobe-package-$VERSION-$(sha256sum <"$exe" | cut -c1-64)")}"
	rm -rf "$dir"
}

sign() {
	local file=$1 pass
	need osslsigncode osslsigncode
	[ -r "$SIGN_PKCS12" ] || die "SIGN_PKCS12=$SIGN_PKCS12: not readable"
	pass=${SIGN_PASSWORD_FILE:+-readpass $SIGN_PASSWORD_FILE}
	# -time: the signature's signing time is the commit's, not now.
	# shellcheck disable=SC2086 # pass is two words or none
	osslsigncode sign -pkcs12 "$SIGN_PKCS12" $pass -h sha256 -n pbprobe \
		-i https://github.com/pbprobe/pbprobe -time "$SOURCE_DATE_EPOCH" \
		-in "$file" -out "$file.signed" >/dev/null
	mv "$file.signed" "$file"
	osslsigncode verify -in "$file" -CAfile "${SIGN_CAFILE:-/etc/ssl/certs/ca-certificates.crt}" >/dev/null 2>&1 ||
		echo "dist: note: $file is signed, but its certificate does not chain to ${SIGN_CAFILE:-the system CAs}" >&2
}

linux() {
	local arch=$1 packager=$2 out
	versions
	out=$DIST/pbprobe_${FILE}_linux_$arch.$packager
	PKG_ARCH=$arch PKG_VERSION=$BASE PKG_RELEASE=$((BUILD + 1)) PKG_BINARY=$DIST/pbprobe-linux-$arch \
		$NFPM package --config packaging/linux/nfpm.yaml --packager "$packager" --target "$out" >/dev/null
	LINUX_OUT=$out
}

# tarball writes a gzip'd tar of the files in $1 (a folder) with fixed
# owners, order and times.
tarball() {
	local dir=$1 out=$2
	find "$dir" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
		--format=gnu -C "$(dirname "$dir")" -cf - "$(basename "$dir")" | gzip -n -9 >"$out"
}

macos() {
	local arch=$1 dir name
	versions
	name=pbprobe-${FILE}-darwin-$arch
	dir=$(mktemp -d)/$name
	mkdir -p "$dir"
	cp "$DIST/pbprobe-darwin-$arch" "$dir/pbprobe"
	cp packaging/macos/install.sh packaging/macos/uninstall.sh packaging/macos/pbprobe.plist \
		packaging/macos/README.md "$dir/"
	cp packaging/linux/pbprobe.yml "$dir/pbprobe.yml"
	chmod 0755 "$dir/pbprobe" "$dir/install.sh" "$dir/uninstall.sh"
	chmod 0644 "$dir/pbprobe.plist" "$dir/README.md" "$dir/pbprobe.yml"
	tarball "$dir" "$DIST/$name.tar.gz"
	rm -rf "$(dirname "$dir")"
}

rmm() {
	local dir name
	versions
	name=pbprobe-${FILE}-rmm
	dir=$(mktemp -d)/$name
	mkdir -p "$dir"
	cp packaging/rmm/* "$dir/"
	chmod 0644 "$dir"/*
	chmod 0755 "$dir"/*.sh
	tarball "$dir" "$DIST/$name.tar.gz"
	rm -rf "$(dirname "$dir")"
}

all() {
	local f sums
	versions
	for f in linux-amd64 linux-arm64 windows-amd64.exe windows-arm64.exe darwin-amd64 darwin-arm64; do
		[ -f "$DIST/pbprobe-$f" ] || die "$DIST/pbprobe-$f missing: run make cross first"
	done
	if [ -n "${SIGN_PKCS12:-}" ]; then
		sign "$DIST/pbprobe-windows-amd64.exe"
		sign "$DIST/pbprobe-windows-arm64.exe"
	fi
	# wixl builds x86 and x64 packages only; arm64 Windows runs the x64 MSI
	# under emulation, and pbprobe-windows-arm64.exe is there to install by hand.
	msi "$DIST/pbprobe-windows-amd64.exe" "$DIST/pbprobe-$FILE-x64.msi"
	if [ -n "${SIGN_PKCS12:-}" ]; then
		sign "$DIST/pbprobe-$FILE-x64.msi"
	fi
	for arch in amd64 arm64; do
		linux "$arch" deb
		linux "$arch" rpm
		macos "$arch"
	done
	rmm
	sums=$(mktemp)
	(cd "$DIST" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs sha256sum) >"$sums"
	chmod 0644 "$sums"
	mv "$sums" "$DIST/SHA256SUMS"
	echo "dist: $VERSION in $DIST/"
}

case "${1:-all}" in
all) all ;;
msi) msi "$arg2" "$arg3" ;;
linux) linux "$2" "$3" && echo "$LINUX_OUT" ;;
sign) sign "$arg2" ;;
*) die "unknown command $1" ;;
esac
