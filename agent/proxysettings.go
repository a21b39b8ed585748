package agent

import "github.com/pbprobe/pbprobe/probes"

// ProxyLister is implemented by probers that can list the proxy settings
// that apply to a target (probes.Prober does).
type ProxyLister interface {
	ProxySettings(t probes.Target) []probes.ProxySetting
}

// proxySettings lists the PC's proxy settings for the machine-level part of
// the document. They are read for the first target: the fields shown here
// (where a setting comes from, its masked text, PAC, WPAD, whether it could
// be used) are the same for every host; which proxy a host went through is
// in that host's proxy object.
func proxySettings(p Prober, targets []probes.Target) []ProxySettingView {
	pl, ok := p.(ProxyLister)
	if !ok || len(targets) == 0 {
		return nil
	}
	var out []ProxySettingView
	for _, s := range pl.ProxySettings(targets[0]) {
		// From the environment or the registry, which a user or a
		// malware-laden installer may have filled with anything.
		v := ProxySettingView{Source: string(s.Source), Setting: cleanText(s.Raw), PACURL: cleanText(s.PACURL), AutoDetect: s.AutoDetect}
		if s.Err != nil {
			v.Error = cleanText(s.Err.Error())
		}
		out = append(out, v)
	}
	return out
}

// Worth reports a setting the report should put into words: one that
// could not be used, or one that can route the apps elsewhere than the
// path pbprobe checked (an auto-config script, WPAD).
func (v ProxySettingView) Worth() bool {
	return v.Error != "" || v.PACURL != "" || v.AutoDetect
}

// ProxySourceLister is implemented by probers that can say which proxy
// sources they consult and whether each could be read (probes.Prober
// does).
type ProxySourceLister interface {
	ProxySources() []probes.ProxySourceRead
}

// proxySources maps the prober's typed facts about its proxy sources to
// the document's view.
func proxySources(p Prober) []ProxySourceView {
	pl, ok := p.(ProxySourceLister)
	if !ok {
		return nil
	}
	return proxySourceViews(pl.ProxySources())
}

func proxySourceViews(reads []probes.ProxySourceRead) []ProxySourceView {
	var out []ProxySourceView
	for _, r := range reads {
		v := ProxySourceView{Source: string(r.Source), Read: r.Read, Why: r.Unread, Account: r.Account}
		if r.Err != nil {
			// Registry paths and OS error text: no setting's value, but
			// still text from outside the program.
			v.Error = cleanText(r.Err.Error())
		}
		out = append(out, v)
	}
	return out
}
