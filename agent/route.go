package agent

// RouteView is the default route as the OS tells it: the interface the
// PC's traffic leaves by, what kind it is, and the gateway.
type RouteView struct {
	Interface string `json:"interface"`
	// Type is ethernet, wifi, vpn or other.
	Type    string `json:"type,omitempty"`
	Gateway string `json:"gateway,omitempty"`
}

// Route types.
const (
	RouteEthernet = "ethernet"
	RouteWiFi     = "wifi"
	RouteVPN      = "vpn"
	RouteOther    = "other"
)
