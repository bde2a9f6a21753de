// Package config holds citebot's one Config struct: defaults, an optional
// YAML file, environment variables, command-line flags, and Validate with
// errors that name the setting and the fix. Precedence is flags >
// environment > file > defaults.
//
// Only package config and package main read the environment; every other
// package receives plain values.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Secret is a string that never prints: fmt, slog and JSON show REDACTED.
type Secret string

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// GoString implements fmt.GoStringer so %#v redacts too.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts the secret in JSON and YAML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret value, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// Config is every setting of citebot. The zero value is not useful: start
// from [Default].
type Config struct {
	// Documents.
	Docs            []string `yaml:"docs"`
	DataDir         string   `yaml:"data_dir"`
	MaxPassageRunes int      `yaml:"max_passage_runes"`
	TopK            int      `yaml:"top_k"`

	// Embeddings.
	Embedder       string `yaml:"embedder"` // "local" or "openai"
	EmbedModel     string `yaml:"embed_model"`
	EmbedDim       int    `yaml:"embed_dim"`
	EmbedBatchSize int    `yaml:"embed_batch_size"`
	// VectorWeight is the weight of embedding similarity in the hybrid
	// ranking; 0: the default tuned for the local embedder.
	VectorWeight float64 `yaml:"vector_weight"`

	// OpenAI-compatible model server (shared by embeddings and chat).
	OpenAIBaseURL string `yaml:"openai_base_url"`
	OpenAIAPIKey  Secret `yaml:"openai_api_key"`
	// Model is the chat model; empty means extractive answers.
	Model        string        `yaml:"model"`
	ModelTimeout time.Duration `yaml:"model_timeout"`

	// Telegram.
	TelegramToken    Secret        `yaml:"telegram_token"`
	TelegramAPI      string        `yaml:"telegram_api"`
	WebhookURL       string        `yaml:"webhook_url"`
	WebhookListen    string        `yaml:"webhook_listen"`
	WebhookSecret    Secret        `yaml:"webhook_secret"`
	Workers          int           `yaml:"workers"`
	EditInterval     time.Duration `yaml:"edit_interval"`
	MemoryTurns      int           `yaml:"memory_turns"`
	MemoryTTL        time.Duration `yaml:"memory_ttl"`
	AllowedChats     []int64       `yaml:"allowed_chats"`
	AllowedUsers     []int64       `yaml:"allowed_users"`
	RatePerMinute    float64       `yaml:"rate_per_minute"`
	RateBurst        int           `yaml:"rate_burst"`
	MaxQuestionRunes int           `yaml:"max_question_runes"`
	KeywordPrefix    string        `yaml:"keyword_prefix"`
	ShutdownTimeout  time.Duration `yaml:"shutdown_timeout"`

	// Admins are user ids that may add and remove documents from chat.
	Admins []int64 `yaml:"admins"`
	// MaxUploadBytes bounds a document sent to the bot.
	MaxUploadBytes int64 `yaml:"max_upload_bytes"`

	// Operations.
	LogFormat string `yaml:"log_format"` // "text" or "json"
	LogLevel  string `yaml:"log_level"`  // debug, info, warn, error
	// AdminAddr is the address of the admin HTTP server (/healthz, /readyz,
	// /metrics); empty: off.
	AdminAddr string `yaml:"admin_addr"`
}

// DefaultTelegramAPI is the Bot API base URL used when none is configured.
const DefaultTelegramAPI = "https://api.telegram.org"

// Default returns the configuration citebot runs with when nothing is set.
func Default() Config {
	return Config{
		DataDir:          "citebot-data",
		MaxPassageRunes:  1000,
		TopK:             8,
		Embedder:         "local",
		EmbedDim:         0, // 0: the local embedder's default
		EmbedBatchSize:   64,
		ModelTimeout:     60 * time.Second,
		TelegramAPI:      DefaultTelegramAPI,
		WebhookListen:    ":8443",
		Workers:          8,
		EditInterval:     1500 * time.Millisecond,
		MemoryTurns:      4,
		MemoryTTL:        10 * time.Minute,
		RatePerMinute:    6,
		RateBurst:        3,
		MaxQuestionRunes: 1000,
		ShutdownTimeout:  20 * time.Second,
		MaxUploadBytes:   20 << 20,
		LogFormat:        "text",
		LogLevel:         "info",
	}
}

