//go:build !windows

package main

// setupConsole has nothing to do: Unix terminals take UTF-8 as it is.
func setupConsole() {}

// osLocale is empty: on Unix the locale is the environment (LC_ALL, LANG),
// which detectLang reads already.
func osLocale() string { return "" }
