#!/bin/sh
# After install or upgrade (deb: configure; rpm: 1 install, 2 upgrade).
set -e

# The unit runs with DynamicUser=yes; systemd uses this static user of the
# same name when it exists, so that the logs keep one owner across restarts
# and an administrator can add a log reader to its group.
if ! getent passwd pbprobe >/dev/null 2>&1; then
	if command -v useradd >/dev/null 2>&1; then
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin --comment "pbprobe connectivity probe" pbprobe
	fi
fi

# Nothing to start in a container or chroot without systemd.
[ -d /run/systemd/system ] || exit 0
systemctl daemon-reload
case "$1" in
configure | 1 | "")
	if [ -z "$2" ] || [ "$1" = 1 ]; then
		systemctl enable --now pbprobe.service
	else
		systemctl try-restart pbprobe.service
	fi
	;;
2)
	systemctl try-restart pbprobe.service
	;;
esac
exit 0