// envVar describes one environment variable and how it sets the Config.
type envVar struct {
	name string
	set  func(c *Config, v string) error
}

func envVars() []envVar {
	str := func(p func(*Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error { *p(c) = v; return nil }
	}
	sec := func(p func(*Config) *Secret) func(*Config, string) error {
		return func(c *Config, v string) error { *p(c) = Secret(v); return nil }
	}
	num := func(p func(*Config) *int) func(*Config, string) error {
		return func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("want an integer, got %q", v)
			}
			*p(c) = n
			return nil
		}
	}
	dur := func(p func(*Config) *time.Duration) func(*Config, string) error {
		return func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("want a duration such as 1.5s or 10m, got %q", v)
			}
			*p(c) = d
			return nil
		}
	}
	ids := func(p func(*Config) *[]int64) func(*Config, string) error {
		return func(c *Config, v string) error {
			l, err := ParseIDs(v)
			if err != nil {
				return err
			}
			*p(c) = l
			return nil
		}
	}
	return []envVar{
		{"CITEBOT_DOCS", func(c *Config, v string) error { c.Docs = splitList(v); return nil }},
		{"CITEBOT_DATA_DIR", str(func(c *Config) *string { return &c.DataDir })},
		{"CITEBOT_MAX_PASSAGE_RUNES", num(func(c *Config) *int { return &c.MaxPassageRunes })},
		{"CITEBOT_TOP_K", num(func(c *Config) *int { return &c.TopK })},
		{"CITEBOT_EMBEDDER", str(func(c *Config) *string { return &c.Embedder })},
		{"CITEBOT_EMBED_MODEL", str(func(c *Config) *string { return &c.EmbedModel })},
		{"CITEBOT_EMBED_DIM", num(func(c *Config) *int { return &c.EmbedDim })},
		{"CITEBOT_EMBED_BATCH_SIZE", num(func(c *Config) *int { return &c.EmbedBatchSize })},
		{"CITEBOT_VECTOR_WEIGHT", func(c *Config, v string) error {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return fmt.Errorf("want a number, got %q", v)
			}
			c.VectorWeight = f
			return nil
		}},
		{"OPENAI_BASE_URL", str(func(c *Config) *string { return &c.OpenAIBaseURL })},
		{"OPENAI_API_KEY", sec(func(c *Config) *Secret { return &c.OpenAIAPIKey })},
		{"CITEBOT_MODEL", str(func(c *Config) *string { return &c.Model })},
		{"CITEBOT_MODEL_TIMEOUT", dur(func(c *Config) *time.Duration { return &c.ModelTimeout })},
		{"TELEGRAM_BOT_TOKEN", sec(func(c *Config) *Secret { return &c.TelegramToken })},
		{"CITEBOT_TELEGRAM_API", str(func(c *Config) *string { return &c.TelegramAPI })},
		{"CITEBOT_WEBHOOK_URL", str(func(c *Config) *string { return &c.WebhookURL })},
		{"CITEBOT_WEBHOOK_LISTEN", str(func(c *Config) *string { return &c.WebhookListen })},
		{"CITEBOT_WEBHOOK_SECRET", sec(func(c *Config) *Secret { return &c.WebhookSecret })},
		{"CITEBOT_WORKERS", num(func(c *Config) *int { return &c.Workers })},
		{"CITEBOT_EDIT_INTERVAL", dur(func(c *Config) *time.Duration { return &c.EditInterval })},
		{"CITEBOT_MEMORY_TURNS", num(func(c *Config) *int { return &c.MemoryTurns })},
		{"CITEBOT_MEMORY_TTL", dur(func(c *Config) *time.Duration { return &c.MemoryTTL })},
		{"CITEBOT_ALLOWED_CHATS", ids(func(c *Config) *[]int64 { return &c.AllowedChats })},
		{"CITEBOT_ALLOWED_USERS", ids(func(c *Config) *[]int64 { return &c.AllowedUsers })},
		{"CITEBOT_RATE_PER_MINUTE", func(c *Config, v string) error {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return fmt.Errorf("want a number, got %q", v)
			}
			c.RatePerMinute = f
			return nil
		}},
		{"CITEBOT_RATE_BURST", num(func(c *Config) *int { return &c.RateBurst })},
		{"CITEBOT_MAX_QUESTION_RUNES", num(func(c *Config) *int { return &c.MaxQuestionRunes })},
		{"CITEBOT_KEYWORD_PREFIX", str(func(c *Config) *string { return &c.KeywordPrefix })},
		{"CITEBOT_SHUTDOWN_TIMEOUT", dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{"CITEBOT_ADMINS", ids(func(c *Config) *[]int64 { return &c.Admins })},
		{"CITEBOT_MAX_UPLOAD_BYTES", func(c *Config, v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return fmt.Errorf("want a number of bytes, got %q", v)
			}
			c.MaxUploadBytes = n
			return nil
		}},
		{"CITEBOT_ADMIN_ADDR", str(func(c *Config) *string { return &c.AdminAddr })},
		{"CITEBOT_LOG_FORMAT", str(func(c *Config) *string { return &c.LogFormat })},
		{"CITEBOT_LOG_LEVEL", str(func(c *Config) *string { return &c.LogLevel })},
	}
}

