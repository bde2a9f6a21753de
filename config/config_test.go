package config

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// env returns a getenv reading m.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// flags parses args with the flags of command registered on c.
func flags(t testing.TB, c *Config, command string, args ...string) error {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs, command)
	return fs.Parse(args)
}

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

// TestTableCoversConfig checks the settings table against the Config
// struct: every exported field has exactly one setting, and every name is
// unique.
func TestTableCoversConfig(t *testing.T) {
	var c Config
	fieldOf := map[uintptr]string{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			switch f := v.Type().Field(i); {
			case f.Anonymous: // an embedded group of settings (Telegram)
				walk(v.Field(i))
			case f.IsExported():
				fieldOf[v.Field(i).Addr().Pointer()] = f.Name
			}
		}
	}
	walk(reflect.ValueOf(&c).Elem())
	seen := map[string]string{}
	unique := func(kind, name, key string) {
		t.Helper()
		if name == "" {
			return
		}
		if other, dup := seen[kind+name]; dup {
			t.Errorf("%s %q used by %s and %s", kind, name, other, key)
		}
		seen[kind+name] = key
	}
	for _, s := range settings {
		unique("key", s.key, s.key)
		unique("env", s.env, s.key)
		unique("flag", s.flag, s.key)
		if s.env == "" || s.flag == "" || s.help == "" || s.scope == 0 {
			t.Errorf("setting %q lacks an env, flag, help or scope", s.key)
		}
		if s.def != "" && s.unset != "" {
			t.Errorf("setting %q has a default and an unset meaning", s.key)
		}
		if s.field == nil {
			continue
		}
		p := reflect.ValueOf(s.field(&c)).Pointer()
		name, ok := fieldOf[p]
		if !ok {
			t.Errorf("setting %q points at no Config field (or one already taken)", s.key)
		}
		delete(fieldOf, p)
		if _, isBool := s.field(&c).(*bool); !isBool && !strings.Contains(s.help, "`") {
			t.Errorf("setting %q (%s): help names no `argument`", s.key, name)
		}
	}
	for _, name := range fieldOf {
		t.Errorf("Config.%s has no setting", name)
	}
}

// TestDefaultsAreTheTable checks that Default holds every default of the
// table and that -h shows it.
func TestDefaultsAreTheTable(t *testing.T) {
	c := Default()
	for _, s := range settings {
		if s.field == nil {
			continue
		}
		var want Config
		if err := parseText(s.field(&want), s.def); err != nil {
			t.Fatalf("%s: default %q: %v", s.key, s.def, err)
		}
		if !reflect.DeepEqual(s.field(&c), s.field(&want)) {
			t.Errorf("%s: Default() holds %s, the table says %q", s.key, formatValue(s.field(&c)), s.def)
		}
	}
	if c.EmbedDim != 384 || c.VectorWeight != 0.1 || c.MemoryTTL != 10*time.Minute || c.TelegramAPI != DefaultTelegramAPI {
		t.Errorf("Default() = %+v", c)
	}
}

func TestPrecedence(t *testing.T) {
	c := Default()
	if err := c.applyYAML([]byte("top_k: 5\ndata_dir: /file\nworkers: 2\n"), "c.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := c.ApplyEnv(env(map[string]string{
		"CITEBOT_TOP_K":         "7",
		"CITEBOT_DATA_DIR":      "/env",
		"CITEBOT_DOCS":          "a.txt, my docs/b.md",
		"CITEBOT_EDIT_INTERVAL": "2s",
		"TELEGRAM_BOT_TOKEN":    "123:abc",
	})); err != nil {
		t.Fatal(err)
	}
	if err := flags(t, &c, "serve", "--top-k", "3", "--doc", "c,1.txt", "--doc", "d.txt"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"flag beats env", c.TopK, 3},
		{"env beats file", c.DataDir, "/env"},
		{"file beats default", c.Workers, 2},
		{"flags replace env lists, one path per flag", strings.Join(c.Docs, "|"), "c,1.txt|d.txt"},
		{"env duration", c.EditInterval, 2 * time.Second},
		{"env secret", c.TelegramToken.Reveal(), "123:abc"},
		{"origin of a flag", c.origin["top_k"], "--top-k"},
		{"origin of env", c.origin["data_dir"], "CITEBOT_DATA_DIR"},
		{"origin of file", c.origin["workers"], "workers (c.yaml line 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestEnvDocsSplitOnCommas(t *testing.T) {
	c := Default()
	if err := c.ApplyEnv(env(map[string]string{"CITEBOT_DOCS": "a.txt, my docs/b.md,\nc.pdf"})); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Docs, "|"); got != "a.txt|my docs/b.md|c.pdf" {
		t.Fatalf("Docs = %q", got)
	}
}

