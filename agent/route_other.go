//go:build !linux

package agent

// DefaultRoute: elsewhere the route table is not read yet (Windows'
// GetBestRoute2, macOS' routing socket would tell); the document then
// has no default_route.
func DefaultRoute() *RouteView { return nil }