// EnvNames lists every environment variable citebot reads.
func EnvNames() []string {
	var names []string
	for _, e := range envVars() {
		names = append(names, e.name)
	}
	return names
}

// ApplyEnv sets c from the environment read through getenv. Unset or empty
// variables leave c unchanged.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	for _, e := range envVars() {
		v := getenv(e.name)
		if v == "" {
			continue
		}
		if err := e.set(c, v); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	return nil
}

// RegisterFlags defines flags on fs whose defaults are c's current values, so
// parsing fs after [Config.ApplyEnv] gives flags > environment > defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.String("config", "", "YAML configuration `file` (also CITEBOT_CONFIG); flags and environment override it")
	fs.Var(&listFlag{list: &c.Docs}, "doc", "document `path` (.txt/.md/.pdf file or a directory); repeatable; default: the bundled sample")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "`dir`ectory for the persistent index")
	fs.IntVar(&c.MaxPassageRunes, "max-passage-runes", c.MaxPassageRunes, "split paragraphs longer than `n` characters into sentence windows")
	fs.IntVar(&c.TopK, "top-k", c.TopK, "passages given to the answer engine")
	fs.StringVar(&c.Embedder, "embedder", c.Embedder, "embedder: local or openai")
	fs.StringVar(&c.EmbedModel, "embed-model", c.EmbedModel, "embedding `model` for the openai embedder")
	fs.IntVar(&c.EmbedDim, "embed-dim", c.EmbedDim, "local embedder dimensions (0: default)")
	fs.IntVar(&c.EmbedBatchSize, "embed-batch-size", c.EmbedBatchSize, "texts per embeddings request")
	fs.Float64Var(&c.VectorWeight, "vector-weight", c.VectorWeight, "weight of embedding similarity in the hybrid ranking (0: default 0.1, tuned for the local embedder)")
	fs.StringVar(&c.OpenAIBaseURL, "openai-base-url", c.OpenAIBaseURL, "OpenAI-compatible API base `url`, e.g. http://localhost:11434/v1")
	fs.Func("openai-api-key", "API key for the model server (prefer OPENAI_API_KEY)", func(v string) error { c.OpenAIAPIKey = Secret(v); return nil })
	fs.StringVar(&c.Model, "model", c.Model, "chat `model` for LLM answers; empty: extractive answers")
	fs.DurationVar(&c.ModelTimeout, "model-timeout", c.ModelTimeout, "timeout of one model request")
	fs.Func("telegram-token", "Telegram bot token (prefer TELEGRAM_BOT_TOKEN)", func(v string) error { c.TelegramToken = Secret(v); return nil })
	fs.StringVar(&c.TelegramAPI, "telegram-api", c.TelegramAPI, "Bot API base `url`")
	fs.StringVar(&c.WebhookURL, "webhook-url", c.WebhookURL, "public HTTPS `url` for webhook mode; empty: long polling")
	fs.StringVar(&c.WebhookListen, "webhook-listen", c.WebhookListen, "`addr`ess the webhook server listens on")
	fs.Func("webhook-secret", "webhook secret_token (prefer CITEBOT_WEBHOOK_SECRET; default: random)", func(v string) error { c.WebhookSecret = Secret(v); return nil })
	fs.IntVar(&c.Workers, "workers", c.Workers, "updates processed concurrently")
	fs.DurationVar(&c.EditInterval, "edit-interval", c.EditInterval, "minimum time between streaming edits in one chat")
	fs.IntVar(&c.MemoryTurns, "memory-turns", c.MemoryTurns, "conversation turns remembered per chat, topic and user")
	fs.DurationVar(&c.MemoryTTL, "memory-ttl", c.MemoryTTL, "how long a conversation is remembered")
	fs.Func("allowed-chats", "comma-separated chat ids allowed to use the bot (default: all)", func(v string) error {
		l, err := ParseIDs(v)
		c.AllowedChats = l
		return err
	})
	fs.Func("allowed-users", "comma-separated user ids allowed to use the bot (default: all)", func(v string) error {
		l, err := ParseIDs(v)
		c.AllowedUsers = l
		return err
	})
	fs.Float64Var(&c.RatePerMinute, "rate-per-minute", c.RatePerMinute, "questions per user per minute (0: unlimited)")
	fs.IntVar(&c.RateBurst, "rate-burst", c.RateBurst, "questions a user may ask in a burst")
	fs.IntVar(&c.MaxQuestionRunes, "max-question-runes", c.MaxQuestionRunes, "longest question accepted, in characters")
	fs.StringVar(&c.KeywordPrefix, "keyword-prefix", c.KeywordPrefix, "in groups, also answer messages starting with this `word`")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "time in-flight answers get to finish on SIGTERM")
	fs.Func("admins", "comma-separated user ids that may add documents from chat", func(v string) error {
		l, err := ParseIDs(v)
		c.Admins = l
		return err
	})
	fs.Int64Var(&c.MaxUploadBytes, "max-upload-bytes", c.MaxUploadBytes, "largest document accepted from chat")
	fs.StringVar(&c.AdminAddr, "admin-addr", c.AdminAddr, "`addr`ess of the admin HTTP server (/healthz, /readyz, /metrics); empty: off")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error")
}

