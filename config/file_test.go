package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const everyOption = `
docs: [a.txt, docs/]
data_dir: /var/lib/citebot
max_passage_runes: 300
top_k: 7
embedder: openai
embed_model: nomic-embed-text
embed_dim: 128
embed_batch_size: 16
vector_weight: 0.5
openai_base_url: http://ollama:11434/v1
openai_api_key: sk-file
model: qwen2.5:7b
model_timeout: 45s
telegram_token: "123:file"
telegram_api: http://127.0.0.1:9000
webhook_url: https://bot.example.org/hook
webhook_listen: ":9443"
webhook_secret: s3cret
workers: 3
edit_interval: 2s
memory_turns: 6
memory_ttl: 30m
allowed_chats: [-100123, 42]
allowed_users: [7]
rate_per_minute: 10
rate_burst: 5
max_question_runes: 500
keyword_prefix: 问
shutdown_timeout: 5s
admins: [7, 8]
max_upload_bytes: 1048576
admin_addr: 127.0.0.1:9090
log_format: json
log_level: debug
`

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "citebot.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFileSetsEveryOption(t *testing.T) {
	c := Default()
	if err := c.ApplyFile(writeFile(t, everyOption)); err != nil {
		t.Fatal(err)
	}
	def := reflect.ValueOf(Default())
	got := reflect.ValueOf(c)
	for i := 0; i < got.NumField(); i++ {
		if reflect.DeepEqual(got.Field(i).Interface(), def.Field(i).Interface()) {
			t.Errorf("field %s was not set by the file", got.Type().Field(i).Name)
		}
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("file config invalid: %v", err)
	}
	if c.MemoryTTL.Minutes() != 30 || c.AllowedChats[0] != -100123 || c.OpenAIAPIKey.Reveal() != "sk-file" {
		t.Fatalf("decoded %+v", c)
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"unknown key", "top_k: 3\ncolour: blue\n", []string{"colour", "line 2"}},
		{"bad value", "top_k: many\n", []string{"many", "line 1"}},
		{"bad duration", "memory_ttl: forever\n", []string{"forever"}},
		{"not yaml", "top_k: [\n", []string{"citebot.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := c.ApplyFile(writeFile(t, tt.body))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestConfigPath(t *testing.T) {
	getenv := func(k string) string {
		if k == "CITEBOT_CONFIG" {
			return "env.yaml"
		}
		return ""
	}
	if got := ConfigPath([]string{"--top-k", "3"}, getenv); got != "env.yaml" {
		t.Errorf("env path = %q", got)
	}
	if got := ConfigPath([]string{"--config", "a.yaml"}, getenv); got != "a.yaml" {
		t.Errorf("flag path = %q", got)
	}
	if got := ConfigPath([]string{"-config=b.yaml", "q"}, getenv); got != "b.yaml" {
		t.Errorf("flag= path = %q", got)
	}
}

func FuzzApplyYAML(f *testing.F) {
	f.Add(everyOption)
	f.Add("top_k: [")
	f.Fuzz(func(t *testing.T, body string) {
		c := Default()
		_ = c.applyYAML([]byte(body))
	})
}
