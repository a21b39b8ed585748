#!/bin/sh
# uninstall.sh [--purge]: stop and remove the pbprobe LaunchDaemon and the
# binary. The config and the logs stay unless --purge is given.
set -eu

bin=/usr/local/bin/pbprobe

if [ "$(id -u)" != 0 ]; then
	echo "uninstall.sh: run it as root: sudo $0 $*" >&2
	exit 2
fi
purge=false
case "${1:-}" in
--purge) purge=true ;;
"") ;;
*)
	echo "usage: uninstall.sh [--purge]" >&2
	exit 2
	;;
esac

if [ -x "$bin" ]; then
	"$bin" service uninstall || true
elif [ -f /Library/LaunchDaemons/pbprobe.plist ]; then
	launchctl bootout system/pbprobe 2>/dev/null || true
	rm -f /Library/LaunchDaemons/pbprobe.plist
fi
rm -f "$bin"
if [ "$purge" = true ]; then
	rm -rf "/Library/Application Support/pbprobe" /Library/Logs/pbprobe
fi
echo "uninstall.sh: pbprobe removed"
