//go:build windows

package main

import "golang.org/x/sys/windows"

// setupConsole switches the console to UTF-8: the report uses "·", "→" and
// umlauts, which the default OEM code page garbles in RMM consoles. A
// process without a console (a service, output redirected) gets an error
// here, which changes nothing and is ignored.
func setupConsole() { _ = windows.SetConsoleOutputCP(cpUTF8) }

// osLocale is the user's preferred UI language ("de-DE"): Windows sets no
// LANG, and a German technician's PC should still get German hints.
func osLocale() string {
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil || len(langs) == 0 {
		return ""
	}
	return langs[0]
}

// cpUTF8 is the UTF-8 code page (x/sys/windows has no name for it).
const cpUTF8 = 65001
