package config

import (
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval/document"
)

// TestLimitSettings checks the settings of the document limits and of the
// replay age: their defaults, and that the environment and flags set them.
func TestLimitSettings(t *testing.T) {
	d := Default()
	if d.MaxPassagesPerDocument != 20000 || d.MemoryBudgetMB != 256 || d.ReplayMaxAge != time.Hour {
		t.Fatalf("defaults: max_passages_per_document %d, memory_budget_mb %d, replay_max_age %v; want 20000, 256, 1h",
			d.MaxPassagesPerDocument, d.MemoryBudgetMB, d.ReplayMaxAge)
	}
	c := Default()
	err := c.ApplyEnv(env(map[string]string{
		"CITEBOT_MAX_PASSAGES_PER_DOCUMENT": "500", "CITEBOT_MEMORY_BUDGET_MB": "64", "CITEBOT_REPLAY_MAX_AGE": "90m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxPassagesPerDocument != 500 || c.MemoryBudgetMB != 64 || c.ReplayMaxAge != 90*time.Minute {
		t.Fatalf("from the environment: %d, %d, %v", c.MaxPassagesPerDocument, c.MemoryBudgetMB, c.ReplayMaxAge)
	}
	c = Default()
	if err := flags(t, &c, "serve", "--max-passages-per-document", "0", "--memory-budget-mb", "0", "--replay-max-age", "10m"); err != nil {
		t.Fatal(err)
	}
	if c.MaxPassagesPerDocument != 0 || c.MemoryBudgetMB != 0 || c.ReplayMaxAge != 10*time.Minute {
		t.Fatalf("from flags: %d, %d, %v", c.MaxPassagesPerDocument, c.MemoryBudgetMB, c.ReplayMaxAge)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("0 (no limit) refused: %v", err)
	}
	c = Default()
	if err := flags(t, &c, "index", "--replay-max-age", "10m"); err == nil {
		t.Error("index takes --replay-max-age, want it for serve only")
	}
}

// TestLimitErrorsNameSettings checks that the errors of document.Limits
// name settings that exist.
func TestLimitErrorsNameSettings(t *testing.T) {
	for _, key := range []string{document.MaxPassagesSetting, document.MemoryBudgetSetting} {
		if lookup(key) == nil {
			t.Errorf("document.Limits errors name %q, which is not a setting", key)
		}
	}
}
