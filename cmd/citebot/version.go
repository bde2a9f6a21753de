package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// buildInfo returns what citebot was built from: the module version
// ("(devel)" for a build from a work tree), the VCS revision ("unknown"
// without VCS stamping, "-dirty" appended for a tree with local changes)
// and the Go version. It is safe for concurrent use.
func buildInfo() (version, revision, goVersion string) {
	version, revision, goVersion = "(devel)", "unknown", runtime.Version()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version, revision, goVersion
	}
	if bi.Main.Version != "" {
		version = bi.Main.Version
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && revision != "unknown" {
		revision += "-dirty"
	}
	return version, revision, goVersion
}

// runVersion prints the version, commit and Go version on one line.
func runVersion(args []string, stdout, stderr io.Writer) error {
	if _, err := commandNamed("version").ParseFlags(args, stderr); err != nil {
		return err
	}
	version, revision, goVersion := buildInfo()
	fmt.Fprintf(stdout, "citebot version %s, commit %s, built with %s\n", version, revision, goVersion)
	return nil
}
