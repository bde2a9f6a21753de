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
// effect; no other package substitutes a second default. The one default
// that depends on the subcommand, data_dir's, is set by [Load] (see
// [DefaultDataDir]).
//
// `citebot config` prints a Config as a YAML file that --config reads back
// to the same configuration ([Config.MarshalYAML]); config.example.yaml,
// generated from the table, lists every setting with its default.
//
// Only package config and package main read the environment; every other
// package receives plain values.
package config

import (
	"maps"
	"time"
)

// Telegram is the Telegram bot's settings, used as given by package bot:
// this package owns their defaults, and a zero number turns a feature off
// or makes it unlimited. Token and WebhookSecret print as REDACTED.
type Telegram struct {
	// TelegramToken is the bot token from @BotFather.
	TelegramToken Secret
	// TelegramAPI is the Bot API server, e.g. "https://api.telegram.org":
	// requests go to TelegramAPI + "/bot<token>/<method>".
	TelegramAPI string
	// WebhookURL, when set, makes the bot receive updates by webhook
	// instead of long polling: it registers this public URL with
	// setWebhook and serves WebhookListen itself. WebhookSecret is the
	// secret_token Telegram sends back in X-Telegram-Bot-Api-Secret-Token;
	// when empty a random one is generated.
	WebhookURL    string
	WebhookListen string
	WebhookSecret Secret
	// Workers bounds how many updates are handled at once; at least 1.
	Workers int
	// EditInterval is the minimum time between two edits of messages in
	// one chat while an answer streams; 0: no spacing.
	EditInterval time.Duration
	// RichMessages is "auto" to send answers in private chats as rich
	// messages (sendRichMessage, Bot API 10.1) with the quotes as
	// footnotes, falling back to HTML in a chat whose Telegram refuses
	// them; "off" (and "") sends HTML only.
	RichMessages string
	// MemoryTurns is how many earlier turns a follow-up carries (0: no
	// memory); MemoryTTL is how long a conversation is remembered after
	// its last turn.
	MemoryTurns int
	MemoryTTL   time.Duration
	// AllowedChats and AllowedUsers restrict who is answered. Both empty:
	// everyone. Otherwise a message is answered when its chat is in
	// AllowedChats or its sender is in AllowedUsers; others get one polite
	// refusal per chat, then silence.
	AllowedChats []int64
	AllowedUsers []int64
	// RatePerMinute is each user's refill rate of questions per minute;
	// 0: unlimited. RateBurst is the bucket size, at least 1 when limited.
	RatePerMinute float64
	RateBurst     int
	// MaxQuestionRunes is the longest question accepted; 0: unlimited.
	MaxQuestionRunes int
	// KeywordPrefix, when set, makes a group message that starts with it
	// (case-insensitively) a question, e.g. "?" or "citebot,".
	KeywordPrefix string
	// ShutdownTimeout is how long in-flight answers may finish after a
	// stop; 0: they are cancelled at once.
	ShutdownTimeout time.Duration
	// ReplayMaxAge is how old (since it was received) an update left
	// unfinished by an earlier run may be and still be answered when it is
	// replayed; an older one gets a short "please ask again". 0: no limit.
	ReplayMaxAge time.Duration
	// Admins are the user ids that manage documents: they add the shared
	// documents (by sending a file in a private chat with the bot) and
	// remove them (/remove NAME), and add and remove any chat's
	// documents. Everyone else adds documents to their own chat's library
	// when ChatUploads allows. Admins are answered whatever the
	// allowlists say.
	Admins []int64
	// MaxUploadBytes is the largest document accepted from chat.
	MaxUploadBytes int64
	// ChatUploads says which chats may add documents to their own
	// library: "off", "private" (private chats), "groups" (groups and
	// supergroups) or "all". See [Telegram.UploadsAllowed].
	ChatUploads string
	// FetchTimeout is the time limit of one /add URL: connecting, every
	// redirect and the whole download. Above zero, at most 10 minutes.
	FetchTimeout time.Duration
	// FetchAllowPrivate lets /add URL fetch loopback, link-local and
	// private network addresses. It is for tests and closed networks
	// only: on a server it lets any chat user reach services behind the
	// bot's firewall.
	FetchAllowPrivate bool
	// FetchAllowAddrs are ip:port addresses /add URL may fetch although
	// they are private: a test server's, one intranet host.
	FetchAllowAddrs []string
}

// Config is every setting of citebot. The zero value is not useful: start
// from [Default]. A Config is a plain value; it is not safe to modify one
// from several goroutines at once.
type Config struct {
	// Docs are the document paths; none: the bundled sample.
	Docs []string
	// DataDir is the folder of the index and of the bot's data; empty
	// means the subcommand's own, which [Load] sets.
	DataDir         string
	MaxPassageRunes int
	// MaxPassagesPerDocument and MemoryBudgetMB (in MiB) bound the
	// passages of one document and the estimated memory of building the
	// index of all of them (document.Limits); 0: no limit.
	MaxPassagesPerDocument int
	MemoryBudgetMB         int
	TopK                   int

	// OCRLanguages are the Tesseract languages OCR reads in, comma-separated
	// ("chi_sim,eng"); empty: chosen from the first page with text. See [Config.OCRLanguageList].
	OCRLanguages string

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
	// MaxCompletionTokens caps a model reply; ContextWindow is the chat
	// model's context in tokens, which bounds the answer prompt.
	MaxCompletionTokens int
	ContextWindow       int

	// Telegram holds the bot's settings; package bot takes them as they
	// are (bot.Config is this type).
	Telegram

	// Library holds the settings of the per-chat document libraries:
	// their quotas, retention and memory.
	Library

	// Operations.
	LogFormat string // "text" or "json"
	LogLevel  string // debug, info, warn, error
	// AdminAddr is the address of the admin HTTP server (/healthz, /readyz,
	// /metrics); empty: off.
	AdminAddr string

	// Document page (package bot/page): WebListen is the address its
	// server listens on ("": off); PublicURL is where users reach it (""
	// : citations carry no links); LinkTTL is how long a link is valid;
	// PageKey signs the links ("": a key generated in DataDir).
	WebListen string
	PublicURL string
	LinkTTL   time.Duration
	PageKey   Secret

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
