package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeRow is one row of the settings table in docs/configuration.md.
type readmeRow struct {
	env, flag, key, def, commands string
}

// readmeTable returns the rows of the table in docs/configuration.md's
// Settings section.
func readmeTable(t testing.TB) []readmeRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Settings\n")
	if !ok {
		t.Fatal("docs/configuration.md has no ## Settings section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	code := func(cell string) string {
		_, rest, ok := strings.Cut(cell, "`")
		if !ok {
			return ""
		}
		v, _, _ := strings.Cut(rest, "`")
		return v
	}
	var rows []readmeRow
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| environment") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 6 {
			t.Fatalf("README row has %d cells, want 6: %s", len(cells), line)
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, readmeRow{env: code(cells[0]), flag: code(cells[1]), key: code(cells[2]), def: cells[3], commands: cells[4]})
	}
	return rows
}

// TestREADMEListsEverySetting checks the settings table of
// docs/configuration.md (linked from the README) against the settings table: the same settings in the same order, each
// with its variable, flag, file key, default and commands.
func TestREADMEListsEverySetting(t *testing.T) {
	rows := readmeTable(t)
	if len(rows) != len(settings) {
		t.Errorf("README lists %d settings, the table has %d", len(rows), len(settings))
	}
	for i, s := range settings {
		want := readmeRow{env: s.env, flag: "--" + s.flag, key: s.key, commands: s.scope.usedBy()}
		switch {
		case s.def != "":
			want.def = "`" + s.def + "`"
		case s.unset != "":
			want.def = s.unset
		}
		if i >= len(rows) {
			t.Errorf("README lacks the row of %s", s.spellings())
			continue
		}
		if rows[i] != want {
			t.Errorf("README row %d = %+v\nwant %+v", i+1, rows[i], want)
		}
	}
}
