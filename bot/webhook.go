package bot

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
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

	p := tgbotapi.Params{"url": b.cfg.WebhookURL, "secret_token": b.secret}
	_ = p.AddInterface("allowed_updates", allowedUpdates)
	_, err = b.call(ctx, "setWebhook", p, requestTimeout)
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
// otherwise), answers 200 at once and handles them asynchronously.
func (b *Bot) webhookHandler(d *dispatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get(secretHeader)
		if subtle.ConstantTimeCompare([]byte(got), []byte(b.secret)) != 1 {
			b.log.Warn("webhook request without the right secret", "remote", r.RemoteAddr)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var u Update
		if err := json.Unmarshal(body, &u); err != nil {
			b.log.Warn("webhook update does not decode", "err", err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		d.dispatch(u)
		w.WriteHeader(http.StatusOK)
	})
}
