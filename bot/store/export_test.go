package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"24h", now.Add(-24 * time.Hour), false},
		{" 90m ", now.Add(-90 * time.Minute), false},
		{"7d", now.AddDate(0, 0, -7), false},
		{"0d", now, false},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), false},
		{"2026-11-01T08:00:00+08:00", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), false},
		{"-1h", time.Time{}, true},
		{"-1d", time.Time{}, true},
		{"1.5d", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSince(tt.in, now)
			if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
				t.Errorf("ParseSince(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"", "24h", "7d", "2026-11-01", "2026-11-01T08:00:00Z", "-3d", "99999999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSince(s, now)
		if err == nil && strings.TrimSpace(s) != "" && got.IsZero() {
			t.Errorf("ParseSince(%q) accepted it as the zero time", s)
		}
	})
}

func TestExportFeedback(t *testing.T) {
	s, _ := openTemp(t)
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	if _, err := s.PutVote(Vote{Chat: -5, Message: 9, User: 7, Vote: "down", Reason: "quote", Time: t0,
		Question: "q\nwith a line", Body: json.RawMessage(`{"Citations":[{"N":1}]}`), Mode: "llm", Generation: 2}); err != nil {
		t.Fatal(err)
	}
	var text, js bytes.Buffer
	if err := s.ExportFeedback(&text, time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-29T12:00:00Z\tdown\tquote\t-5\t7\tq with a line\n"; text.String() != want {
		t.Errorf("text export = %q, want %q", text.String(), want)
	}
	if err := s.ExportFeedback(&js, time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(js.Bytes(), &rows); err != nil || len(rows) != 1 || rows[0]["vote"] != "down" ||
		rows[0]["generation"] != float64(2) || rows[0]["answer"] == nil {
		t.Errorf("JSON export = %s (%v)", js.String(), err)
	}
	js.Reset()
	if err := s.ExportFeedback(&js, t0.Add(time.Second), true); err != nil || strings.TrimSpace(js.String()) != "[]" {
		t.Errorf("export since later = %q, %v; want []", js.String(), err)
	}
}
