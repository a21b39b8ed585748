package probes

// The control probe's default is the URL Windows itself fetches for its
// connectivity check (NCSI), with the answer NCSI expects.
const (
	DefaultControlURL    = "http://www.msftconnecttest.com/connecttest.txt"
	DefaultControlExpect = "Microsoft Connect Test"
)
