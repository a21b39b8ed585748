package agent

import (
	"time"

	"github.com/pbprobe/pbprobe/agent/machine"
	"github.com/pbprobe/pbprobe/probes"
)

// Document is the run document: one evaluated run over the host table. It is
// the single source of truth that `check`, /status, metrics and logs render.
// Its JSON form is a stable contract (DESIGN.md, "Check output").
type Document struct {
	// SchemaVersion is the shape of this JSON: fields are only ever added,
	// and a change that cannot be an addition raises it.
	SchemaVersion int          `json:"schema_version"`
	Version       string       `json:"version"`
	Machine       string       `json:"machine"`
	CheckedAt     time.Time    `json:"checked_at"`
	DurationMS    float64      `json:"duration_ms"`
	Ready         bool         `json:"ready"`
	Hosts         []HostReport `json:"hosts"`
	// CaptivePortal is the machine-level portal check, when configured.
	// It does not change Ready: behind a portal the hosts fail on their own.
	CaptivePortal *CaptiveView `json:"captive_portal,omitempty"`
	// Network is the machine-level verdict: does this PC have internet at
	// all? Absent only in documents made before any run.
	Network *NetworkView `json:"network,omitempty"`
	// ProxySettings are the proxy settings found on this PC, every source
	// in the order the apps consult them; absent when there are none.
	ProxySettings []ProxySettingView `json:"proxy_settings,omitempty"`
	// ProxySources are the proxy sources consulted, in that order, and
	// whether this process could read each as the signed-in user's apps
	// see it: a service account's "no setting" is not the user's.
	ProxySources []ProxySourceView `json:"proxy_sources,omitempty"`
	// Prerequisites are the PC's own facts (.NET, elevation, OS), set by
	// `check` only. Not "machine": that key is the host name.
	Prerequisites *machine.Facts `json:"prerequisites,omitempty"`
}

// SchemaVersion is the document shape this build writes.
const SchemaVersion = 1

