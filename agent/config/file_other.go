//go:build !unix

package config

// openNonBlock: Windows has no FIFOs that block an open.
const openNonBlock = 0
