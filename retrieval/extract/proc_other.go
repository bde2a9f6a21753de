//go:build !linux

package extract

import "os/exec"

// limitSelf sets only the Go runtime's limits: address-space and CPU-time
// limits of the kernel are set on Linux only.
func limitSelf(l ChildLimits) error {
	setSoftLimits(l)
	return nil
}

// isolate does nothing: process groups are used on Linux only.
func isolate(cmd *exec.Cmd) {}

// killGroup kills the child cmd started.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill()
	}
}
