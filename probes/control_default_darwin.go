package probes

// The control probe's default is the URL macOS itself fetches to detect a
// captive portal, with the page it expects.
const (
	DefaultControlURL    = "http://captive.apple.com/hotspot-detect.html"
	DefaultControlExpect = "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
)
