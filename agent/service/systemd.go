package service

// systemdUnit replaces kardianos/service's stock unit (its RestartSec=120
// would leave a crashed agent silent for two minutes, and it has no
// hardening). kardianos renders it with text/template at install time, with
// its own data (the Config embedded, .Path the executable) and its "cmd" and
// "cmdEscape" functions; it may use nothing else.
//
// The agent only resolves names, connects out, writes its log and listens
// on one port, so it gets a throw-away user, a read-only file system, no
// capabilities and only the socket families DNS, TCP and the interface list
// need. The log path in ExecStart is inside LogsDirectory, the one place
// ProtectSystem=strict leaves writable.
const systemdUnit = `[Unit]
Description={{.Description}}
Documentation=https://github.com/pbprobe/pbprobe#run-as-a-service
Wants=network-online.target
After=network-online.target
ConditionFileIsExecutable={{.Path|cmdEscape}}
# Never give up restarting: an agent that stopped reports nothing.
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart={{.Path|cmdEscape}}{{range .Arguments}} {{.|cmd}}{{end}}
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=5
TimeoutStopSec=15

DynamicUser=yes
ConfigurationDirectory={{.Name}}
LogsDirectory={{.Name}}
StateDirectory={{.Name}}
UMask=0027

NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
`
