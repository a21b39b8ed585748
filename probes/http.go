package probes

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxClockSkew is how far the PC's clock may be from the servers' before
// it is reported: TLS validity, TOTP codes and signed API requests all
// start failing around there.
const MaxClockSkew = 5 * time.Minute

// httpBodyLimit bounds what is read of an answer: enough for a block page's
// tell-tale words, and no more on the wire than needed.
const httpBodyLimit = 4 << 10

// HTTPResult holds the facts of the HTTP stage: one GET / over the TLS
// connection, as the apps would send it.
type HTTPResult struct {
	Duration time.Duration
	Status   int
	Server   string
	Location string
	// Date is the server's clock from its Date header; zero when absent.
	Date time.Time
	// ClockSkew is the PC's clock minus the server's (positive: the PC is
	// ahead), measured at the moment the answer arrived; zero without Date.
	ClockSkew time.Duration
	// Block says what answered instead of the service, when the answer is
	// a block page, a login demand or a redirect away from the service;
	// its Kind is empty when the service itself answered.
	Block Block
}

// BlockKind names what answered in the service's place. The values are
// stable tokens (JSON block_kind); the words for people are the report's.
type BlockKind string

// Block kinds, from the most certain (the status says it) to the least (a
// page that reads like a block page).
const (
	BlockNone         BlockKind = ""
	BlockNetworkLogin BlockKind = "network_login" // 511: a captive portal wants a sign-in
	BlockProxyLogin   BlockKind = "proxy_login"   // 407: a proxy wants a login
	BlockRedirect     BlockKind = "redirect"      // a redirect to another site; Name is its host
	BlockFilterServer BlockKind = "filter_server" // the Server header names a filter; Name is the header
	BlockVendorPage   BlockKind = "vendor_page"   // the page names a filter vendor; Name is the vendor word
	BlockPage         BlockKind = "block_page"    // the page reads like a block page
)

// Block is what answered instead of the service.
type Block struct {
	Kind BlockKind
	// Name is the redirect's host, the Server header or the vendor word,
	// as the kind says; it comes from the network, so renderers quote it.
	Name string
	// Status is the HTTP status of the answer.
	Status int
}

// String is a technical one-liner for logs and the JSON's blocked_by,
// English like an error message; people read the report's words.
func (b Block) String() string {
	switch b.Kind {
	case BlockNone:
		return ""
	case BlockNetworkLogin:
		return "a network login (HTTP 511)"
	case BlockProxyLogin:
		return "a proxy that wants a login (HTTP 407)"
	case BlockRedirect:
		return fmt.Sprintf("a redirect to %s (HTTP %d)", b.Name, b.Status)
	case BlockFilterServer:
		return fmt.Sprintf("%q (HTTP %d)", b.Name, b.Status)
	case BlockVendorPage:
		return fmt.Sprintf("a %s block page (HTTP %d)", b.Name, b.Status)
	}
	return fmt.Sprintf("a block page (HTTP %d)", b.Status)
}

// httpCheck sends GET / and reads the head and a little of the body. It runs
// over a connection whose chain may be untrusted (the clock may be why), so
// it sends nothing but the host name. It never drains what the server sends
// beyond that: the caller closes the raw connection right after, which ends
// an endless answer at once. (Closing the TLS connection here would send a
// close_notify, a write that a peer that does not read can stall.)
func (p *Prober) httpCheck(ctx context.Context, t Target, conn net.Conn) (*HTTPResult, error) {
	start := time.Now()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	req := &http.Request{
		Method:     http.MethodGet,
		URL:        &url.URL{Scheme: "https", Host: t.Host, Path: "/"},
		Host:       t.Host,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"User-Agent": {p.opts.UserAgent}, "Accept": {"*/*"}},
		Close:  true,
	}
	if err := req.Write(conn); err != nil {
		return &HTTPResult{Duration: time.Since(start)}, fmt.Errorf("http %s: sending GET /: %w", t.Host, err)
	}
	res, err := readAnswer(conn, req, t.Host, p.opts.Now)
	// The whole exchange, body included: the time the stage really took.
	res.Duration = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("http %s: reading the answer: %w", t.Host, err)
	}
	return res, nil
}

