package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// access applies the allowlists and remembers whom it has refused, so that
// a refusal is said once per chat. It is safe for concurrent use.
type access struct {
	chats, users map[int64]bool
	mu           sync.Mutex
	refused      *lru[int64, struct{}]
}

func newAccess(chats, users []int64, max int) *access {
	a := &access{chats: make(map[int64]bool), users: make(map[int64]bool), refused: newLRU[int64, struct{}](max)}
	for _, c := range chats {
		a.chats[c] = true
	}
	for _, u := range users {
		a.users[u] = true
	}
	return a
}

// allowed reports whether a message from user in chat is answered: always
// when there are no allowlists, else when the chat or the user is listed.
func (a *access) allowed(chat, user int64) bool {
	if len(a.chats) == 0 && len(a.users) == 0 {
		return true
	}
	return a.chats[chat] || a.users[user]
}

// firstRefusal reports whether chat is refused for the first time, and
// remembers that it was.
func (a *access) firstRefusal(chat int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.refused.get(chat); ok {
		return false
	}
	a.refused.put(chat, struct{}{})
	return true
}

// userLimits is a token bucket per user. It is safe for concurrent use.
type userLimits struct {
	mu       sync.Mutex
	limit    rate.Limit
	burst    int
	disabled bool
	users    *lru[int64, *userLimit]
}

type userLimit struct {
	lim *rate.Limiter
	// quietUntil is when the user may be told to wait again.
	quietUntil time.Time
}

// newUserLimits makes buckets of burst questions refilled at perMinute; a
// zero rate disables them.
func newUserLimits(perMinute float64, burst, max int) *userLimits {
	return &userLimits{
		limit:    rate.Limit(perMinute / 60),
		burst:    burst,
		disabled: perMinute == 0,
		users:    newLRU[int64, *userLimit](max),
	}
}

// allow takes a token for user. When none is left it returns ok false,
// wait (until the next token) and warn, which is true only for the first
// refusal in each wait period, so that "please wait" is said once.
func (l *userLimits) allow(user int64, now time.Time) (ok, warn bool, wait time.Duration) {
	if l.disabled {
		return true, false, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	u, found := l.users.get(user)
	if !found {
		u = &userLimit{lim: rate.NewLimiter(l.limit, l.burst)}
		l.users.put(user, u)
	}
	if u.lim.AllowN(now, 1) {
		return true, false, 0
	}
	r := u.lim.ReserveN(now, 1)
	wait = r.DelayFrom(now)
	r.CancelAt(now)
	if now.Before(u.quietUntil) {
		return false, false, wait
	}
	u.quietUntil = now.Add(wait)
	return false, true, wait
}

// keyedMutex is a mutex per key (a user id): answers to one user run one
// at a time. It is safe for concurrent use; entries are freed when unused.
type keyedMutex struct {
	mu sync.Mutex
	m  map[int64]*keyedEntry
}

type keyedEntry struct {
	ch   chan struct{}
	refs int
}

func newKeyedMutex() *keyedMutex { return &keyedMutex{m: make(map[int64]*keyedEntry)} }

// lock locks key, waiting at most until ctx is done. The returned function
// unlocks it.
func (k *keyedMutex) lock(ctx context.Context, key int64) (func(), error) {
	k.mu.Lock()
	e, ok := k.m[key]
	if !ok {
		e = &keyedEntry{ch: make(chan struct{}, 1)}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()

	release := func() {
		k.mu.Lock()
		e.refs--
		if e.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
	select {
	case e.ch <- struct{}{}:
		return func() { <-e.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
