package store

import "time"

// Inbox is the durable record of the Telegram updates a bot handles: it
// stores each update before it is confirmed to Telegram, counts its
// handlings, records the messages sent for it and marks it done (see
// [Store.Put] and the methods beside it for each method's contract).
//
// Entry numbers ([Update.Seq]) are given by Put, grow in the order the
// entries were stored, and are never 0; they need not be consecutive.
//
// Writes of one update are committed in the order they were called or
// queued: a Finish queued after a SetSentLater of the same update is
// never committed before it. The Later methods return at once and pass
// the outcome to done (which must be quick), at the latest before a
// [Backend.Flush] called after them returns. Implementations are safe for
// concurrent use.
type Inbox interface {
	Put(us []Update) (seqs []uint64, err error)
	Begin(seq uint64) (attempts int, err error)
	EndLater(seq uint64, done func(error))
	SetSent(seq uint64, n, msg int) error
	SetSentLater(seq uint64, n, msg int, done func(error))
	Finish(seq uint64) error
	FinishLater(seq uint64, done func(error))
	Get(id int) (Update, error)
	Pending() ([]Update, error)
	Prune(keep int) (deleted int, err error)
}

// Feedback is the record of the users' votes on answers (see
// [Store.PutVote], [Store.Votes] and [Store.VoteOf]). Implementations are
// safe for concurrent use.
type Feedback interface {
	PutVote(v Vote) (prev string, err error)
	Votes(since time.Time) ([]Vote, error)
	VoteOf(chat int64, msg int, user int64) (v Vote, ok bool, err error)
}

// Settings are the chats' settings (see [Store.ChatSettings] and
// [Store.SetChatSettings]). Implementations are safe for concurrent use.
type Settings interface {
	ChatSettings(chat int64) (ChatSettings, error)
	SetChatSettings(chat int64, cs ChatSettings) error
}

// Backend is a store of record of the bot's state: [Store] in a bbolt
// file, or another one sharing its contract (package storetest checks
// it). Flush waits until the writes queued before it are committed.
// Close waits for the writes in progress and releases the backend; it may
// be called again, and the calls made after it fail (writes with an error
// wrapping [ErrClosed]).
type Backend interface {
	Inbox
	Feedback
	Settings
	Flush() error
	Close() error
}

var _ Backend = (*Store)(nil)
