package probes

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc"
)

const (
	internetSettingsPath = `SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings`
	connectionsPath      = internetSettingsPath + `\Connections`
	// The policy "Make proxy settings per-machine (rather than per-user)"
	// moves WinINet's setting from HKCU to HKLM.
	internetSettingsPolicyPath = `SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings`
)

// osProxies reads the registry directly rather than asking WinHTTP or
// parsing netsh: the values are the same on every display language, and
// reading them never triggers WPAD discovery.
//
// WinINet comes first because the Password Boss desktop application, a
// .NET Framework program running as the user, takes its default proxy from
// WinINet; WinHTTP's machine setting is what services and SYSTEM-context
// updaters use. Note that when pbprobe itself runs as SYSTEM (an RMM tool)
// or LocalService, HKCU is that account's own hive, not the logged-on
// user's; osProxySources says so in the report.
func osProxies(host string, port int) []ProxySetting {
	var out []ProxySetting
	if s, ok := winINetProxy(host, port); ok {
		out = append(out, s)
	}
	if s, ok := winHTTPProxy(host, port); ok {
		out = append(out, s)
	}
	return out
}

func winHTTPProxy(host string, port int) (ProxySetting, bool) {
	where := `HKLM\` + connectionsPath + `\WinHttpSettings`
	blob, err := readBinaryValue(registry.LOCAL_MACHINE, connectionsPath, "WinHttpSettings")
	if errors.Is(err, registry.ErrNotExist) {
		return ProxySetting{}, false
	}
	if err != nil {
		return ProxySetting{Source: ProxySourceWinHTTP, Err: fmt.Errorf("reading %s: %w", where, err)}, true
	}
	return settingFromBlob(ProxySourceWinHTTP, where, blob, host, port)
}

func winINetProxy(host string, port int) (ProxySetting, bool) {
	root, rootName := winINetRoot()
	where := rootName + connectionsPath + `\DefaultConnectionSettings`
	blob, err := readBinaryValue(root, connectionsPath, "DefaultConnectionSettings")
	switch {
	case errors.Is(err, registry.ErrNotExist):
		// WinINet writes the binary value the first time it saves
		// settings; until then (a fresh profile, a policy that only set
		// the plain values) the plain values are what it uses.
		s, ok := winINetLegacy(root)
		if !ok {
			return ProxySetting{}, false
		}
		return winHTTPProxySetting(ProxySourceWinINet, s, host, port)
	case err != nil:
		return ProxySetting{Source: ProxySourceWinINet, Err: fmt.Errorf("reading %s: %w", where, err)}, true
	}
	return settingFromBlob(ProxySourceWinINet, where, blob, host, port)
}

// winINetRoot is where WinINet keeps the setting the apps use: the
// account's own hive, or HKLM under the per-machine policy.
func winINetRoot() (registry.Key, string) {
	if machineWideProxySettings() {
		return registry.LOCAL_MACHINE, `HKLM\`
	}
	return registry.CURRENT_USER, `HKCU\`
}

// osProxySources reads the same values osProxies does, for whether they
// could be read, and asks the token whom this process runs as: under a
// service account HKCU is that account's hive, not the signed-in user's.
func osProxySources() []ProxySourceRead {
	root, rootName := winINetRoot()
	return WindowsProxySources(WindowsProxyFacts{
		Account:     processAccount(),
		MachineWide: root == registry.LOCAL_MACHINE,
		WinINetErr:  readError(root, rootName, "DefaultConnectionSettings"),
		WinHTTPErr:  readError(registry.LOCAL_MACHINE, `HKLM\`, "WinHttpSettings"),
	})
}

// readError is what reading a Connections value failed with; nil when it
// was read or is not there.
func readError(root registry.Key, rootName, name string) error {
	_, err := readBinaryValue(root, connectionsPath, name)
	if err == nil || errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("reading %s%s\\%s: %w", rootName, connectionsPath, name, err)
}

// processAccount tells a service account by the token's user SID (which
// also catches SYSTEM started by an RMM tool rather than the service
// manager) and the service manager by svc.IsWindowsService. When neither
// can be read the process counts as the user's: the report then says
// nothing rather than something wrong.
func processAccount() ProcessAccount {
	sid := ""
	if u, err := windows.GetCurrentProcessToken().GetTokenUser(); err == nil {
		sid = u.User.Sid.String()
	}
	isService, _ := svc.IsWindowsService()
	return AccountFor(sid, isService)
}

func machineWideProxySettings() bool {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, internetSettingsPolicyPath, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	v, _, err := k.GetIntegerValue("ProxySettingsPerUser")
	return err == nil && v == 0
}

// winINetLegacy reads the plain values under Internet Settings. A value
// that is missing or of an unexpected type counts as unset, as it does for
// WinINet.
func winINetLegacy(root registry.Key) (WinHTTPSettings, bool) {
	k, err := registry.OpenKey(root, internetSettingsPath, registry.QUERY_VALUE)
	if err != nil {
		return WinHTTPSettings{}, false
	}
	defer k.Close()
	enable, _, _ := k.GetIntegerValue("ProxyEnable")
	server, _, _ := k.GetStringValue("ProxyServer")
	override, _, _ := k.GetStringValue("ProxyOverride")
	pac, _, _ := k.GetStringValue("AutoConfigURL")
	return winINetLegacySettings(enable, server, override, pac), true
}

func readBinaryValue(root registry.Key, path, name string) ([]byte, error) {
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	v, _, err := k.GetBinaryValue(name)
	return v, err
}
