// Package doccheck holds the tests that keep the documentation true to the
// code; it has no code of its own.
//
//   - TestArchitectureDiagram: the import diagram in docs/architecture.md
//     is generated from `go list`; the test fails when it is stale and
//     rewrites it with -update.
//   - TestREADMECommands: the shell commands of README.md run (or, for
//     the long-running ones marked to be skipped, are checked) against a
//     freshly built citebot.
//   - TestNoWorkItemWords: Markdown files and Go comments state what is
//     true, not which tracker item or working period changed it.
package doccheck
