package service

// launchdPlist replaces kardianos/service's stock LaunchDaemon so that the
// daemon runs as an unprivileged user and respawns after 5 s like the systemd
// unit (launchd's default throttle is 10 s). kardianos renders it with
// text/template at install time with its own data (the Config embedded,
// .Path, .KeepAlive and .RunAtLoad from the options, .StandardOutPath and
// .StandardErrorPath in the LogDirectory option) and its "bool" function;
// it may use nothing else. "html" escapes for XML.
const launchdPlist = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>{{html .Name}}</string>
	<key>ProgramArguments</key>
	<array>
		<string>{{html .Path}}</string>
		{{- range .Arguments}}
		<string>{{html .}}</string>
		{{- end}}
	</array>
	{{- if .UserName}}
	<key>UserName</key>
	<string>{{html .UserName}}</string>
	{{- end}}
	<key>KeepAlive</key>
	<{{bool .KeepAlive}}/>
	<key>RunAtLoad</key>
	<{{bool .RunAtLoad}}/>
	<key>ThrottleInterval</key>
	<integer>5</integer>
	<key>WorkingDirectory</key>
	<string>/</string>
	{{- if .StandardOutPath}}
	<key>StandardOutPath</key>
	<string>{{html .StandardOutPath}}</string>
	{{- end}}
	{{- if .StandardErrorPath}}
	<key>StandardErrorPath</key>
	<string>{{html .StandardErrorPath}}</string>
	{{- end}}
</dict>
</plist>
`
