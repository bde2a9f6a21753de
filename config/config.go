// Package config holds citebot's one Config struct and the one table of
// settings that drives everything about it: defaults, an optional YAML
// file, environment variables, command-line flags, the subcommands that use
// each setting, help text and Validate with errors that name the setting
// the way the user wrote it. Precedence is flags > environment > file >
// defaults.
//
// There is one "off" sentinel: a zero number (0) or an empty string turns
// a feature off or makes it unlimited (rate_per_minute 0: no rate limit,
// memory_turns 0: no memory, admin_addr "": no admin server, model "":
// extractive answers). Settings for which 0 would mean nothing sensible
// (timeouts, intervals, sizes) reject it. [Default] holds the values in
// effect; no other package substitutes a second default.
//
// Only package config and package main read the environment; every other
// package receives plain values.
package config

import (
	"maps"
	"time"
)

// Config is every setting of citebot. The zero value is not useful: start
// from [Default]. A Config is a plain value; it is not safe to modify one
// from several goroutines at once.
type Config struct {
	// Documents.
	Docs            []string
	DataDir         string
	MaxPassageRunes int
	TopK            int

	// Embeddings.
	Embedder       string // "local" or "openai"
	EmbedModel     string
	EmbedDim       int
	EmbedBatchSize int
	// VectorWeight is the weight of embedding similarity in the hybrid
	// ranking.
	VectorWeight float64

	// OpenAI-compatible model server (shared by embeddings and chat).
	OpenAIBaseURL string
	OpenAIAPIKey  Secret
	// Model is the chat model; empty means extractive answers.
	Model        string
	ModelTimeout time.Duration

	// Telegram.
	TelegramToken    Secret
	TelegramAPI      string
	WebhookURL       string
	WebhookListen    string
	WebhookSecret    Secret
	Workers          int
	EditInterval     time.Duration
	MemoryTurns      int // 0: no memory
	MemoryTTL        time.Duration
	AllowedChats     []int64 // empty: all
	AllowedUsers     []int64 // empty: all
	RatePerMinute    float64 // 0: unlimited
	RateBurst        int
	MaxQuestionRunes int
	KeywordPrefix    string
	ShutdownTimeout  time.Duration

	// Admins are user ids that may add and remove documents from chat.
	Admins []int64
	// MaxUploadBytes bounds a document sent to the bot.
	MaxUploadBytes int64

	// Operations.
	LogFormat string // "text" or "json"
	LogLevel  string // debug, info, warn, error
	// AdminAddr is the address of the admin HTTP server (/healthz, /readyz,
	// /metrics); empty: off.
	AdminAddr string

	// origin maps a setting's file key to the name the user set it under
	// ("--top-k", "CITEBOT_TOP_K", "top_k (citebot.yaml line 3)"), so
	// errors name it that way. It is copied on write: copies of a Config
	// never share changes.
	origin map[string]string
}

// DefaultTelegramAPI is the Bot API base URL used when none is configured.
const DefaultTelegramAPI = "https://api.telegram.org"

// Default returns the configuration citebot runs with when nothing is set:
// the defaults of the settings table, the same values `citebot config`
// prints.
func Default() Config {
	var c Config
	for i := range settings {
		s := &settings[i]
		if s.field == nil || s.def == "" {
			continue
		}
		if err := parseText(s.field(&c), s.def); err != nil {
			panic("config: bad default of " + s.key + ": " + err.Error()) // a bug in the table, caught by the tests
		}
	}
	return c
}

// setOrigin records that the setting key was set under name.
func (c *Config) setOrigin(key, name string) {
	m := maps.Clone(c.origin)
	if m == nil {
		m = map[string]string{}
	}
	m[key] = name
	c.origin = m
}

// nameOf is how errors name s: as the user set it, or by all its spellings
// when it still holds its default.
func (c *Config) nameOf(s *setting) string {
	if n := c.origin[s.key]; n != "" {
		return n
	}
	return s.spellings()
}