// httpHeadLimit bounds an answer's head (status line and headers), here and
// for a proxy's answer to CONNECT. Real heads are a few KiB; a middlebox
// that sends more is broken or hostile, and must not grow our memory.
const httpHeadLimit = 64 << 10

// maxHeaderValue bounds the header-derived strings a result keeps (Server,
// Location, Via): they go into JSON, errors and logs, and a name is never
// longer than this.
const maxHeaderValue = 256

// errHeadTooLarge is a head over httpHeadLimit.
var errHeadTooLarge = fmt.Errorf("the answer's head (status line and headers) is over %d KiB", httpHeadLimit>>10)

// readAnswer reads and judges the answer to req from r: the head, at most
// httpHeadLimit bytes, and for suspicious statuses at most httpBodyLimit of
// the body. It reads no more than that from r, whatever r sends. now stamps
// the moment the head arrived, for the clock check.
func readAnswer(r io.Reader, req *http.Request, host string, now func() time.Time) (*HTTPResult, error) {
	res := &HTTPResult{}
	// A chunked body is framed by size lines; twice the body limit leaves
	// room for them, and the raw cap holds however the framing lies.
	br := bufio.NewReader(io.LimitReader(r, httpHeadLimit+2*httpBodyLimit))
	head, err := readHead(br, httpHeadLimit)
	received := now()
	if err != nil {
		return res, cutHead(res, host, head, req, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(bytes.NewReader(head), br)), req)
	if err == nil {
		err = checkStatus(resp.StatusCode)
	}
	if err != nil {
		return res, err
	}
	// The body is never closed: Close would drain it, and an endless body
	// drains until the deadline. Dropping the reader costs nothing.
	res.Status = resp.StatusCode
	res.Server = shorten(resp.Header.Get("Server"), maxHeaderValue)
	res.Location = shorten(resp.Header.Get("Location"), maxHeaderValue)
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		res.Date = d
		res.ClockSkew = received.Sub(d).Round(time.Second)
	}
	var body []byte
	if suspicious(resp.StatusCode) {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, httpBodyLimit))
	}
	res.Block = blockOf(host, resp.StatusCode, resp.Header, body)
	return res, nil
}

// cutHead judges an answer whose head could not be read whole. Only a head
// over the limit whose status line came in may still say something: 511 and
// 407 are login demands by their status alone, whatever the headers were.
// Anything else is the error it was, with the status kept when it came.
func cutHead(res *HTTPResult, host string, head []byte, req *http.Request, err error) error {
	if !errors.Is(err, errHeadTooLarge) {
		return err
	}
	status, ok := statusOf(head, req)
	if !ok {
		return err
	}
	res.Status = status
	if b := blockOf(host, status, http.Header{}, nil); b.Kind == BlockNetworkLogin || b.Kind == BlockProxyLogin {
		res.Block = b
		return nil
	}
	return err
}

// readHead reads an answer's head from br up to and including the blank
// line that ends it, and takes no byte beyond it from br (br itself may
// have buffered more: the body's first bytes). A head over limit is
// errHeadTooLarge, returned with the part read so far (at most limit
// bytes); a head cut short by the end of the stream is io.ErrUnexpectedEOF.
func readHead(br *bufio.Reader, limit int) ([]byte, error) {
	head := make([]byte, 0, 1024)
	lineStart := 0
	for {
		frag, err := br.ReadSlice('\n')
		if len(head)+len(frag) > limit {
			return append(head, frag[:limit-len(head)]...), errHeadTooLarge
		}
		head = append(head, frag...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue // the same line goes on
		case errors.Is(err, io.EOF):
			return head, io.ErrUnexpectedEOF
		case err != nil:
			return head, err
		}
		if line := head[lineStart:]; len(line) == 1 || (len(line) == 2 && line[0] == '\r') {
			return head, nil
		}
		lineStart = len(head)
	}
}

// statusOf parses the status line at the start of head, when it came in
// whole, with the same rules as a whole answer.
func statusOf(head []byte, req *http.Request) (int, bool) {
	end := bytes.IndexByte(head, '\n')
	if end < 0 {
		return 0, false
	}
	line := append(head[:end+1:end+1], "\r\n"...)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(line)), req)
	if err != nil || checkStatus(resp.StatusCode) != nil {
		return 0, false
	}
	return resp.StatusCode, true
}

