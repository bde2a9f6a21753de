package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Row is one question of a set.
type Row struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	Kind     string   `json:"kind"`
	Evidence []string `json:"evidence,omitempty"`
}

// Answerable reports whether the row has a gold answer.
func (r Row) Answerable() bool { return len(r.Answers) > 0 }

// maxLine bounds one JSON line (a question set row is small).
const maxLine = 1 << 20

// Load reads a question set file.
func Load(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("question set: %w", err)
	}
	defer f.Close()
	rows, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// Parse reads JSON Lines rows. Blank lines are skipped; a malformed line is
// an error naming the line. A row with an empty question is kept (the shared
// sets have two, and the scoring counts every row).
func Parse(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	var rows []Row
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if len(b) == 0 {
			continue
		}
		var row Row
		if err := json.Unmarshal(b, &row); err != nil {
			return nil, fmt.Errorf("line %d: not a JSON question row: %w", line, err)
		}
		if row.ID == "" {
			row.ID = fmt.Sprintf("line%d", line)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes", line+1, maxLine)
		}
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("no questions")
	}
	return rows, nil
}
