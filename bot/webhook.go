package bot

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// secretHeader carries the webhook secret_token on every delivery.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxWebhookBody bounds an update's size.
const maxWebhookBody = 1 << 20

// randomSecret returns a webhook secret token of 43 URL-safe characters.
func randomSecret() string {
	return rand.Text() + rand.Text()[:17]
}

// serveWebhook listens on WebhookListen, registers WebhookURL with its
// secret, and hands deliveries to d until ctx is done. The webhook stays
// registered on return, so that Telegram keeps updates for the next start.
func (b *Bot) serveWebhook(ctx context.Context, d *dispatcher) error {
	ln, err := net.Listen("tcp", b.cfg.WebhookListen)
	if err != nil {
		return fmt.Errorf("couldn't listen for the webhook: %w", err)
	}
	srv := &http.Server{
		Handler:           b.webhookHandler(d),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	addr := ln.Addr()
	b.webhook.Store(&addr)
	defer b.webhook.Store(nil)

	p := setWebhookParams{URL: b.cfg.WebhookURL, SecretToken: b.secret, AllowedUpdates: allowedUpdates}
	_, err = b.call(ctx, p, requestTimeout)
	if ctx.Err() == nil {
		b.polled(err == nil)
	}
	if err != nil {
		if ctx.Err() != nil {
			// Stopped while registering: a shutdown, not a failure. Let
			// deliveries already accepted finish like on a normal stop.
			shutdownServer(srv, b)
			return nil
		}
		srv.Close()
		return fmt.Errorf("couldn't set webhook: %w", err)
	}
	b.log.Info("receiving updates by webhook", "listen", addr.String(), "url", b.cfg.WebhookURL)

	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("webhook server: %w", err)
	}
	shutdownServer(srv, b)
	return nil
}

// shutdownServer stops the webhook server, letting requests in progress end.
func shutdownServer(srv *http.Server, b *Bot) {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		b.log.Warn("webhook server shutdown", "err", err)
	}
}

// webhookHandler accepts updates that carry the secret token (403
// otherwise, with a rate-limited warning), stores each and answers 200
// once it is stored; the answer is made asynchronously. When the queue is
// full or the store fails it answers 503, so that Telegram delivers the
// update again later.
func (b *Bot) webhookHandler(d *dispatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get(secretHeader)
		if subtle.ConstantTimeCompare([]byte(got), []byte(b.secret)) != 1 {
			if ok, suppressed := b.badSecrets.allow(time.Now()); ok {
				b.log.Warn("webhook request without the right secret", "remote", r.RemoteAddr, "suppressed", suppressed)
			}
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		in, err := decodeIncoming(body)
		if err != nil {
			b.log.Warn("webhook update does not decode", "update_id", in.id, "err", err)
			if in.id == 0 {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
		}
		if d.full() {
			b.log.Warn("webhook queue full: asking Telegram to deliver again later", "update_id", in.id)
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if err := b.accept([]incoming{in}, d); err != nil {
			b.log.Error("couldn't store a webhook update: asking Telegram to deliver it again", "update_id", in.id, "err", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// throttle lets an event through at most once per every and counts the
// ones it held back. It is safe for concurrent use.
type throttle struct {
	every time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether the event at now may be logged, and how many were
// held back since the last one that was.
func (t *throttle) allow(now time.Time) (ok bool, suppressed int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.last.IsZero() && now.Sub(t.last) < t.every {
		t.suppressed++
		return false, 0
	}
	t.last, suppressed, t.suppressed = now, t.suppressed, 0
	return true, suppressed
}
