//go:build linux

package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill cmd's process when the test binary
// dies, so that no citebot outlives a crashed or killed test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
