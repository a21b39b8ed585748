#!/bin/sh
# pbprobe-rmm.sh: silent install and onboarding check for RMM scripts on
# Linux and macOS (run as root).
#
#   pbprobe-rmm.sh install PACKAGE [run flags]   a .deb, .rpm or darwin .tar.gz
#   pbprobe-rmm.sh check [--nagios] [--datto] [--json]
#
# check prints `pbprobe check` (text, or the JSON with --json) and exits
# with its code: 0 ready, 1 not ready, 2 bad usage or config, 3 internal
# error; --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. --datto adds
# Datto RMM's <-Start Result-> block with the first line. PBPROBE names
# the binary when it is not in /usr/bin or /usr/local/bin.
set -eu

usage() {
	sed -n '3,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

find_pbprobe() {
	for p in ${PBPROBE:-} /usr/bin/pbprobe /usr/local/bin/pbprobe; do
		if [ -x "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	echo "pbprobe-rmm: pbprobe is not installed" >&2
	exit 3
}

install_package() {
	pkg=${1:-}
	if [ -z "$pkg" ] || [ ! -f "$pkg" ]; then
		usage
	fi
	shift
	case "$pkg" in
	*.deb) DEBIAN_FRONTEND=noninteractive dpkg -i "$pkg" ;;
	*.rpm) rpm -U --replacepkgs "$pkg" ;;
	*.tar.gz)
		dir=$(mktemp -d)
		tar -xzf "$pkg" -C "$dir"
		for script in "$dir"/pbprobe-*/install.sh; do
			"$script" "$@"
		done
		rm -rf "$dir"
		;;
	*)
		echo "pbprobe-rmm: $pkg: expected a .deb, .rpm or .tar.gz" >&2
		exit 2
		;;
	esac
}

check() {
	format=text
	nagios=
	datto=false
	for a in "$@"; do
		case "$a" in
		--json) format=json ;;
		--nagios) nagios="--exit-codes nagios" ;;
		--datto) datto=true ;;
		*) usage ;;
		esac
	done
	bin=$(find_pbprobe)
	out=$(mktemp)
	code=0
	# shellcheck disable=SC2086 # nagios is two words or none
	"$bin" check --format "$format" $nagios >"$out" 2>&1 || code=$?
	if [ "$datto" = true ]; then
		echo "<-Start Result->"
		echo "STATUS=$(head -n 1 "$out")"
		echo "<-End Result->"
	fi
	cat "$out"
	rm -f "$out"
	exit "$code"
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
case "$cmd" in
install) install_package "$@" ;;
check) check "$@" ;;
*) usage ;;
esac
