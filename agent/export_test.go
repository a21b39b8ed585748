package agent

// ProbeAll is the concurrent core of a pass, for the benchmarks that
// measure how well the hosts overlap.
var ProbeAll = probeAll