// CaptiveView is the JSON view of the captive-portal check.
type CaptiveView struct {
	URL      string `json:"url"`
	Detected bool   `json:"detected"`
	Why      string `json:"why,omitempty"` // technical, English
	// Kind is how the portal gave itself away, as data.
	Kind     probes.CaptiveKind `json:"kind,omitempty"`
	Status   int                `json:"status,omitempty"`
	Location string             `json:"location,omitempty"`
	MS       float64            `json:"ms"`
	Error    string             `json:"error,omitempty"`
	// Message and Hint are filled by renderers, in a language.
	Message string `json:"message,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

// NetworkStatus is the machine-level verdict. Stable tokens, like reason
// codes.
type NetworkStatus string

// Network statuses.
const (
	// NetworkOK: the control site answered as expected (or, with the
	// control failing, a host was reached: the PC is online).
	NetworkOK NetworkStatus = "ok"
	// NetworkNone: the OS has no usable interface, route or DNS server.
	NetworkNone NetworkStatus = "no_network"
	// NetworkNoInternet: the control site fails as the hosts do.
	NetworkNoInternet NetworkStatus = "no_internet"
	// NetworkCaptive: the control was redirected or answered by a login
	// page.
	NetworkCaptive NetworkStatus = "captive_portal"
	// NetworkNotChecked: the control probe is off and the hosts alone
	// cannot tell.
	NetworkNotChecked NetworkStatus = "not_checked"
)

// NetworkView is the machine-level network finding.
type NetworkView struct {
	Status NetworkStatus `json:"status"`
	// Control is the control probe's facts; absent when it is off.
	Control *ControlView `json:"control,omitempty"`
	// Route is the default route where the OS tells it (the agent on
	// Linux); absent otherwise.
	Route *RouteView `json:"default_route,omitempty"`
	// Message and Hint are filled by renderers, in a language.
	Message string `json:"message,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

// ControlView is the JSON view of the control probe.
type ControlView struct {
	URL  string `json:"url"`
	Host string `json:"host"`
	// Reason is the control's verdict in the hosts' terms: ok when it
	// answered at all.
	Reason probes.Reason `json:"reason"`
	DNS    *DNSView      `json:"dns,omitempty"`
	TCP    *TCPView      `json:"tcp,omitempty"`
	Status int           `json:"status,omitempty"`
	// Captive is how a portal gave itself away, as data.
	Captive  probes.CaptiveKind `json:"captive,omitempty"`
	Location string             `json:"location,omitempty"`
	MS       float64            `json:"ms"`
	Error    string             `json:"error,omitempty"`
}

// HostReport is one host's verdict with the facts behind it.
type HostReport struct {
	Host     string        `json:"host"`
	Port     int           `json:"port"`
	Required bool          `json:"required"`
	OK       bool          `json:"ok"`
	Reason   probes.Reason `json:"reason"`
	Stage    probes.Stage  `json:"stage,omitempty"`
	// Message and Hint are prose for people; the agent leaves them empty and
	// the report package (or whoever renders) fills them in a language.
	Message string    `json:"message,omitempty"`
	Hint    string    `json:"hint,omitempty"`
	Error   string    `json:"error,omitempty"` // the technical error, English, for tickets
	DNS     *DNSView  `json:"dns,omitempty"`
	TCP     *TCPView  `json:"tcp,omitempty"`
	TLS     *TLSView  `json:"tls,omitempty"`
	HTTP    *HTTPView `json:"http,omitempty"`
	// Proxy is set when the host was probed through the proxy the apps
	// would use; Direct then says how the same host fares without it.
	Proxy    *ProxyView  `json:"proxy,omitempty"`
	Direct   *DirectView `json:"direct,omitempty"`
	Warnings []Warning   `json:"warnings"`
	// At is the PC's clock when this host's probe started: what its
	// certificate dates were checked against.
	At time.Time `json:"checked_at,omitzero"`
}

// DNSView is the JSON view of the DNS stage.
type DNSView struct {
	MS        float64  `json:"ms"`
	Rcode     string   `json:"rcode,omitempty"`
	Resolver  string   `json:"resolver,omitempty"`
	Transport string   `json:"transport,omitempty"`
	Addresses []string `json:"addresses"`
	Sinkholed []string `json:"sinkholed,omitempty"`
	// Resolvers are every server asked, in order, ports included.
	Resolvers []string `json:"resolvers,omitempty"`
}

// TCPView is the JSON view of the TCP stage.
type TCPView struct {
	MS       float64       `json:"ms"`
	Address  string        `json:"address,omitempty"`
	Attempts []AttemptView `json:"attempts,omitempty"`
}

// AttemptView is one connect attempt (probes.TCPAttempt) in the document.
type AttemptView struct {
	Address string  `json:"address"`
	Outcome string  `json:"outcome"`
	MS      float64 `json:"ms"`
}

// TLSView is the JSON view of the TLS stage.
type TLSView struct {
	MS        float64   `json:"ms"`
	Version   string    `json:"version,omitempty"`
	Cipher    string    `json:"cipher,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	Issuer    string    `json:"issuer,omitempty"`
	IssuerOrg string    `json:"issuer_org,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`
	Chain     []string  `json:"chain,omitempty"`
	// Names are the DNS names the leaf is valid for.
	Names []string `json:"names,omitempty"`
	// Certs are the presented certificates, leaf first, with their dates:
	// what names the one that is out of date.
	Certs         []CertView `json:"certificates,omitempty"`
	SHA256        string     `json:"sha256,omitempty"`
	SystemTrusted bool       `json:"system_trusted"`
	PublicTrusted *bool      `json:"public_trusted,omitempty"`
	Intercepted   bool       `json:"intercepted"`
	// Resumed: the agent resumed an earlier TLS session; the certificate
	// facts are those of the session's full handshake.
	Resumed bool `json:"resumed,omitempty"`
}

// CertView is one presented certificate in the document.
type CertView struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`
}

// ProxyView is the JSON view of the proxy hop.
type ProxyView struct {
	Source  string  `json:"source"`            // env, wininet, winhttp, scutil
	Address string  `json:"address"`           // host:port, never credentials
	Setting string  `json:"setting,omitempty"` // as found, credentials masked
	MS      float64 `json:"ms"`                // until the proxy answered CONNECT
	Status  int     `json:"status,omitempty"`  // its answer to CONNECT
	Server  string  `json:"server,omitempty"`  // its Server or Via header
	// Scheme is the proxy URL's scheme: http, https, or one pbprobe does
	// not speak (proxy_unsupported: the proxy was not contacted).
	Scheme string `json:"scheme,omitempty"`
	// TLSProblem says why the TLS session with an https:// proxy failed
	// (proxy_tls): certificate, not_tls or handshake.
	TLSProblem probes.ProxyTLSProblem `json:"tls_problem,omitempty"`
	// PACURL and AutoDetect: the same source also names an auto-config
	// script or turns on WPAD, which the apps try first; pbprobe does
	// not run them.
	PACURL     string `json:"pac_url,omitempty"`
	AutoDetect bool   `json:"auto_detect,omitempty"`
}

// ProxySettingView is one proxy setting found on the PC, said once for the
// machine: the hosts' proxy objects show the proxy a host went through,
// these also show what no host can: a setting that cannot be used, an
// auto-config script, automatic detection (WPAD).
type ProxySettingView struct {
	Source  string `json:"source"`            // env, wininet, winhttp, scutil
	Setting string `json:"setting,omitempty"` // as found, credentials masked
	// PACURL is the auto-config script's address (credentials masked),
	// AutoDetect whether WPAD is on; pbprobe runs neither.
	PACURL     string `json:"pac_url,omitempty"`
	AutoDetect bool   `json:"auto_detect,omitempty"`
	// Error, technical and English, says the setting could not be read or
	// used: the probes then went direct. It never holds credentials.
	Error string `json:"error,omitempty"`
	// Message and Hint are filled by renderers, in a language, for a
	// setting worth a word (Error, PACURL or AutoDetect).
	Message string `json:"message,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

// ProxySourceView is one proxy source pbprobe consulted and whether it
// could read it for the signed-in user (probes.ProxySourceRead).
type ProxySourceView struct {
	Source string `json:"source"` // env, wininet, winhttp, scutil
	Read   bool   `json:"read"`
	// Why, when not read: service_account (this process runs as Account
	// and sees that account's setting, not the user's) or error.
	Why     probes.ProxyUnread    `json:"why,omitempty"`
	Account probes.ProcessAccount `json:"account,omitempty"` // local_system, local_service, network_service, service
	Error   string                `json:"error,omitempty"`   // technical, English
}

// DirectView is the verdict on the path without the proxy.
type DirectView struct {
	OK     bool          `json:"ok"`
	Reason probes.Reason `json:"reason"`
	Error  string        `json:"error,omitempty"`
	// CutShortMS: the direct path had this long after the proxied one was
	// done and was stopped then; its reason is a timeout of that grace
	// ("no answer within 1 s"), not of the host's timeout.
	CutShortMS float64 `json:"cut_short_ms,omitempty"`
}

// HTTPView is the JSON view of the HTTP stage.
type HTTPView struct {
	MS     float64 `json:"ms"`
	Status int     `json:"status,omitempty"`
	Server string  `json:"server,omitempty"`
	// Date is the server's clock; ClockSkewS is this PC's clock minus it,
	// in seconds (positive: the PC is ahead).
	Date       time.Time `json:"date,omitzero"`
	ClockSkewS float64   `json:"clock_skew_s"`
	// BlockedBy is a technical one-liner (English, like error) of what
	// answered instead of the service; BlockKind and BlockName are the
	// same as data, which the words for people are made from.
	BlockedBy string           `json:"blocked_by,omitempty"`
	BlockKind probes.BlockKind `json:"block_kind,omitempty"`
	BlockName string           `json:"block_name,omitempty"`
	Location  string           `json:"location,omitempty"`
}

// WarningCode names a condition that is worth knowing but does not change
// readiness or the exit code. Stable, like reason codes.
type WarningCode string

// Warning codes.
const (
	WarnIPv6Unreachable WarningCode = "ipv6_unreachable"
	WarnIPv4Unreachable WarningCode = "ipv4_unreachable"
	WarnCertExpiring    WarningCode = "cert_expiring"
	WarnSlowDNS         WarningCode = "slow_dns"
	WarnSlowTCP         WarningCode = "slow_tcp"
	WarnSlowTLS         WarningCode = "slow_tls"
	// WarnHTTPServerError: the service itself answered 5xx. The network
	// path works (the host is ok), the service is having trouble.
	WarnHTTPServerError WarningCode = "http_server_error"
	// WarnServerClock: this server's Date is far off while the other
	// servers agree with this PC's clock: the server's clock is wrong.
	WarnServerClock WarningCode = "server_clock"
)

// Warning is one warning on a host. Message is filled by renderers.
type Warning struct {
	Code    WarningCode `json:"code"`
	Message string      `json:"message,omitempty"`
	// Facts the renderers need for the message.
	Addresses   []string     `json:"addresses,omitempty"`    // the unreachable family's addresses
	Days        int          `json:"days,omitempty"`         // days until certificate expiry
	Phase       probes.Stage `json:"phase,omitempty"`        // the slow phase
	TookMS      float64      `json:"took_ms,omitempty"`      // how long the slow phase took
	Status      int          `json:"status,omitempty"`       // the service's 5xx status
	ThresholdMS float64      `json:"threshold_ms,omitempty"` // the configured slow-phase threshold
	ClockSkewS  float64      `json:"clock_skew_s,omitempty"` // server_clock: this PC's clock minus the server's
}
