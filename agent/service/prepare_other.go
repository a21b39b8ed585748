//go:build !windows && !darwin

package service

// Prepare has nothing to do: the systemd unit's ConfigurationDirectory,
// LogsDirectory and StateDirectory have systemd create the folders, owned by
// the service's dynamic user; without systemd the service runs as root and
// the agent creates its log folder itself.
func Prepare(Paths, Options) error { return nil }
