package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/citebot/citebot/config/redact"
)

const everyOption = `
docs: [a.txt, docs/]
data_dir: /var/lib/citebot
max_passage_runes: 300
max_passages_per_document: 5000
memory_budget_mb: 128
ocr_languages: chi_sim,eng
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
max_completion_tokens: 512
context_window: 4096
telegram_token: "123:file"
telegram_api: http://127.0.0.1:9000
webhook_url: https://bot.example.org/hook
webhook_listen: ":9443"
webhook_secret: s3cret
workers: 3
edit_interval: 2s
rich_messages: "off"
memory_turns: 6
memory_ttl: 30m
allowed_chats: [-100123, 42]
allowed_users: [7]
rate_per_minute: 10
rate_burst: 5
max_question_runes: 500
keyword_prefix: 问
shutdown_timeout: 5s
replay_max_age: 30m
admins: [7, 8]
max_upload_bytes: 1048576
chat_uploads: private
fetch_timeout: 1m30s
fetch_allow_private: true
fetch_allow_addrs: [127.0.0.1:8080]
library_memory_mb: 64
chat_max_documents: 3
chat_max_mb: 5
chat_max_passages: 900
user_uploads_per_day: 4
stored_max_mb: 100
retention_days: 0
web_listen: 127.0.0.1:8081
public_url: https://bot.example.org
link_ttl: 48h
page_key: 0123456789abcdef0123
admin_addr: 127.0.0.1:9090
log_format: json
log_level: debug
`

