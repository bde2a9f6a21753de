package bot

import (
	"slices"
	"sync"
	"time"

	"github.com/citebot/citebot/answer"
)

// convKey identifies a conversation: a user in a chat and forum topic.
type convKey struct {
	chat   int64
	thread int
	user   int64
}

// msgKey identifies a message of the bot.
type msgKey struct {
	chat int64
	id   int
}

// conversation is the turns of a conversation up to one answer. It is not
// changed once made: a new turn makes a new conversation.
type conversation struct {
	turns []answer.Turn
	last  time.Time
}

// memory remembers recent turns, bounded in turns per conversation, in
// entries (least recently used evicted) and in time (entries older than ttl
// are forgotten). It keeps the latest conversation of each asker, for
// follow-ups in a private chat, and the conversation ending with each of
// the bot's answer messages, for reply chains. It is safe for concurrent
// use.
type memory struct {
	mu       sync.Mutex
	turns    int
	ttl      time.Duration
	convs    *lru[convKey, *conversation]
	chains   *lru[msgKey, *conversation]
	disabled bool
}

// chainsPerConversation sizes the reply-chain index relative to convs.
const chainsPerConversation = 4

// newMemory makes a memory of turns turns per conversation; 0 turns
// disables it.
func newMemory(turns int, ttl time.Duration, maxConvs int) *memory {
	return &memory{
		turns:    turns,
		ttl:      ttl,
		convs:    newLRU[convKey, *conversation](maxConvs),
		chains:   newLRU[msgKey, *conversation](maxConvs * chainsPerConversation),
		disabled: turns == 0,
	}
}

// span returns how long a conversation is remembered, 0 when memory is
// off.
func (m *memory) span() time.Duration {
	if m.disabled {
		return 0
	}
	return m.ttl
}

// history returns the turns a question carries, oldest first. replyTo is
// the bot's message the question replies to (0 if none): the turns are then
// those that led to that answer (a reply chain, whoever started it), or the
// asker's latest when the message is unknown. Without a reply only a
// private chat carries the asker's latest turns. Expired entries give
// nothing.
func (m *memory) history(own convKey, replyTo int, private bool, now time.Time) []answer.Turn {
	if m.disabled {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if replyTo != 0 {
		if c, ok := m.chains.get(msgKey{own.chat, replyTo}); ok {
			return m.fresh(c, now)
		}
	} else if !private {
		return nil
	}
	c, ok := m.convs.get(own)
	if !ok {
		return nil
	}
	return m.fresh(c, now)
}

// fresh returns c's turns unless c has expired.
func (m *memory) fresh(c *conversation, now time.Time) []answer.Turn {
	if now.Sub(c.last) > m.ttl {
		return nil
	}
	return slices.Clone(c.turns)
}

// record stores a finished turn: the asker's conversation continues from
// history (the turns the question carried), and replies to the answer's
// messages will carry it.
func (m *memory) record(own convKey, history []answer.Turn, t answer.Turn, msgIDs []int, now time.Time) {
	if m.disabled {
		return
	}
	turns := append(slices.Clone(history), t)
	if len(turns) > m.turns {
		turns = turns[len(turns)-m.turns:]
	}
	c := &conversation{turns: turns, last: now}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.convs.put(own, c)
	for _, id := range msgIDs {
		if id != 0 {
			m.chains.put(msgKey{own.chat, id}, c)
		}
	}
}

// forget ends the asker's conversation (/new): their next question in a
// private chat carries no history. Replies to earlier answers still
// carry the turns that led to them.
func (m *memory) forget(own convKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.convs.remove(own)
}