// Validate checks the settings and returns every problem found, each naming
// the setting and the fix.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	switch c.Embedder {
	case "local":
		if c.EmbedDim < 0 || c.EmbedDim > 8192 {
			bad("embed-dim (CITEBOT_EMBED_DIM) = %d: use 0 for the default or a value in 16..8192", c.EmbedDim)
		} else if c.EmbedDim != 0 && c.EmbedDim < 16 {
			bad("embed-dim (CITEBOT_EMBED_DIM) = %d: use 0 for the default or a value in 16..8192", c.EmbedDim)
		}
	case "openai":
		if c.EmbedModel == "" {
			bad("embedder=openai needs embed-model (CITEBOT_EMBED_MODEL), e.g. text-embedding-3-small or nomic-embed-text")
		}
		if c.OpenAIBaseURL == "" && c.OpenAIAPIKey == "" {
			bad("embedder=openai needs openai-base-url (OPENAI_BASE_URL) for a local server, or OPENAI_API_KEY for OpenAI")
		}
	default:
		bad("embedder (CITEBOT_EMBEDDER) = %q: use local or openai", c.Embedder)
	}
	if c.VectorWeight < 0 || c.VectorWeight > 10 {
		bad("vector-weight (CITEBOT_VECTOR_WEIGHT) = %g: use 0 (default) to 10", c.VectorWeight)
	}
	if c.OpenAIBaseURL != "" {
		if err := checkURL(c.OpenAIBaseURL); err != nil {
			bad("openai-base-url (OPENAI_BASE_URL): %v; use e.g. http://localhost:11434/v1", err)
		}
	}
	if c.Model != "" && c.OpenAIBaseURL == "" && c.OpenAIAPIKey == "" {
		bad("model (CITEBOT_MODEL) = %q needs openai-base-url (OPENAI_BASE_URL) for a local server, or OPENAI_API_KEY for OpenAI", c.Model)
	}
	if c.DataDir == "" {
		bad("data-dir (CITEBOT_DATA_DIR) is empty: set a writable directory")
	}
	if c.MaxPassageRunes < 50 {
		bad("max-passage-runes (CITEBOT_MAX_PASSAGE_RUNES) = %d: use at least 50", c.MaxPassageRunes)
	}
	if c.TopK < 1 || c.TopK > 50 {
		bad("top-k (CITEBOT_TOP_K) = %d: use 1..50", c.TopK)
	}
	if c.EmbedBatchSize < 1 {
		bad("embed-batch-size (CITEBOT_EMBED_BATCH_SIZE) = %d: use at least 1", c.EmbedBatchSize)
	}
	if c.ModelTimeout <= 0 {
		bad("model-timeout (CITEBOT_MODEL_TIMEOUT) = %s: use a positive duration such as 60s", c.ModelTimeout)
	}
	if err := checkURL(c.TelegramAPI); err != nil {
		bad("telegram-api (CITEBOT_TELEGRAM_API): %v; use e.g. %s", err, DefaultTelegramAPI)
	}
	if c.WebhookURL != "" {
		if err := checkURL(c.WebhookURL); err != nil {
			bad("webhook-url (CITEBOT_WEBHOOK_URL): %v; use the public https URL Telegram should post to", err)
		}
	}
	if c.Workers < 1 {
		bad("workers (CITEBOT_WORKERS) = %d: use at least 1", c.Workers)
	}
	if c.EditInterval <= 0 {
		bad("edit-interval (CITEBOT_EDIT_INTERVAL) = %s: use a positive duration such as 1.5s", c.EditInterval)
	}
	if c.MemoryTurns < 0 {
		bad("memory-turns (CITEBOT_MEMORY_TURNS) = %d: use 0 (no memory) or more", c.MemoryTurns)
	}
	if c.RatePerMinute < 0 {
		bad("rate-per-minute (CITEBOT_RATE_PER_MINUTE) = %g: use 0 (unlimited) or more", c.RatePerMinute)
	}
	if c.RatePerMinute > 0 && c.RateBurst < 1 {
		bad("rate-burst (CITEBOT_RATE_BURST) = %d: use at least 1", c.RateBurst)
	}
	if c.MaxQuestionRunes < 1 {
		bad("max-question-runes (CITEBOT_MAX_QUESTION_RUNES) = %d: use at least 1", c.MaxQuestionRunes)
	}
	if c.MaxUploadBytes < 1 {
		bad("max-upload-bytes (CITEBOT_MAX_UPLOAD_BYTES) = %d: use a positive size such as 20971520", c.MaxUploadBytes)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("log-format (CITEBOT_LOG_FORMAT) = %q: use text or json", c.LogFormat)
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		bad("log-level (CITEBOT_LOG_LEVEL) = %q: use debug, info, warn or error", c.LogLevel)
	}
	return errors.Join(errs...)
}

// ValidateServe checks the settings `citebot serve` needs on top of
// [Config.Validate].
func (c Config) ValidateServe() error {
	if c.TelegramToken == "" {
		return errors.New("no Telegram bot token: set TELEGRAM_BOT_TOKEN (from @BotFather) or pass --telegram-token")
	}
	return nil
}

// ParseLevel parses a log level name.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

// ParseIDs parses a comma- or space-separated list of Telegram ids.
func ParseIDs(v string) ([]int64, error) {
	var out []int64
	for _, f := range splitList(v) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want comma-separated integer ids, got %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func splitList(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		out = append(out, f)
	}
	return out
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// listFlag is a repeatable string flag. The first use on the command line
// replaces the value from the environment; later uses append.
type listFlag struct {
	list *[]string
	set  bool
}

func (l *listFlag) String() string {
	if l == nil || l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l *listFlag) Set(v string) error {
	if !l.set {
		*l.list = nil
		l.set = true
	}
	*l.list = append(*l.list, v)
	return nil
}