// writeFile writes body to citebot.yaml in a temporary directory.
func writeFile(t testing.TB, body string) string {
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
	// Every field, those of the embedded groups (Telegram, Library) one
	// by one, must differ from its default.
	var walk func(got, def reflect.Value)
	walk = func(got, def reflect.Value) {
		for i := 0; i < got.NumField(); i++ {
			switch f := got.Type().Field(i); {
			case f.Anonymous:
				walk(got.Field(i), def.Field(i))
			case !f.IsExported():
			case reflect.DeepEqual(got.Field(i).Interface(), def.Field(i).Interface()):
				t.Errorf("field %s was not set by the file", f.Name)
			}
		}
	}
	walk(reflect.ValueOf(c), reflect.ValueOf(Default()))
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
		{"unknown key", "top_k: 3\ncolour: blue\n", []string{`unknown setting "colour" (line 2)`}},
		{"flag name as key", "top-k: 3\n", []string{`unknown setting "top-k" (line 1): file keys are written like top_k`}},
		{"env name as key", "CITEBOT_WORKERS: 3\n", []string{"written like workers"}},
		{"word for an integer", "data_dir: x\n\nworkers: five\n", []string{`workers (line 3): want an integer, got "five"`}},
		{"fraction for an integer", "workers: 1.5\n", []string{"workers (line 1): want an integer, got 1.5"}},
		{"quoted integer", "workers: \"5\"\n", []string{`workers (line 1): want an integer, got "5"`}},
		{"list for an integer", "top_k: [1]\n", []string{"top_k (line 1): want an integer, got a list"}},
		{"nothing for an integer", "top_k:\n", []string{"top_k (line 1): want an integer, got nothing"}},
		{"bad duration", "memory_ttl: forever\n", []string{`memory_ttl (line 1): want a duration such as 1.5s or 10m, got "forever"`}},
		{"duration without unit", "memory_ttl: 30\n", []string{"memory_ttl (line 1): want a duration", "got 30"}},
		{"nan", "vector_weight: .nan\n", []string{"vector_weight (line 1): want a finite number, got .nan"}},
		{"inf", "rate_per_minute: .inf\n", []string{"rate_per_minute (line 1): want a finite number"}},
		{"bad id in a list", "allowed_chats:\n  - 1\n  - x\n", []string{`allowed_chats (line 3): want an integer id, got "x"`}},
		{"set twice", "top_k: 1\ntop_k: 2\n", []string{"top_k (line 2): set twice, first on line 1"}},
		{"mapping for text", "model: {a: b}\n", []string{"model (line 1): want text, got a mapping"}},
		{"every error", "workers: x\ntop_k: y\n", []string{"workers (line 1)", "top_k (line 2)"}},
		{"not a mapping", "- a\n- b\n", []string{"line 1: want settings as key: value lines, got a list"}},
		{"yes for a bool", "fetch_allow_private: yes\n", []string{`fetch_allow_private (line 1): want true or false, got "yes"`}},
		{"number for a bool", "fetch_allow_private: 1\n", []string{"fetch_allow_private (line 1): want true or false, got 1"}},
		{"quoted bool", "fetch_allow_private: \"true\"\n", []string{`fetch_allow_private (line 1): want true or false, got "true"`}},
		{"fraction for a quota", "chat_max_mb: 0.5\n", []string{"chat_max_mb (line 1): want an integer, got 0.5"}},
		{"two documents", "top_k: 1\n---\ntop_k: 2\n", []string{"one YAML document"}},
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

func TestFileAccepts(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(c Config) bool
	}{
		{"empty file", "", func(c Config) bool { return c.TopK == 8 }},
		{"only comments", "# nothing\n", func(c Config) bool { return c.TopK == 8 }},
		{"one doc as a word", "docs: a.txt\n", func(c Config) bool { return len(c.Docs) == 1 && c.Docs[0] == "a.txt" }},
		{"empty list", "allowed_chats: []\n", func(c Config) bool { return len(c.AllowedChats) == 0 }},
		{"one id", "admins: 7\n", func(c Config) bool { return len(c.Admins) == 1 && c.Admins[0] == 7 }},
		{"empty text turns off", "admin_addr:\n", func(c Config) bool { return c.AdminAddr == "" }},
		{"zero duration is parsed (and rejected by Validate)", "memory_ttl: 0\n", func(c Config) bool { return c.MemoryTTL == 0 && c.Validate() != nil }},
		{"integer for a float", "rate_per_minute: 0\n", func(c Config) bool { return c.RatePerMinute == 0 }},
		{"bool false", "fetch_allow_private: false\n", func(c Config) bool { return !c.FetchAllowPrivate }},
		{"bool true", "fetch_allow_private: true\n", func(c Config) bool { return c.FetchAllowPrivate }},
		{"zero quota is unlimited", "chat_max_documents: 0\nretention_days: 0\n", func(c Config) bool {
			return c.ChatMaxDocuments == 0 && c.RetentionDays == 0 && c.Validate() == nil
		}},
		{"alias", "x_anchor: &n 5\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := c.applyYAML([]byte(tt.body), "c.yaml")
			if tt.check == nil {
				if err == nil {
					t.Fatal("an unknown key was accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("decoded %+v", c)
			}
		})
	}
}

func TestConfigPath(t *testing.T) {
	getenv := env(map[string]string{"CITEBOT_CONFIG": "env.yaml"})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"environment", []string{"--top-k", "3"}, "env.yaml"},
		{"flag", []string{"--config", "a.yaml"}, "a.yaml"},
		{"flag=", []string{"-config=b.yaml", "q"}, "b.yaml"},
		{"after the question", []string{"q", "--config", "c.yaml"}, "c.yaml"},
		{"after --", []string{"--", "--config", "d.yaml"}, "env.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ConfigPath(tt.args, getenv); got != tt.want {
				t.Fatalf("ConfigPath(%q) = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

// TestMarshalYAML checks what `citebot config` prints: the values in
// effect, in table order, with where each came from, no secret and no
// credentials.
func TestMarshalYAML(t *testing.T) {
	c := Default()
	if err := c.ApplyEnv(env(map[string]string{
		"CITEBOT_TOP_K":       "9",
		"CITEBOT_DATA_DIR":    "/var/lib/citebot",
		"TELEGRAM_BOT_TOKEN":  "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"CITEBOT_WEBHOOK_URL": "https://user:pass@bot.example.org/bot123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/hook?key=k",
	})); err != nil {
		t.Fatal(err)
	}
	b, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, want := range []string{
		"docs: [] # empty means bundled sample\n", "data_dir: /var/lib/citebot # from CITEBOT_DATA_DIR\n",
		"top_k: 9 # from CITEBOT_TOP_K\n", "embed_dim: 384\n", "vector_weight: 0.1\n", "memory_ttl: 10m\n",
		"# telegram_token: a secret, never written here (set, from TELEGRAM_BOT_TOKEN); set it in the environment: TELEGRAM_BOT_TOKEN\n",
		"# openai_api_key: a secret, never written here (not set); set it in the environment: OPENAI_API_KEY\n",
		"# webhook_url: holds credentials, not written here (https://REDACTED@bot.example.org/botREDACTED/hook?key=REDACTED, from CITEBOT_WEBHOOK_URL); set it in the environment: CITEBOT_WEBHOOK_URL\n",
		"allowed_chats: [] # empty means all\n", "max_upload_bytes: 20971520\n",
		"chat_uploads: all\n", "fetch_timeout: 30s\n", "fetch_allow_private: false\n",
		"library_memory_mb: 256\n", "chat_max_documents: 10\n", "retention_days: 90\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, leak := range []string{"AAAAAAAA", "user:pass", "key=k", "REDACTED\n", "REDACTED #"} {
		if strings.Contains(out, leak) {
			t.Errorf("output shows %q:\n%s", leak, out)
		}
	}
	if strings.Index(out, "docs:") > strings.Index(out, "log_level:") {
		t.Errorf("not in table order:\n%s", out)
	}
}

// TestPrintedConfigReadsBack checks that what `citebot config` prints,
// read back with --config in the same environment, is the configuration
// it printed, for every setting: from a file that sets each one, from
// flags, and with secrets and credentials, which are left out of the
// print, coming from the environment.
func TestPrintedConfigReadsBack(t *testing.T) {
	secrets := map[string]string{
		"TELEGRAM_BOT_TOKEN":     "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"OPENAI_API_KEY":         "sk-env",
		"CITEBOT_WEBHOOK_SECRET": "env-secret",
		"CITEBOT_PAGE_KEY":       "0123456789abcdef-env",
		"CITEBOT_WEBHOOK_URL":    "https://user:pass@bot.example.org/hook?key=k",
		"OPENAI_BASE_URL":        "http://user:pass@ollama:11434/v1",
	}
	tests := []struct {
		name  string
		file  string
		env   map[string]string
		flags []string
	}{
		{"defaults", "", nil, nil},
		{"every setting from a file", everyOption, nil, nil},
		{"secrets and credentials from the environment", everyOption, secrets, nil},
		{"flags", "", nil, []string{"--doc", "rel/a.txt", "--doc", "/abs/b.md", "--data-dir", "data", "--top-k", "3",
			"--keyword-prefix", "yes", "--model", "7", "--vector-weight", "1e-7", "--memory-ttl", "90m", "--allowed-chats", "-1,2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			if tt.file != "" {
				if err := c.ApplyFile(writeFile(t, tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.ApplyEnv(env(tt.env)); err != nil {
				t.Fatal(err)
			}
			if err := flags(t, &c, "config", tt.flags...); err != nil {
				t.Fatal(err)
			}
			printed, err := yaml.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			elsewhere := filepath.Join(t.TempDir(), "printed.yaml") // in another folder than the working directory
			if err := os.WriteFile(elsewhere, printed, 0o600); err != nil {
				t.Fatal(err)
			}
			back := Default()
			if err := back.ApplyFile(elsewhere); err != nil {
				t.Fatalf("%v\n%s", err, printed)
			}
			if err := back.ApplyEnv(env(tt.env)); err != nil {
				t.Fatal(err)
			}
			for _, s := range settings {
				if s.field == nil {
					continue
				}
				got, want := s.field(&back), s.field(&c)
				if _, secret := want.(*Secret); secret && tt.env == nil {
					continue // left out of the print and not in the environment
				}
				if s.path {
					want = absolutePaths(want)
				}
				if !reflect.DeepEqual(normalList(got), normalList(want)) {
					t.Errorf("%s read back as %s, printed from %s\n%s", s.key, formatValue(got), formatValue(want), printed)
				}
			}
		})
	}
}

// absolutePaths returns the paths p points to made absolute.
func absolutePaths(p any) any {
	switch p := p.(type) {
	case *string:
		v := absolute(*p)
		return &v
	case *[]string:
		l := make([]string, len(*p))
		for i, v := range *p {
			l[i] = absolute(v)
		}
		return &l
	}
	return p
}

// normalList returns p with an empty list as nil, which YAML cannot tell
// apart.
func normalList(p any) any {
	switch l := p.(type) {
	case *[]string:
		if len(*l) == 0 {
			return (*[]string)(nil)
		}
	case *[]int64:
		if len(*l) == 0 {
			return (*[]int64)(nil)
		}
	}
	return p
}

// TestFilePathsAreRelativeToTheFile checks that relative paths in a
// configuration file are read from the file's folder, whatever the
// working directory, and that other sources' stay as they are.
func TestFilePathsAreRelativeToTheFile(t *testing.T) {
	t.Chdir(t.TempDir())
	dir := t.TempDir()
	file := filepath.Join(dir, "conf", "citebot.yaml")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	body := "docs: [a.txt, ../shared/b.md, /abs/c.txt]\ndata_dir: data\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	if err := c.ApplyFile(file); err != nil {
		t.Fatal(err)
	}
	wantDocs := []string{filepath.Join(dir, "conf", "a.txt"), filepath.Join(dir, "shared", "b.md"), "/abs/c.txt"}
	if !reflect.DeepEqual(c.Docs, wantDocs) || c.DataDir != filepath.Join(dir, "conf", "data") {
		t.Fatalf("docs %q, data_dir %q; want %q, %q", c.Docs, c.DataDir, wantDocs, filepath.Join(dir, "conf", "data"))
	}
	if err := c.ApplyEnv(env(map[string]string{"CITEBOT_DATA_DIR": "here"})); err != nil || c.DataDir != "here" {
		t.Fatalf("CITEBOT_DATA_DIR=here gave %q (%v): the environment's paths are the working directory's", c.DataDir, err)
	}
	if err := c.applyYAML([]byte("data_dir: \"\"\n"), file); err != nil || c.DataDir != "" {
		t.Fatalf("an empty data_dir became %q (%v)", c.DataDir, err)
	}
}

func FuzzApplyYAML(f *testing.F) {
	f.Add(everyOption)
	f.Add("top_k: [")
	f.Add("workers: 1.5\nmemory_ttl: 30\nallowed_chats: [1, x]\n")
	f.Add("a: &a [*a, *a]\ntop_k: *a\n")
	f.Add("model: \"yes\"\nkeyword_prefix: \"  # x \"\ndocs: [\"a,b\", \"~x\", \"null\"]\nembed_model: \"null\"\nocr_languages: \"0x10\"\n" +
		"webhook_url: https://u:p@bot.example.org/\nmemory_ttl: 0s\nvector_weight: 1e-7\nrate_per_minute: 0.5\ntelegram_api: \"'\"\n")
	f.Fuzz(func(t *testing.T, body string) {
		c := Default()
		if err := c.applyYAML([]byte(body), "f.yaml"); err != nil {
			if redact.HasToken(err.Error()) {
				t.Fatalf("error shows a token: %v", err)
			}
			return
		}
		printed, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("Marshal after a good file: %v", err)
		}
		back := Default()
		if err := back.applyYAML(printed, "f.yaml"); err != nil {
			t.Fatalf("the printed file does not read back: %v\n%s", err, printed)
		}
		for i := range settings {
			s := &settings[i]
			if s.field == nil || c.leftOut(s) != "" {
				continue
			}
			got, want := s.field(&back), s.field(&c)
			if s.path {
				want = absolutePaths(want)
			}
			if !reflect.DeepEqual(normalList(got), normalList(want)) {
				t.Fatalf("%s read back as %s, printed from %s\n%s", s.key, formatValue(got), formatValue(want), printed)
			}
		}
	})
}
