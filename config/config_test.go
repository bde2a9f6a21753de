package config

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestPrecedence(t *testing.T) {
	c := Default()
	if err := c.ApplyEnv(env(map[string]string{
		"CITEBOT_TOP_K":         "7",
		"CITEBOT_DATA_DIR":      "/env",
		"CITEBOT_DOCS":          "a.txt,b.md",
		"CITEBOT_EDIT_INTERVAL": "2s",
		"TELEGRAM_BOT_TOKEN":    "123:abc",
	})); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--top-k", "3", "--doc", "c.txt", "--doc", "d.txt"}); err != nil {
		t.Fatal(err)
	}
	if c.TopK != 3 {
		t.Errorf("TopK = %d, want the flag's 3", c.TopK)
	}
	if c.DataDir != "/env" {
		t.Errorf("DataDir = %q, want the env's /env", c.DataDir)
	}
	if got := strings.Join(c.Docs, ","); got != "c.txt,d.txt" {
		t.Errorf("Docs = %q, want flags to replace env", got)
	}
	if c.EditInterval != 2*time.Second {
		t.Errorf("EditInterval = %v", c.EditInterval)
	}
	if c.TelegramToken.Reveal() != "123:abc" {
		t.Errorf("token not set from env")
	}
}

func TestApplyEnvErrorsNameVariable(t *testing.T) {
	tests := map[string]string{
		"CITEBOT_TOP_K":         "many",
		"CITEBOT_MEMORY_TTL":    "forever",
		"CITEBOT_ALLOWED_CHATS": "1,x",
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			c := Default()
			err := c.ApplyEnv(env(map[string]string{name: v}))
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("err = %v, want it to name %s", err, name)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"bad embedder", func(c *Config) { c.Embedder = "magic" }, "embedder (CITEBOT_EMBEDDER)"},
		{"openai embedder without model", func(c *Config) { c.Embedder = "openai"; c.OpenAIBaseURL = "http://x/v1" }, "embed-model"},
		{"model without server", func(c *Config) { c.Model = "qwen2.5" }, "OPENAI_BASE_URL"},
		{"bad base url", func(c *Config) { c.OpenAIBaseURL = "localhost:11434" }, "openai-base-url"},
		{"top-k", func(c *Config) { c.TopK = 0 }, "top-k"},
		{"telegram api", func(c *Config) { c.TelegramAPI = "nope" }, "telegram-api"},
		{"log format", func(c *Config) { c.LogFormat = "xml" }, "log-format"},
		{"log level", func(c *Config) { c.LogLevel = "loud" }, "log-level"},
		{"workers", func(c *Config) { c.Workers = 0 }, "workers"},
		{"data dir", func(c *Config) { c.DataDir = "" }, "data-dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.mod(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want mention of %q", err, tt.want)
			}
		})
	}
}

func TestServeNeedsToken(t *testing.T) {
	err := Default().ValidateServe()
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") {
		t.Fatalf("ValidateServe() = %v", err)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	c := Default()
	c.TelegramToken = "123456:SECRET-TOKEN"
	c.OpenAIAPIKey = "sk-SECRET"
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("cfg", "token", c.TelegramToken, "cfg", c)
	fmt.Fprintf(&sb, "%v %+v %#v %s", c, c, c, c.OpenAIAPIKey)
	b, _ := json.Marshal(c)
	sb.Write(b)
	if s := sb.String(); strings.Contains(s, "SECRET") {
		t.Fatalf("secret leaked: %s", s)
	}
	_ = io.Discard
}
