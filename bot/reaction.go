package bot

import (
	"context"
	"time"
)

// The reactions the bot sets on a question. Bots may use only Telegram's
// standard reaction emoji (ReactionTypeEmoji): ⏳ is not one of them, so a
// rate-limited question gets 😴.
const (
	// reactionWorking acknowledges a question being answered (groups).
	reactionWorking = "👀"
	// reactionLater marks a question refused by the rate limit after the
	// user was told once to wait.
	reactionLater = "😴"
)

// reactionTimeout bounds one setMessageReaction request.
const reactionTimeout = 5 * time.Second

// reactionType is the Bot API ReactionTypeEmoji object.
type reactionType struct {
	Type  string `json:"type"`
	Emoji string `json:"emoji"`
}

// setReaction sets emoji as the bot's reaction on message id in chat, or
// removes the bot's reaction when emoji is "". It is best effort, like
// sendChatAction: one try within reactionTimeout, not waiting for a shut
// gate, a failure (the emulator lacks the method; a chat may disallow
// reactions) logged at debug level. It reports whether the request
// succeeded.
func (b *Bot) setReaction(ctx context.Context, chat int64, id int, emoji string) bool {
	if id == 0 || time.Now().Before(b.gates.openAt(chat)) {
		return false
	}
	reaction := []reactionType{}
	if emoji != "" {
		reaction = append(reaction, reactionType{Type: "emoji", Emoji: emoji})
	}
	p := setMessageReactionParams{ChatID: chat, MessageID: id, Reaction: reaction}
	if _, err := b.call(ctx, p, reactionTimeout); err != nil {
		b.log.Debug("setMessageReaction failed", "chat", chat, "err", err)
		return false
	}
	return true
}
