package extract

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// limitSelf puts the child under l: its address space and CPU time are
// limited by the kernel (and so are those of the programs it starts, such
// as tesseract), its heap and stacks by the Go runtime. The address space
// may grow by l.Memory beyond what the process has mapped when it sets the
// limit: the Go runtime reserves about 1.2 GiB of address space at start
// (most of it never backed by memory), more than a useful limit. Past the CPU limit
// the child says so on standard error and exits; past the address space,
// allocations fail and the Go runtime stops it with a fatal error.
func limitSelf(l ChildLimits) error {
	setSoftLimits(l)
	cpu := uint64(max(1, l.CPU.Round(1e9)/1e9))
	xcpu := make(chan os.Signal, 1)
	signal.Notify(xcpu, syscall.SIGXCPU)
	go func() {
		<-xcpu
		fmt.Fprintf(os.Stderr, "fatal error: over the CPU time limit of %ds\n", cpu)
		os.Exit(2)
	}()
	if err := unix.Setrlimit(unix.RLIMIT_CPU, &unix.Rlimit{Cur: cpu, Max: cpu + 2}); err != nil {
		return fmt.Errorf("CPU time: %w", err)
	}
	mem := uint64(l.Memory) + addressSpace()
	if err := unix.Setrlimit(unix.RLIMIT_AS, &unix.Rlimit{Cur: mem, Max: mem}); err != nil {
		return fmt.Errorf("address space: %w", err)
	}
	return nil
}

// addressSpace returns the size of this process's address space, from
// VmSize in /proc/self/status; 0 if it cannot be read.
func addressSpace() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmSize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// isolate makes cmd start in a process group of its own, so that
// killGroup reaches the programs it starts, and die with its parent.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the process group of the child cmd started by isolate.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Process.Kill()
	}
}