// checkStatus rejects the status codes under 100 that http.ReadResponse
// lets through (it takes any three digits): HTTP has none, and a zero
// would read as "no answer came".
func checkStatus(code int) error {
	if code < 100 {
		return fmt.Errorf("malformed HTTP status %03d", code)
	}
	return nil
}

// shorten cuts s to at most n bytes on a UTF-8 boundary, marking the cut
// with an ellipsis, so that a header value sent to fill memory or a log
// line cannot.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	i := n - len(mark)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + mark
}

// suspicious statuses are those a middlebox answers with; only for them is
// the body worth reading.
func suspicious(status int) bool {
	switch status {
	case http.StatusForbidden, http.StatusProxyAuthRequired, http.StatusUnavailableForLegalReasons,
		http.StatusNetworkAuthenticationRequired, http.StatusOK:
		return true
	}
	return status >= 300 && status < 400
}

// blockVendors are words in a Server header or a page that name a web
// filter, firewall or proxy rather than the service.
func blockVendors() []string {
	return []string{
		"fortigate", "fortinet", "sophos", "zscaler", "blue coat", "bluecoat", "forcepoint", "websense",
		"palo alto", "pan-os", "umbrella", "opendns", "barracuda", "watchguard", "sonicwall", "check point",
		"checkpoint", "squid", "mcafee web gateway", "skyhigh", "untangle", "smoothwall", "lightspeed",
		"netsweeper", "securly", "contentkeeper", "iboss", "kerio", "cisco web security", "ironport",
	}
}

// blockPhrases are what block pages say, in the languages MSP customers use.
func blockPhrases() []string {
	return []string{
		"web page blocked", "this site is blocked", "site blocked", "url blocked", "access denied",
		"has been blocked", "blocked by", "web filter", "category:", "blocked category",
		"zugriff verweigert", "seite gesperrt", "wurde blockiert", "webseite blockiert",
	}
}

// blockOf decides whether an answer came from something in the path
// rather than from the service: a login demand (511, 407), a redirect to
// another site, or a 403/451/200 that names a filter vendor or reads like a
// block page. Any other answer, 404 or 401 included, is the service talking.
func blockOf(host string, status int, h http.Header, body []byte) Block {
	switch {
	case status == http.StatusNetworkAuthenticationRequired:
		return Block{Kind: BlockNetworkLogin, Status: status}
	case status == http.StatusProxyAuthRequired:
		return Block{Kind: BlockProxyLogin, Status: status}
	case status >= 300 && status < 400:
		loc, err := url.Parse(h.Get("Location"))
		if err != nil || loc.Hostname() == "" || sameSite(loc.Hostname(), host) {
			return Block{}
		}
		return Block{Kind: BlockRedirect, Name: shorten(loc.Hostname(), maxHeaderValue), Status: status}
	case status == http.StatusForbidden || status == http.StatusUnavailableForLegalReasons || status == http.StatusOK:
		return pageBlock(status, shorten(h.Get("Server"), maxHeaderValue), body)
	}
	return Block{}
}

// pageBlock judges a 403, 451 or 200 by its Server header and its page.
func pageBlock(status int, server string, body []byte) Block {
	lserver := strings.ToLower(server)
	for _, v := range blockVendors() {
		if strings.Contains(lserver, v) {
			return Block{Kind: BlockFilterServer, Name: server, Status: status}
		}
	}
	if status == http.StatusOK {
		return Block{} // the service's own pages may say anything
	}
	text := strings.ToLower(string(body))
	for _, v := range blockVendors() {
		if strings.Contains(text, v) {
			return Block{Kind: BlockVendorPage, Name: v, Status: status}
		}
	}
	for _, ph := range blockPhrases() {
		if strings.Contains(text, ph) {
			return Block{Kind: BlockPage, Status: status}
		}
	}
	return Block{}
}

// sameSite reports whether two names share their last two labels: a
// redirect from api.passwordboss.com to www.passwordboss.com is the service.
func sameSite(a, b string) bool {
	last2 := func(s string) string {
		parts := strings.Split(strings.TrimSuffix(strings.ToLower(s), "."), ".")
		if len(parts) > 2 {
			parts = parts[len(parts)-2:]
		}
		return strings.Join(parts, ".")
	}
	return last2(a) == last2(b)
}