func TestCopiesDoNotShareOrigins(t *testing.T) {
	a := Default()
	a.setOrigin("top_k", "--top-k")
	b := a
	b.setOrigin("top_k", "CITEBOT_TOP_K")
	if a.origin["top_k"] != "--top-k" {
		t.Fatalf("a copy's change reached the original: %q", a.origin["top_k"])
	}
}

func TestApplyEnvErrorsNameVariable(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"CITEBOT_TOP_K", "many", `want an integer, got "many"`},
		{"CITEBOT_MEMORY_TTL", "forever", "want a duration"},
		{"CITEBOT_ALLOWED_CHATS", "1,x", `got "x"`},
		{"CITEBOT_VECTOR_WEIGHT", "NaN", "finite"},
		{"CITEBOT_RATE_PER_MINUTE", "+Inf", "finite"},
		{"CITEBOT_MAX_UPLOAD_BYTES", "20MB", "integer"},
		{"CITEBOT_FETCH_ALLOW_PRIVATE", "yes", `want true or false, got "yes"`},
		{"CITEBOT_FETCH_TIMEOUT", "30", "want a duration"},
		{"CITEBOT_CHAT_MAX_MB", "50MB", "integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := c.ApplyEnv(env(map[string]string{tt.name: tt.value}))
			if err == nil || !strings.HasPrefix(err.Error(), tt.name+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %s: ...%s...", err, tt.name, tt.want)
			}
		})
	}
}

