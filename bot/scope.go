package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/citebot/citebot/answer"
	"github.com/citebot/citebot/bot/store"
)

// Per-chat documents: /use NAME… restricts a chat's questions to those
// documents (answer.Question.Docs, filtered inside the index), /use all
// lifts it. The choice is the chat's [store.ChatSettings], so it survives
// restarts. In a private chat its user decides; in a group an admin of
// the group (getChatMember) or of the bot ([Config.Admins]). Names no
// longer loaded are ignored; when none is left the chat uses them all.

// chatScope returns the documents chat's questions are restricted to
// (nil: all), among docs.
func (b *Bot) chatScope(chat int64, docs []answer.DocInfo) []string {
	var out []string
	for _, name := range b.settings(chat).Docs {
		if docIndex(docs, name) >= 0 {
			out = append(out, name)
		}
	}
	return out
}

// chatSettings caches the chats' settings read from the store, so that a
// question does not open a store transaction. It is safe for concurrent
// use. A read fills the cache only when no write came while it read the
// store (gen unchanged), so a stale read never overwrites what /use wrote.
type chatSettings struct {
	mu    sync.Mutex
	cache *lru[int64, store.ChatSettings]
	gen   uint64 // counts the writes
	// afterRead, when set (by tests), runs between a cache miss's store
	// read and the cache fill.
	afterRead func()
}

// settings returns chat's settings (the zero value when the store cannot
// be read: all documents).
func (b *Bot) settings(chat int64) store.ChatSettings {
	b.chats.mu.Lock()
	cs, ok := b.chats.cache.get(chat)
	gen := b.chats.gen
	b.chats.mu.Unlock()
	if ok {
		return cs
	}
	cs, err := b.st.ChatSettings(chat)
	if err != nil {
		b.log.Warn("couldn't read the chat's settings: answering from all documents", "chat", chat, "err", err)
		return store.ChatSettings{}
	}
	if b.chats.afterRead != nil {
		b.chats.afterRead()
	}
	b.chats.mu.Lock()
	if b.chats.gen == gen {
		b.chats.cache.put(chat, cs)
	}
	b.chats.mu.Unlock()
	return cs
}

// setSettings stores chat's settings.
func (b *Bot) setSettings(chat int64, cs store.ChatSettings) error {
	b.chats.mu.Lock()
	defer b.chats.mu.Unlock()
	b.chats.gen++
	if err := b.st.SetChatSettings(chat, cs); err != nil {
		return err
	}
	b.chats.cache.put(chat, cs)
	return nil
}

// use handles /use ARGS.
func (b *Bot) use(ctx context.Context, m *tgbotapi.Message, t target, lang, args string) bool {
	tt := texts[lang]
	docs := b.answererFor(ctx, t.chat).Documents()
	if strings.TrimSpace(args) == "" {
		return b.reply(ctx, t, b.useStatus(m.Chat.ID, docs, lang))
	}
	if m.Chat.Type != "private" && !b.isAdmin(m.From.ID) && !b.isChatAdmin(ctx, m.Chat.ID, m.From.ID) {
		return b.reply(ctx, t, tt.useAdminsOnly)
	}
	var chosen []string
	if !strings.EqualFold(strings.TrimSpace(args), "all") {
		names, unknown := resolveNames(docs, args)
		if len(unknown) > 0 {
			return b.reply(ctx, t, fmt.Sprintf(tt.noSuchDoc, strings.Join(unknown, ", "), docList(docs)))
		}
		chosen = names
	}
	if err := b.setSettings(m.Chat.ID, store.ChatSettings{Docs: chosen}); err != nil {
		b.log.Warn("couldn't store the chat's documents", "chat", m.Chat.ID, "err", err)
		return b.reply(ctx, t, tt.apology)
	}
	b.log.Info("chat documents set", "chat", m.Chat.ID, "user", m.From.ID, "documents", len(chosen))
	return b.reply(ctx, t, b.useStatus(m.Chat.ID, docs, lang))
}

// useStatus tells which documents the chat answers from, and how to
// change it.
func (b *Bot) useStatus(chat int64, docs []answer.DocInfo, lang string) string {
	tt := texts[lang]
	scope := b.chatScope(chat, docs)
	if len(scope) == 0 {
		return fmt.Sprintf(tt.useAll, docList(docs))
	}
	return fmt.Sprintf(tt.useSome, strings.Join(scope, ", "))
}

// resolveNames reads document names typed after /use, separated by
// commas or spaces; a name with spaces is recognised whole (the longest
// run of words naming a document wins). Each is matched like /remove's
// (see findDocument). unknown lists the words that name none.
func resolveNames(docs []answer.DocInfo, args string) (names, unknown []string) {
	for _, piece := range strings.FieldsFunc(args, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		words := strings.Fields(piece)
		for i := 0; i < len(words); {
			j := len(words)
			name, ok := "", false
			for ; j > i; j-- {
				if name, ok = findDocument(docs, strings.Join(words[i:j], " ")); ok {
					break
				}
			}
			if !ok {
				unknown = append(unknown, words[i])
				i++
				continue
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
			i = j
		}
	}
	return names, unknown
}

// namesOf returns the names of docs, in their order.
func namesOf(docs []answer.DocInfo) []string {
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.Name
	}
	return names
}

// docList lists the documents' names.
func docList(docs []answer.DocInfo) string {
	return strings.Join(namesOf(docs), ", ")
}

// isChatAdmin asks Telegram whether user administers chat
// (getChatMember); any failure counts as no.
func (b *Bot) isChatAdmin(ctx context.Context, chat, user int64) bool {
	res, err := b.call(ctx, getChatMemberParams{ChatID: chat, UserID: user}, 10*time.Second)
	if err != nil {
		b.log.Debug("getChatMember failed", "chat", chat, "err", err)
		return false
	}
	var member struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(res, &member)
	return member.Status == "creator" || member.Status == "administrator"
}
