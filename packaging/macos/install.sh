#!/bin/sh
# install.sh [run flags]: install pbprobe from this folder as a LaunchDaemon.
#   sudo ./install.sh
#   sudo ./install.sh --web.listen-address=127.0.0.1:9843 --interval=5m
# The program itself writes and loads the LaunchDaemon (`pbprobe service
# install`), exactly as pbprobe.plist here shows for no extra flags: it runs
# as nobody, restarts after 5 s and logs to /Library/Logs/pbprobe. Running
# it again upgrades: the service is replaced, the config file kept.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=/usr/local/bin/pbprobe
conf_dir="/Library/Application Support/pbprobe"
conf="$conf_dir/pbprobe.yml"

if [ "$(id -u)" != 0 ]; then
	echo "install.sh: run it as root: sudo $0 $*" >&2
	exit 2
fi

# An installed service is replaced, with the flags given now.
if [ -x "$bin" ] && [ -f /Library/LaunchDaemons/pbprobe.plist ]; then
	"$bin" service uninstall || true
fi

mkdir -p /usr/local/bin "$conf_dir"
cp "$here/pbprobe" "$bin.new"
chmod 0755 "$bin.new"
chown root:wheel "$bin.new"
# A tarball fetched by a browser carries the quarantine flag, which would
# stop launchd from running an unsigned binary.
xattr -d com.apple.quarantine "$bin.new" 2>/dev/null || true
mv -f "$bin.new" "$bin"

if [ ! -f "$conf" ]; then
	cp "$here/pbprobe.yml" "$conf"
	chmod 0644 "$conf"
fi

"$bin" service install --config.file "$conf" "$@"
"$bin" service start
echo "install.sh: pbprobe is running; 'pbprobe service status' shows its verdict"