func TestApplyEnvReportsEveryBadVariable(t *testing.T) {
	c := Default()
	err := c.ApplyEnv(env(map[string]string{"CITEBOT_TOP_K": "x", "CITEBOT_WORKERS": "y"}))
	if err == nil || !strings.Contains(err.Error(), "CITEBOT_TOP_K") || !strings.Contains(err.Error(), "CITEBOT_WORKERS") {
		t.Fatalf("err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"bad embedder", func(c *Config) { c.Embedder = "magic" }, `embedder (--embedder, CITEBOT_EMBEDDER) = "magic": use local or openai`},
		{"openai embedder without model", func(c *Config) { c.Embedder = "openai"; c.OpenAIBaseURL = "http://x/v1" }, "needs embed_model (--embed-model, CITEBOT_EMBED_MODEL)"},
		{"model without server", func(c *Config) { c.Model = "qwen2.5" }, "OPENAI_BASE_URL"},
		{"bad base url", func(c *Config) { c.OpenAIBaseURL = "localhost:11434" }, "openai_base_url"},
		{"top-k 0", func(c *Config) { c.TopK = 0 }, "top_k (--top-k, CITEBOT_TOP_K) = 0: use 1..50"},
		{"telegram api", func(c *Config) { c.TelegramAPI = "nope" }, "telegram_api"},
		{"log format", func(c *Config) { c.LogFormat = "xml" }, "log_format"},
		{"log level", func(c *Config) { c.LogLevel = "loud" }, "log_level"},
		{"workers 0", func(c *Config) { c.Workers = 0 }, "workers"},
		{"embed dim 0", func(c *Config) { c.EmbedDim = 0 }, "embed_dim"},
		{"vector weight 0", func(c *Config) { c.VectorWeight = 0 }, "vector_weight"},
		{"vector weight NaN", func(c *Config) { c.VectorWeight = math.NaN() }, "vector_weight"},
		{"vector weight Inf", func(c *Config) { c.VectorWeight = math.Inf(1) }, "vector_weight"},
		{"rate NaN", func(c *Config) { c.RatePerMinute = math.NaN() }, "rate_per_minute"},
		{"rate negative", func(c *Config) { c.RatePerMinute = -1 }, "rate_per_minute"},
		{"memory turns negative", func(c *Config) { c.MemoryTurns = -1 }, "memory_turns"},
		{"shutdown timeout 0", func(c *Config) { c.ShutdownTimeout = 0 }, "shutdown_timeout (--shutdown-timeout, CITEBOT_SHUTDOWN_TIMEOUT) = 0s: use a positive duration"},
		{"model timeout negative", func(c *Config) { c.ModelTimeout = -time.Second }, "model_timeout (--model-timeout, CITEBOT_MODEL_TIMEOUT) = -1s"},
		{"memory ttl 0", func(c *Config) { c.MemoryTTL = 0 }, "memory_ttl"},
		{"edit interval negative", func(c *Config) { c.EditInterval = -1 }, "edit_interval"},
		{"upload 0", func(c *Config) { c.MaxUploadBytes = 0 }, "max_upload_bytes"},
		{"passages per document negative", func(c *Config) { c.MaxPassagesPerDocument = -1 }, "max_passages_per_document (--max-passages-per-document, CITEBOT_MAX_PASSAGES_PER_DOCUMENT) = -1: use 0..100000000"},
		{"memory budget negative", func(c *Config) { c.MemoryBudgetMB = -5 }, "memory_budget_mb (--memory-budget-mb, CITEBOT_MEMORY_BUDGET_MB) = -5: use 0..1073741824"},
		{"replay max age 0", func(c *Config) { c.ReplayMaxAge = 0 }, "replay_max_age (--replay-max-age, CITEBOT_REPLAY_MAX_AGE) = 0s: use a positive duration"},
		{"replay max age negative", func(c *Config) { c.ReplayMaxAge = -time.Minute }, "replay_max_age"},
		{"webhook listen", func(c *Config) { c.WebhookListen = "8443" }, "webhook_listen"},
		{"admin addr", func(c *Config) { c.AdminAddr = "localhost" }, "admin_addr"},
		{"chat uploads", func(c *Config) { c.ChatUploads = "everyone" }, `chat_uploads (--chat-uploads, CITEBOT_CHAT_UPLOADS) = "everyone": use off or private or groups or all`},
		{"chat uploads empty", func(c *Config) { c.ChatUploads = "" }, "chat_uploads"},
		{"fetch timeout 0", func(c *Config) { c.FetchTimeout = 0 }, "fetch_timeout (--fetch-timeout, CITEBOT_FETCH_TIMEOUT) = 0s: use a positive duration up to 10m"},
		{"fetch timeout over 10m", func(c *Config) { c.FetchTimeout = 10*time.Minute + time.Second }, "fetch_timeout (--fetch-timeout, CITEBOT_FETCH_TIMEOUT) = 10m1s: use a positive duration up to 10m"},
		{"library memory 0", func(c *Config) { c.LibraryMemoryMB = 0 }, "library_memory_mb (--library-memory-mb, CITEBOT_LIBRARY_MEMORY_MB) = 0: use 1..1073741824"},
		{"chat max documents negative", func(c *Config) { c.ChatMaxDocuments = -1 }, "chat_max_documents (--chat-max-documents, CITEBOT_CHAT_MAX_DOCUMENTS) = -1: use 0..1048576"},
		{"chat max documents huge", func(c *Config) { c.ChatMaxDocuments = 1<<20 + 1 }, "chat_max_documents"},
		{"chat max mb negative", func(c *Config) { c.ChatMaxMB = -1 }, "chat_max_mb (--chat-max-mb, CITEBOT_CHAT_MAX_MB) = -1: use 0..1048576"},
		{"chat max passages negative", func(c *Config) { c.ChatMaxPassages = -1 }, "chat_max_passages (--chat-max-passages, CITEBOT_CHAT_MAX_PASSAGES) = -1: use 0..100000000"},
		{"user uploads negative", func(c *Config) { c.UserUploadsPerDay = -1 }, "user_uploads_per_day (--user-uploads-per-day, CITEBOT_USER_UPLOADS_PER_DAY) = -1: use 0..1048576"},
		{"stored max negative", func(c *Config) { c.StoredMaxMB = -1 }, "stored_max_mb (--stored-max-mb, CITEBOT_STORED_MAX_MB) = -1: use 0..1073741824"},
		{"retention negative", func(c *Config) { c.RetentionDays = -1 }, "retention_days (--retention-days, CITEBOT_RETENTION_DAYS) = -1: use 0..36500"},
		{"retention overflows a duration", func(c *Config) { c.RetentionDays = 1 << 20 }, "retention_days"},
		{"webhook secret", func(c *Config) { c.WebhookSecret = "has space" }, "webhook_secret (--webhook-secret, CITEBOT_WEBHOOK_SECRET): use 1-256"},
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

// TestOffSentinel checks that 0 and "" are accepted where they mean off.
func TestOffSentinel(t *testing.T) {
	c := Default()
	c.RatePerMinute, c.MemoryTurns, c.AdminAddr, c.WebhookURL, c.Model, c.KeywordPrefix = 0, 0, "", "", "", ""
	c.MaxPassagesPerDocument, c.MemoryBudgetMB = 0, 0
	c.ChatMaxDocuments, c.ChatMaxMB, c.ChatMaxPassages, c.UserUploadsPerDay, c.StoredMaxMB, c.RetentionDays = 0, 0, 0, 0, 0, 0
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
}

// TestValidateNamesSettingAsWritten checks that an error names the
// setting the way the user set it.
func TestValidateNamesSettingAsWritten(t *testing.T) {
	tests := []struct {
		name  string
		apply func(*Config) error
		want  string
	}{
		{"flag", func(c *Config) error { return flags(t, c, "ask", "--top-k", "0") }, "--top-k = 0: use 1..50"},
		{"env", func(c *Config) error { return c.ApplyEnv(env(map[string]string{"CITEBOT_TOP_K": "0"})) }, "CITEBOT_TOP_K = 0: use 1..50"},
		{"file", func(c *Config) error { return c.applyYAML([]byte("\ntop_k: 0\n"), "my.yaml") }, "top_k (my.yaml line 2) = 0: use 1..50"},
		{"default", func(c *Config) error { c.TopK = 0; return nil }, "top_k (--top-k, CITEBOT_TOP_K) = 0"},
		{"cross-setting", func(c *Config) error { return c.ApplyEnv(env(map[string]string{"CITEBOT_MODEL": "qwen"})) }, `CITEBOT_MODEL = "qwen" needs a model server`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			if err := tt.apply(&c); err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err == nil || err.Error() != tt.want && !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
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

func TestRegisterFlagsByCommand(t *testing.T) {
	tests := []struct {
		command   string
		has, lack []string
	}{
		{"ask", []string{"top-k", "doc", "model", "config", "log-level"}, []string{"workers", "telegram-token", "admin-addr", "chat-uploads", "fetch-timeout", "library-memory-mb", "retention-days"}},
		{"search", []string{"doc", "vector-weight"}, []string{"top-k", "model", "workers"}},
		{"index", []string{"doc", "data-dir", "embedder"}, []string{"top-k", "workers"}},
		{"healthcheck", []string{"admin-addr", "log-format", "config"}, []string{"doc", "top-k", "workers"}},
		{"serve", []string{"workers", "telegram-token", "admin-addr", "doc", "top-k", "chat-uploads", "fetch-timeout", "fetch-allow-private",
			"library-memory-mb", "chat-max-documents", "chat-max-mb", "chat-max-passages", "user-uploads-per-day", "stored-max-mb", "retention-days"}, nil},
		{"config", []string{"workers", "top-k", "doc", "admin-addr", "config", "chat-uploads", "library-memory-mb", "retention-days"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			c := Default()
			fs := flag.NewFlagSet(tt.command, flag.ContinueOnError)
			c.RegisterFlags(fs, tt.command)
			for _, name := range tt.has {
				if fs.Lookup(name) == nil {
					t.Errorf("no --%s", name)
				}
			}
			for _, name := range tt.lack {
				if fs.Lookup(name) != nil {
					t.Errorf("--%s is not a setting of %s", name, tt.command)
				}
			}
		})
	}
}

func TestFlagHelpShowsEffectiveDefaults(t *testing.T) {
	c := Default()
	c.TelegramToken = "123:SECRETSECRETSECRETSECRETSECRETSECRET"
	c.WebhookURL = "https://user:pw@bot.example.org/hook?token=abc"
	var out strings.Builder
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.RegisterFlags(fs, "serve")
	Command{Name: "serve"}.printHelp(&out, fs)
	help := out.String()
	for _, want := range []string{"-top-k n", "(default 8; env CITEBOT_TOP_K)", "(default 10m; env CITEBOT_MEMORY_TTL)",
		"(default all; env CITEBOT_ALLOWED_CHATS)", "-memory-ttl duration", "(default REDACTED; env TELEGRAM_BOT_TOKEN)", "(env CITEBOT_CONFIG)"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	for _, leak := range []string{"SECRETSECRET", "pw@", "token=abc"} {
		if strings.Contains(help, leak) {
			t.Errorf("help shows %q:\n%s", leak, help)
		}
	}
}

func TestListFlags(t *testing.T) {
	c := Default()
	c.AllowedChats = []int64{1}
	if err := flags(t, &c, "serve", "--allowed-chats", "5,6", "--allowed-chats", "-7"); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.AllowedChats) != "[5 6 -7]" {
		t.Fatalf("AllowedChats = %v, want the flags to replace then append", c.AllowedChats)
	}
	if err := flags(t, &c, "serve", "--admins", "x"); err == nil {
		t.Fatal("--admins x accepted")
	}
}

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		10 * time.Minute: "10m", 1500 * time.Millisecond: "1.5s", time.Hour: "1h",
		90 * time.Minute: "1h30m", 0: "0s", 61 * time.Second: "1m1s",
	}
	for d, want := range tests {
		t.Run(want, func(t *testing.T) {
			if got := formatDuration(d); got != want {
				t.Fatalf("formatDuration(%v) = %q", d, got)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	c := Default()
	c.TelegramToken = "123456:SECRET-TOKEN"
	c.OpenAIAPIKey = "sk-SECRET"
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("cfg", "token", c.TelegramToken, "cfg", c)
	fmt.Fprintf(&sb, "%v %+v %#v %s", c, c, c, c.OpenAIAPIKey)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	sb.Write(b)
	if s := sb.String(); strings.Contains(s, "SECRET") {
		t.Fatalf("secret leaked: %s", s)
	}
}
