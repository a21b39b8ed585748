package probes

import (
	"errors"
	"runtime"
	"testing"
)

// TestAccountFor: the well-known service SIDs are service accounts
// whoever started them (an RMM tool's SYSTEM is not a service), and a
// service under any other account is one too.
func TestAccountFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sid     string
		service bool
		want    ProcessAccount
	}{
		{"S-1-5-18", false, AccountLocalSystem},
		{"S-1-5-18", true, AccountLocalSystem},
		{"S-1-5-19", true, AccountLocalService},
		{"S-1-5-20", true, AccountNetworkService},
		{"S-1-5-21-1004336348-1177238915-682003330-1001", true, AccountService},
		{"S-1-5-21-1004336348-1177238915-682003330-1001", false, AccountUser},
		// A token that could not be read: only the service manager's
		// word is left.
		{"", true, AccountService},
		{"", false, AccountUser},
		// Look-alikes are not the well-known SIDs.
		{"S-1-5-180", false, AccountUser},
		{"S-1-5-19-1", false, AccountUser},
	} {
		if got := AccountFor(tc.sid, tc.service); got != tc.want {
			t.Errorf("AccountFor(%q, %v) = %q, want %q", tc.sid, tc.service, got, tc.want)
		}
	}
}

// TestWindowsProxySources maps what the Windows reader finds to which
// sources were read for the user, and why not.
func TestWindowsProxySources(t *testing.T) {
	t.Parallel()
	denied := errors.New(`reading HKCU\...\DefaultConnectionSettings: Access is denied.`)
	read := func(src ProxySource) ProxySourceRead { return ProxySourceRead{Source: src, Read: true} }
	hidden := func(src ProxySource, a ProcessAccount) ProxySourceRead {
		return ProxySourceRead{Source: src, Unread: UnreadServiceAccount, Account: a}
	}
	failed := func(src ProxySource) ProxySourceRead {
		return ProxySourceRead{Source: src, Unread: UnreadError, Err: denied}
	}
	for _, tc := range []struct {
		name  string
		facts WindowsProxyFacts
		want  []ProxySourceRead
	}{
		{"the user at a prompt reads all three", WindowsProxyFacts{},
			[]ProxySourceRead{read(ProxySourceEnv), read(ProxySourceWinINet), read(ProxySourceWinHTTP)}},
		{"LocalService sees its own HKCU and environment", WindowsProxyFacts{Account: AccountLocalService},
			[]ProxySourceRead{hidden(ProxySourceEnv, AccountLocalService), hidden(ProxySourceWinINet, AccountLocalService), read(ProxySourceWinHTTP)}},
		{"SYSTEM from an RMM tool, too", WindowsProxyFacts{Account: AccountLocalSystem},
			[]ProxySourceRead{hidden(ProxySourceEnv, AccountLocalSystem), hidden(ProxySourceWinINet, AccountLocalSystem), read(ProxySourceWinHTTP)}},
		{"a per-machine policy makes WinINet everyone's", WindowsProxyFacts{Account: AccountNetworkService, MachineWide: true},
			[]ProxySourceRead{hidden(ProxySourceEnv, AccountNetworkService), read(ProxySourceWinINet), read(ProxySourceWinHTTP)}},
		{"a reading error is said as such", WindowsProxyFacts{WinINetErr: denied, WinHTTPErr: denied},
			[]ProxySourceRead{read(ProxySourceEnv), failed(ProxySourceWinINet), failed(ProxySourceWinHTTP)}},
		{"an error outranks the account", WindowsProxyFacts{Account: AccountService, WinINetErr: denied},
			[]ProxySourceRead{hidden(ProxySourceEnv, AccountService), failed(ProxySourceWinINet), read(ProxySourceWinHTTP)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertSources(t, WindowsProxySources(tc.facts), tc.want)
		})
	}
}

// TestScutilProxySources: scutil's store is system-wide, so only a failed
// run makes it unread; no account hides it.
func TestScutilProxySources(t *testing.T) {
	t.Parallel()
	assertSources(t, ScutilProxySources(nil), []ProxySourceRead{
		{Source: ProxySourceEnv, Read: true}, {Source: ProxySourceScutil, Read: true}})
	failed := errors.New("running scutil --proxy: signal: killed")
	assertSources(t, ScutilProxySources(failed), []ProxySourceRead{
		{Source: ProxySourceEnv, Read: true}, {Source: ProxySourceScutil, Unread: UnreadError, Err: failed}})
}

// TestSystemProxySourcesHere: on Linux and the BSDs the environment is the
// only source, and it is always read.
func TestSystemProxySourcesHere(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the OS's own sources are read here; see TestWindowsProxySources and TestScutilProxySources")
	}
	assertSources(t, SystemProxySources(), []ProxySourceRead{{Source: ProxySourceEnv, Read: true}})
	if got := New(Options{}).ProxySources(); got != nil {
		t.Errorf("a prober without ProxySources reports %+v, want none", got)
	}
	p := New(Options{ProxySources: SystemProxySources})
	assertSources(t, p.ProxySources(), []ProxySourceRead{{Source: ProxySourceEnv, Read: true}})
}

func assertSources(t *testing.T, got, want []ProxySourceRead) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Source != w.Source || g.Read != w.Read || g.Unread != w.Unread || g.Account != w.Account || !errors.Is(g.Err, w.Err) {
			t.Errorf("source %d: got %+v, want %+v", i, g, w)
		}
	}
}
