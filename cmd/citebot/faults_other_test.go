//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing here: the fault suite runs on Linux only.
func dieWithParent(*exec.Cmd) {}
