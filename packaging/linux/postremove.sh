#!/bin/sh
# After removal (deb: remove, purge, upgrade...; rpm: 0 erase, 1 upgrade).
# Logs and state stay on remove; purge removes them and the user.
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
if [ "$1" = purge ]; then
	rm -rf /var/log/pbprobe /var/lib/pbprobe /var/lib/private/pbprobe
	if getent passwd pbprobe >/dev/null 2>&1 && command -v userdel >/dev/null 2>&1; then
		userdel pbprobe || true
	fi
fi
exit 0
