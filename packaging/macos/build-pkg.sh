#!/bin/sh
# build-pkg.sh TARBALL [OUT.pkg]: build a macOS installer package from the
# darwin tarball of `make dist`. Runs on a Mac only: pkgbuild is part of
# Xcode's command line tools and has no counterpart on Debian, so `make
# dist` ships the tarball and this script instead of a .pkg.
# The package puts the tarball's files in /usr/local/share/pbprobe and its
# postinstall runs install.sh from there, so that both ways install the same.
set -eu

tarball=${1:?usage: build-pkg.sh pbprobe-VERSION-darwin-ARCH.tar.gz [out.pkg]}
name=$(basename "$tarball" .tar.gz)
out=${2:-$name.pkg}
version=$(echo "$name" | sed -n 's/^pbprobe-\([0-9][0-9.]*\).*/\1/p')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/usr/local/share/pbprobe" "$work/scripts"
tar -xzf "$tarball" -C "$work"
cp -R "$work/$name/." "$work/root/usr/local/share/pbprobe/"
cat >"$work/scripts/postinstall" <<'POST'
#!/bin/sh
exec /usr/local/share/pbprobe/install.sh
POST
chmod 0755 "$work/scripts/postinstall"
pkgbuild --root "$work/root" --scripts "$work/scripts" --identifier io.github.pbprobe \
	--version "${version:-0.0.0}" --install-location / "$out"
echo "build-pkg.sh: $out (sign it with productsign for distribution outside an MDM)"
