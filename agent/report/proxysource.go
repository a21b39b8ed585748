package report

import (
	"github.com/pbprobe/pbprobe/agent"
	"github.com/pbprobe/pbprobe/probes"
)

// proxySourceFindings: when pbprobe runs as a service account, the
// per-user proxy sources it read are that account's, and "no proxy" there
// says nothing about the signed-in user's apps. One line names the
// account and those sources. A source that could not be read at all is
// not said here: its setting already carries the error (proxy_settings).
func proxySourceFindings(c *catalog, doc *agent.Document, _ string) []finding {
	var names []string
	var account probes.ProcessAccount
	for _, s := range doc.ProxySources {
		if s.Read || s.Why != probes.UnreadServiceAccount {
			continue
		}
		names = append(names, c.proxyWhere(&facts{proxySource: s.Source}))
		account = s.Account
	}
	if len(names) == 0 {
		return nil
	}
	a := args{"account": c.account(account), "sources": c.list(names)}
	return []finding{{level: levelInfo, msg: c.text("machine.proxy_sources", a)}}
}

// account names a service account as Windows does; one without a name
// of its own (or a token from a newer build) is "a service account".
func (c *catalog) account(a probes.ProcessAccount) string {
	key := "machine.account." + string(a)
	if a == probes.AccountUser || !c.has(key) {
		key = "machine.account"
	}
	return c.text(key, nil)
}
