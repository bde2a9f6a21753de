package config

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestLoggerDurations: both log formats write durations as "1.5s", not
// JSON's integer nanoseconds.
func TestLoggerDurations(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		Config{LogFormat: format, LogLevel: "info"}.Logger(&buf).Info("stopped", "waited", 1500*time.Millisecond)
		if format == "json" {
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			if rec["waited"] != "1.5s" {
				t.Errorf("json: waited = %v, want \"1.5s\"", rec["waited"])
			}
			continue
		}
		if !strings.Contains(buf.String(), "waited=1.5s") {
			t.Errorf("text: %s", buf.String())
		}
	}
}
