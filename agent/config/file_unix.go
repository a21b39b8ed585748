//go:build unix

package config

import "syscall"

// openNonBlock keeps the open of a FIFO swapped in after the check from
// waiting for a writer; a regular file ignores it.
const openNonBlock = syscall.O_NONBLOCK
