package probes

// ProxySourceRead says whether this process could read one proxy source the
// way the apps on this PC see it. It is a fact about the process, not about
// a setting: a source that was read and holds nothing is Read; one whose
// "nothing" may only be this account's nothing is not.
type ProxySourceRead struct {
	Source ProxySource
	// Read: the source was read, and what this process found in it is
	// what the signed-in user's apps find there.
	Read bool
	// Unread says why not, when Read is false.
	Unread ProxyUnread
	// Account is whom this process runs as, set when that is why
	// (UnreadServiceAccount).
	Account ProcessAccount
	// Err is what reading failed with (UnreadError). It names registry
	// paths or commands, never a setting's value.
	Err error
}

// ProxyUnread says why a proxy source could not be read for the user.
// Stable tokens, like reason codes.
type ProxyUnread string

// Why a proxy source was not read.
const (
	UnreadNone ProxyUnread = ""
	// UnreadServiceAccount: the source is per account and this process
	// runs as a service account (LocalService, LocalSystem, ...), so it
	// sees that account's own setting (usually none), not the signed-in
	// user's: "no proxy" there does not mean the user has none.
	UnreadServiceAccount ProxyUnread = "service_account"
	// UnreadError: reading the source failed (access denied, a command
	// that did not run).
	UnreadError ProxyUnread = "error"
)

// ProcessAccount is whom this process runs as, where that decides whose
// per-user settings it can see. Stable tokens.
type ProcessAccount string

// Accounts. Only Windows tells them apart; elsewhere the process counts as
// the user's (AccountUser), because whether HOME and USER are those of the
// person at the console is not knowable cheaply.
const (
	AccountUser           ProcessAccount = ""                // an ordinary account, not a service
	AccountLocalSystem    ProcessAccount = "local_system"    // S-1-5-18, also an RMM tool's SYSTEM context
	AccountLocalService   ProcessAccount = "local_service"   // S-1-5-19
	AccountNetworkService ProcessAccount = "network_service" // S-1-5-20
	AccountService        ProcessAccount = "service"         // a Windows service under an account of its own
)

// Well-known SIDs of the service accounts (winnt.h).
const (
	sidLocalSystem    = "S-1-5-18"
	sidLocalService   = "S-1-5-19"
	sidNetworkService = "S-1-5-20"
)

// AccountFor tells the account from the process token's user SID and
// whether the service control manager started the process. A service
// running as an ordinary user may run as someone other than the person
// signed in, so it counts as a service account too.
func AccountFor(userSID string, isService bool) ProcessAccount {
	switch userSID {
	case sidLocalSystem:
		return AccountLocalSystem
	case sidLocalService:
		return AccountLocalService
	case sidNetworkService:
		return AccountNetworkService
	}
	if isService {
		return AccountService
	}
	return AccountUser
}

// WindowsProxyFacts are what the Windows reader finds out about its proxy
// sources. WindowsProxySources maps them, so that the mapping is the same,
// and tested, on every OS.
type WindowsProxyFacts struct {
	Account ProcessAccount
	// MachineWide: the policy "Make proxy settings per-machine" moves the
	// WinINet setting to HKLM, where every account reads the same one.
	MachineWide bool
	// WinINetErr and WinHTTPErr are what reading the WinINet and the
	// WinHTTP value failed with; nil when it worked or the value is not
	// there (not configured is a reading, too).
	WinINetErr, WinHTTPErr error
}

// WindowsProxySources says, in the order SystemProxies consults them,
// which sources this process could read for the signed-in user:
//   - the environment of a service is the machine's variables only, not
//     the user's own;
//   - WinINet lives in HKCU, which for a service account is that account's
//     hive (LocalService's is usually empty), unless policy makes it
//     machine-wide;
//   - WinHTTP is machine-wide (HKLM) and the same for every account.
func WindowsProxySources(f WindowsProxyFacts) []ProxySourceRead {
	service := f.Account != AccountUser
	env := readFor(ProxySourceEnv, f.Account, service, nil)
	wininet := readFor(ProxySourceWinINet, f.Account, service && !f.MachineWide, f.WinINetErr)
	winhttp := readFor(ProxySourceWinHTTP, f.Account, false, f.WinHTTPErr)
	return []ProxySourceRead{env, wininet, winhttp}
}

// readFor is one source's answer: a reading error first (it is the more
// specific fact), then whether the account hides the user's setting.
func readFor(src ProxySource, acct ProcessAccount, othersAccount bool, err error) ProxySourceRead {
	switch {
	case err != nil:
		return ProxySourceRead{Source: src, Unread: UnreadError, Err: err}
	case othersAccount:
		return ProxySourceRead{Source: src, Unread: UnreadServiceAccount, Account: acct}
	}
	return ProxySourceRead{Source: src, Read: true}
}

// ScutilProxySources says which sources a macOS process reads: the
// environment, and the dynamic store through scutil, which is system-wide
// (the active network service's settings), so any account reads the one
// the apps use. scutilErr is what running scutil failed with, if it did.
func ScutilProxySources(scutilErr error) []ProxySourceRead {
	return []ProxySourceRead{
		{Source: ProxySourceEnv, Read: true},
		readFor(ProxySourceScutil, AccountUser, false, scutilErr),
	}
}

// SystemProxySources says which proxy sources SystemProxies consults on
// this OS and whether this process could read each one as the signed-in
// user's apps see it. On Linux and the BSDs that is the environment alone.
func SystemProxySources() []ProxySourceRead {
	return osProxySources()
}

// ProxySources returns the proxy sources the prober consults and whether
// each could be read (Options.ProxySources); nil when it looks for none.
func (p *Prober) ProxySources() []ProxySourceRead {
	if p.opts.ProxySources == nil {
		return nil
	}
	return p.opts.ProxySources()
}
