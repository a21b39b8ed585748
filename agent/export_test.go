package agent

// ProbeAll is the concurrent core of a pass, for the benchmarks that
// measure how well the hosts overlap.
var ProbeAll = probeAll

// SetLatest makes doc the agent's latest document, as if a run had just
// produced it, for tests that need a fixed one (a real run stamps the
// wall clock on it).
func SetLatest(a *Agent, doc *Document) { a.latest.Store(doc) }
