package config

import (
	"strings"
	"time"
)

// setting is one row of the settings table: everything citebot knows about
// one setting, in one place.
type setting struct {
	key  string // YAML file key; also the name in `citebot config`
	env  string // environment variable
	flag string // command-line flag, without dashes
	// def is the default in the text form of the environment and flags
	// ("8", "1.5s"); [Default] parses it. "" is the zero value.
	def string
	// path marks a setting of file system paths: in a configuration file
	// a relative one is relative to the file's folder.
	path bool
	// unset says what the zero value means ("off", "all"), for help and
	// docs/configuration.md; only for settings whose default is the zero value.
	unset string
	help  string // flag help; a `word` in backquotes names the argument
	scope scope  // the subcommands that use the setting
	// field returns a pointer to the setting's Config field: *string, *int,
	// *int64, *float64, *bool, *time.Duration, *[]string, *[]int64 or
	// *Secret. nil only for --config, which is read before the others.
	field func(*Config) any
	// check returns what is wrong with the field's value and how to fix
	// it ("use 1..50"), or "". Cross-setting rules live in Validate.
	check check
}

//go:generate go test -run ^TestExampleFile$ -update .

// The settings table. Its order is the order of `citebot config`, of
// config.example.yaml and of the table in docs/configuration.md (tests
// keep both files in step); -h lists flags by name.
var settings = []setting{
	{key: "", env: "CITEBOT_CONFIG", flag: "config", scope: forAll,
		help: "YAML configuration `file`; flags and environment override it"},
	{key: "docs", env: "CITEBOT_DOCS", flag: "doc", unset: "bundled sample", scope: forIndexing, path: true,
		help:  "document `path`: a file (.txt, .md, .pdf, .docx, .odt, .epub, .html, .png, .jpg) or a directory; repeatable (environment: comma-separated)",
		field: func(c *Config) any { return &c.Docs }},
	{key: "data_dir", env: "CITEBOT_DATA_DIR", flag: "data-dir", unset: unsetDataDir, scope: forIndexing | forFeedback, path: true,
		help:  "`dir`ectory of the persistent index and of documents added from chat",
		field: func(c *Config) any { return &c.DataDir }},
	{key: "max_passage_runes", env: "CITEBOT_MAX_PASSAGE_RUNES", flag: "max-passage-runes", def: "1000", scope: forIndexing,
		help:  "split paragraphs longer than `n` characters into sentence windows",
		field: func(c *Config) any { return &c.MaxPassageRunes }, check: between(50, 100_000)},
	{key: "max_passages_per_document", env: "CITEBOT_MAX_PASSAGES_PER_DOCUMENT", flag: "max-passages-per-document", def: "20000", scope: forIndexing,
		help:  "refuse a document of more than `n` passages (paragraphs and windows of long ones); 0: no limit",
		field: func(c *Config) any { return &c.MaxPassagesPerDocument }, check: between(0, 100_000_000)},
	{key: "memory_budget_mb", env: "CITEBOT_MEMORY_BUDGET_MB", flag: "memory-budget-mb", def: "256", scope: forIndexing,
		help:  "refuse documents whose index would need more than `MiB` of memory to build, estimated before embedding (256 fits a 512 MB container); 0: no limit",
		field: func(c *Config) any { return &c.MemoryBudgetMB }, check: between(0, 1<<30)},
	{key: "ocr_languages", env: "CITEBOT_OCR_LANGUAGES", flag: "ocr-languages", unset: "chosen from the first page with text", scope: forIndexing,
		help:  "Tesseract `languages` that scanned PDFs and images are read in, comma-separated, e.g. chi_sim,eng",
		field: func(c *Config) any { return &c.OCRLanguages }, check: ocrLanguages},
	{key: "top_k", env: "CITEBOT_TOP_K", flag: "top-k", def: "8", scope: forAnswers,
		help:  "give the answer engine the best `n` passages per question",
		field: func(c *Config) any { return &c.TopK }, check: between(1, 50)},
	{key: "embedder", env: "CITEBOT_EMBEDDER", flag: "embedder", def: "local", scope: forIndexing,
		help:  "`embedder`: local (no network) or openai (any OpenAI-compatible /v1/embeddings)",
		field: func(c *Config) any { return &c.Embedder }, check: oneOf("local", "openai")},
	{key: "embed_model", env: "CITEBOT_EMBED_MODEL", flag: "embed-model", scope: forIndexing,
		help:  "embedding `model` of the openai embedder",
		field: func(c *Config) any { return &c.EmbedModel }},
	{key: "embed_dim", env: "CITEBOT_EMBED_DIM", flag: "embed-dim", def: "384", scope: forIndexing,
		help:  "`dimensions` of the local embedder's vectors (16..8192)",
		field: func(c *Config) any { return &c.EmbedDim }, check: between(16, 8192)},
	{key: "embed_batch_size", env: "CITEBOT_EMBED_BATCH_SIZE", flag: "embed-batch-size", def: "64", scope: forIndexing,
		help:  "`n` texts per embeddings request",
		field: func(c *Config) any { return &c.EmbedBatchSize }, check: between(1, 2048)},
	{key: "vector_weight", env: "CITEBOT_VECTOR_WEIGHT", flag: "vector-weight", def: "0.1", scope: forIndexing,
		help:  "`weight` of embedding similarity in the hybrid ranking, above 0 and at most 10; raise it for a semantic embedder, measured with citebot eval",
		field: func(c *Config) any { return &c.VectorWeight }, check: weight},
	{key: "openai_base_url", env: "OPENAI_BASE_URL", flag: "openai-base-url", unset: "OpenAI's API", scope: forIndexing,
		help:  "OpenAI-compatible API base `url`, e.g. http://localhost:11434/v1",
		field: func(c *Config) any { return &c.OpenAIBaseURL }, check: optional(httpURL)},
	{key: "openai_api_key", env: "OPENAI_API_KEY", flag: "openai-api-key", scope: forIndexing,
		help:  "API `key` of the model server (optional for local servers; prefer the environment)",
		field: func(c *Config) any { return &c.OpenAIAPIKey }},
	{key: "model", env: "CITEBOT_MODEL", flag: "model", unset: "off: extractive answers", scope: forAnswers,
		help:  "chat `model`; set it to switch from extractive to LLM answers",
		field: func(c *Config) any { return &c.Model }},
	{key: "model_timeout", env: "CITEBOT_MODEL_TIMEOUT", flag: "model-timeout", def: "60s", scope: forIndexing,
		help:  "`timeout` of one chat or embeddings request",
		field: func(c *Config) any { return &c.ModelTimeout }, check: positive},
	{key: "max_completion_tokens", env: "CITEBOT_MAX_COMPLETION_TOKENS", flag: "max-completion-tokens", def: "1024", scope: forAnswers,
		help:  "longest model answer in `tokens`, sent as max_completion_tokens; the engine also stops reading a longer reply",
		field: func(c *Config) any { return &c.MaxCompletionTokens }, check: between(16, 100_000)},
	{key: "context_window", env: "CITEBOT_CONTEXT_WINDOW", flag: "context-window", def: "8192", scope: forAnswers,
		help:  "the chat model's context in `tokens` (Ollama: OLLAMA_CONTEXT_LENGTH); prompts keep max_completion_tokens of it free and leave out the lowest-ranked passages that do not fit",
		field: func(c *Config) any { return &c.ContextWindow }, check: between(1024, 10_000_000)},
	{key: "telegram_token", env: "TELEGRAM_BOT_TOKEN", flag: "telegram-token", scope: forServe,
		help:  "bot `token` from @BotFather (prefer the environment)",
		field: func(c *Config) any { return &c.TelegramToken }},
	{key: "telegram_api", env: "CITEBOT_TELEGRAM_API", flag: "telegram-api", def: DefaultTelegramAPI, scope: forServe,
		help:  "Bot API base `url` (a local Bot API server, or a test emulator)",
		field: func(c *Config) any { return &c.TelegramAPI }, check: httpURL},
	{key: "webhook_url", env: "CITEBOT_WEBHOOK_URL", flag: "webhook-url", unset: "off: long polling", scope: forServe,
		help:  "public HTTPS `url` Telegram posts updates to: webhook mode instead of long polling",
		field: func(c *Config) any { return &c.WebhookURL }, check: optional(httpURL)},
	{key: "webhook_listen", env: "CITEBOT_WEBHOOK_LISTEN", flag: "webhook-listen", def: ":8443", scope: forServe,
		help:  "`address` the webhook server listens on",
		field: func(c *Config) any { return &c.WebhookListen }, check: hostPort},
	{key: "webhook_secret", env: "CITEBOT_WEBHOOK_SECRET", flag: "webhook-secret", unset: "random", scope: forServe,
		help:  "`secret_token` checked on every webhook request: 1-256 of A-Z a-z 0-9 _ - (prefer the environment)",
		field: func(c *Config) any { return &c.WebhookSecret }, check: webhookSecret},
	{key: "workers", env: "CITEBOT_WORKERS", flag: "workers", def: "8", scope: forServe,
		help:  "`n` updates handled at once (in order within a chat)",
		field: func(c *Config) any { return &c.Workers }, check: between(1, 1024)},
	{key: "edit_interval", env: "CITEBOT_EDIT_INTERVAL", flag: "edit-interval", def: "1.5s", scope: forServe,
		help:  "minimum `time` between streaming edits in one chat",
		field: func(c *Config) any { return &c.EditInterval }, check: positive},
	{key: "rich_messages", env: "CITEBOT_RICH_MESSAGES", flag: "rich-messages", def: "auto", scope: forServe,
		help:  "`mode` of answers: auto (rich messages with the quotes as footnotes, HTML where Telegram refuses them) or off (HTML)",
		field: func(c *Config) any { return &c.RichMessages }, check: oneOf("auto", "off")},
	{key: "memory_turns", env: "CITEBOT_MEMORY_TURNS", flag: "memory-turns", def: "4", scope: forServe,
		help:  "`n` earlier turns a follow-up question carries; 0: off",
		field: func(c *Config) any { return &c.MemoryTurns }, check: between(0, 100)},
	{key: "memory_ttl", env: "CITEBOT_MEMORY_TTL", flag: "memory-ttl", def: "10m", scope: forServe,
		help:  "how long (`duration`) a conversation is remembered",
		field: func(c *Config) any { return &c.MemoryTTL }, check: positive},
	{key: "allowed_chats", env: "CITEBOT_ALLOWED_CHATS", flag: "allowed-chats", unset: "all", scope: forServe,
		help:  "chat `ids` allowed to use the bot, comma-separated",
		field: func(c *Config) any { return &c.AllowedChats }},
	{key: "allowed_users", env: "CITEBOT_ALLOWED_USERS", flag: "allowed-users", unset: "all", scope: forServe,
		help:  "user `ids` allowed to use the bot, comma-separated",
		field: func(c *Config) any { return &c.AllowedUsers }},
	{key: "rate_per_minute", env: "CITEBOT_RATE_PER_MINUTE", flag: "rate-per-minute", def: "6", scope: forServe,
		help:  "questions per user per minute (`rate`); 0: unlimited",
		field: func(c *Config) any { return &c.RatePerMinute }, check: rate},
	{key: "rate_burst", env: "CITEBOT_RATE_BURST", flag: "rate-burst", def: "3", scope: forServe,
		help:  "`n` questions a user may ask in a burst",
		field: func(c *Config) any { return &c.RateBurst }, check: between(1, 1000)},
	{key: "max_question_runes", env: "CITEBOT_MAX_QUESTION_RUNES", flag: "max-question-runes", def: "1000", scope: forServe,
		help:  "longest question accepted, in `n` characters",
		field: func(c *Config) any { return &c.MaxQuestionRunes }, check: between(1, 100_000)},
	{key: "keyword_prefix", env: "CITEBOT_KEYWORD_PREFIX", flag: "keyword-prefix", unset: "off", scope: forServe,
		help:  "in groups, also answer messages starting with this `word`",
		field: func(c *Config) any { return &c.KeywordPrefix }},
	{key: "shutdown_timeout", env: "CITEBOT_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", def: "20s", scope: forServe,
		help:  "`time` in-flight answers get to finish on SIGTERM",
		field: func(c *Config) any { return &c.ShutdownTimeout }, check: positive},
	{key: "replay_max_age", env: "CITEBOT_REPLAY_MAX_AGE", flag: "replay-max-age", def: "1h", scope: forServe,
		help:  "after a restart, answer questions received at most this long (`duration`) ago; older ones get \"please ask again\"",
		field: func(c *Config) any { return &c.ReplayMaxAge }, check: positive},
	{key: "admins", env: "CITEBOT_ADMINS", flag: "admins", unset: "none", scope: forServe,
		help:  "user `ids` that manage documents, comma-separated: they add and remove the shared documents (by sending a file in a private chat) and any chat's documents; everyone else adds documents to their own chat's library when chat_uploads allows",
		field: func(c *Config) any { return &c.Admins }},
	{key: "max_upload_bytes", env: "CITEBOT_MAX_UPLOAD_BYTES", flag: "max-upload-bytes", def: "20971520", scope: forServe,
		help:  "largest document accepted from chat, in `bytes` (20971520 is 20 MiB)",
		field: func(c *Config) any { return &c.MaxUploadBytes }, check: between[int64](1, 1<<30)},
	{key: "chat_uploads", env: "CITEBOT_CHAT_UPLOADS", flag: "chat-uploads", def: "all", scope: forServe,
		help:  "which `chats` may add documents to their own library: off, private (private chats), groups or all",
		field: func(c *Config) any { return &c.ChatUploads }, check: oneOf("off", "private", "groups", "all")},
	{key: "fetch_timeout", env: "CITEBOT_FETCH_TIMEOUT", flag: "fetch-timeout", def: "30s", scope: forServe,
		help:  "time limit (`duration`) of one /add URL, from connecting to the end of the download; at most 10m",
		field: func(c *Config) any { return &c.FetchTimeout }, check: positiveUpTo(10 * time.Minute)},
	{key: "fetch_allow_private", env: "CITEBOT_FETCH_ALLOW_PRIVATE", flag: "fetch-allow-private", def: "false", scope: forServe,
		help:  "let /add URL fetch loopback and private network addresses. For tests and closed networks only: on a server it lets any chat user reach services behind your firewall",
		field: func(c *Config) any { return &c.FetchAllowPrivate }},
	{key: "fetch_allow_addrs", env: "CITEBOT_FETCH_ALLOW_ADDRS", flag: "fetch-allow-addrs", unset: "none", scope: forServe,
		help:  "`ip:port` addresses, comma-separated, that /add URL may fetch although they are private or loopback: a test server's, or one intranet host; every other private address stays refused",
		field: func(c *Config) any { return &c.FetchAllowAddrs }, check: addrPorts},
	{key: "library_memory_mb", env: "CITEBOT_LIBRARY_MEMORY_MB", flag: "library-memory-mb", def: "256", scope: forServe,
		help:  "memory budget in `MiB` of the chat libraries' loaded indexes; the least recently used are evicted to stay under it",
		field: func(c *Config) any { return &c.LibraryMemoryMB }, check: between(1, 1<<30)},
	{key: "chat_max_documents", env: "CITEBOT_CHAT_MAX_DOCUMENTS", flag: "chat-max-documents", def: "10", scope: forServe,
		help:  "`n` documents one chat's library may hold; 0: no limit",
		field: func(c *Config) any { return &c.ChatMaxDocuments }, check: between(0, 1<<20)},
	{key: "chat_max_mb", env: "CITEBOT_CHAT_MAX_MB", flag: "chat-max-mb", def: "50", scope: forServe,
		help:  "total size in `MiB` of one chat's files; 0: no limit",
		field: func(c *Config) any { return &c.ChatMaxMB }, check: between(0, 1<<20)},
	{key: "chat_max_passages", env: "CITEBOT_CHAT_MAX_PASSAGES", flag: "chat-max-passages", def: "20000", scope: forServe,
		help:  "`n` passages one chat's library may hold, all its documents together; 0: no limit",
		field: func(c *Config) any { return &c.ChatMaxPassages }, check: between(0, 100_000_000)},
	{key: "user_uploads_per_day", env: "CITEBOT_USER_UPLOADS_PER_DAY", flag: "user-uploads-per-day", def: "20", scope: forServe,
		help:  "`n` documents one user may add per day, files and /add URL alike; 0: no limit",
		field: func(c *Config) any { return &c.UserUploadsPerDay }, check: between(0, 1<<20)},
	{key: "stored_max_mb", env: "CITEBOT_STORED_MAX_MB", flag: "stored-max-mb", def: "2048", scope: forServe,
		help:  "total size in `MiB` of every chat's files together; 0: no limit",
		field: func(c *Config) any { return &c.StoredMaxMB }, check: between(0, 1<<30)},
	{key: "retention_days", env: "CITEBOT_RETENTION_DAYS", flag: "retention-days", def: "90", scope: forServe,
		help:  "delete a chat's documents when nobody has asked in it for `days`; 0: keep them forever",
		field: func(c *Config) any { return &c.RetentionDays }, check: between(0, maxRetentionDays)},
	{key: "web_listen", env: "CITEBOT_WEB_LISTEN", flag: "web-listen", unset: "off", scope: forServe,
		help:  "`address` the document page server listens on (behind the TLS proxy that serves public_url)",
		field: func(c *Config) any { return &c.WebListen }, check: optional(hostPort)},
	{key: "public_url", env: "CITEBOT_PUBLIC_URL", flag: "public-url", unset: "off: no page links", scope: forServe | forAsk,
		help:  "public HTTPS `url` of the document page; every citation then links to its page",
		field: func(c *Config) any { return &c.PublicURL }, check: optional(httpURL)},
	{key: "link_ttl", env: "CITEBOT_LINK_TTL", flag: "link-ttl", def: "720h", scope: forServe | forAsk,
		help:  "how long (`duration`) a citation's page link stays valid (720h: 30 days)",
		field: func(c *Config) any { return &c.LinkTTL }, check: positive},
	{key: "page_key", env: "CITEBOT_PAGE_KEY", flag: "page-key", unset: "generated in data_dir", scope: forServe | forAsk,
		help:  "`key` that signs page links, 16 characters or more (prefer the environment); changing it revokes every link",
		field: func(c *Config) any { return &c.PageKey }, check: func(p any) string {
			if k := *p.(*Secret); k != "" && len(k) < 16 {
				return "use at least 16 characters, or leave it empty for a key generated in data_dir"
			}
			return ""
		}},
	{key: "admin_addr", env: "CITEBOT_ADMIN_ADDR", flag: "admin-addr", unset: "off", scope: forServe | forHealthcheck,
		help:  "`address` of the admin HTTP server: /healthz, /readyz, /metrics",
		field: func(c *Config) any { return &c.AdminAddr }, check: optional(hostPort)},
	{key: "log_format", env: "CITEBOT_LOG_FORMAT", flag: "log-format", def: "text", scope: forAll,
		help:  "log `format`: text or json",
		field: func(c *Config) any { return &c.LogFormat }, check: oneOf("text", "json")},
	{key: "log_level", env: "CITEBOT_LOG_LEVEL", flag: "log-level", def: "info", scope: forAll,
		help:  "log `level`: debug, info, warn or error; debug adds question texts to the log",
		field: func(c *Config) any { return &c.LogLevel }, check: logLevel},
}

