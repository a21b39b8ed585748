#!/bin/sh
# Before removal (deb: remove; rpm: 0 erase, 1 upgrade).
set -e
[ -d /run/systemd/system ] || exit 0
case "$1" in
remove | 0)
	systemctl disable --now pbprobe.service || true
	;;
esac
exit 0
