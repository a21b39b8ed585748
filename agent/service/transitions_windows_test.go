package service

import kservice "github.com/kardianos/service"

// The Event Log writer must take event IDs, or RMM monitors get the generic
// IDs 1 and 2 for every line.
var _ eventLogger = kservice.WindowsLogger{}