// scope is a set of subcommands.
type scope uint16

const (
	forServe scope = 1 << iota
	forAsk
	forChat
	forSearch
	forIndex
	forEval
	forHealthcheck
	forFeedback

	forAll      = forServe | forAsk | forChat | forSearch | forIndex | forEval | forHealthcheck | forFeedback
	forIndexing = forServe | forAsk | forChat | forSearch | forIndex | forEval // the subcommands that load documents and their index
	forAnswers  = forServe | forAsk | forChat | forEval
	// forCachedIndex are the subcommands whose index lives in the user
	// cache folder unless data_dir is set (see [Config.setDataDir]).
	forCachedIndex = forAsk | forChat | forSearch | forEval
)

// commands are the subcommands that take settings, in usage order.
// `citebot config` is not among them: it takes and prints every setting.
var commands = []struct {
	name  string
	scope scope
}{
	{"serve", forServe}, {"ask", forAsk}, {"chat", forChat}, {"search", forSearch},
	{"index", forIndex}, {"eval", forEval}, {"healthcheck", forHealthcheck}, {"feedback", forFeedback},
}

// scopeOf returns the scope of a subcommand; "config" and names that are
// not subcommands get every setting.
func scopeOf(command string) scope {
	for _, c := range commands {
		if c.name == command {
			return c.scope
		}
	}
	return ^scope(0)
}

// usedBy names the subcommands of sc for docs/configuration.md: "all",
// "all but healthcheck", "all but healthcheck and feedback" or a list.
func (sc scope) usedBy() string {
	switch sc {
	case forAll:
		return "all"
	case forAll &^ forHealthcheck:
		return "all but healthcheck"
	case forIndexing:
		return "all but healthcheck and feedback"
	}
	var names []string
	for _, c := range commands {
		if sc&c.scope != 0 {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, ", ")
}

// spellings names s by every way it can be set: "top_k (--top-k,
// CITEBOT_TOP_K)".
func (s *setting) spellings() string {
	if s.key == "" {
		return "--" + s.flag + " (" + s.env + ")"
	}
	return s.key + " (--" + s.flag + ", " + s.env + ")"
}

// lookup returns the setting with the file key, or nil.
func lookup(key string) *setting {
	for i := range settings {
		if settings[i].key == key && key != "" {
			return &settings[i]
		}
	}
	return nil
}

// EnvNames lists every environment variable citebot reads.
func EnvNames() []string {
	names := make([]string, 0, len(settings))
	for _, s := range settings {
		names = append(names, s.env)
	}
	return names
}
