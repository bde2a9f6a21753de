package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestChatLibrarySettings checks the settings of chat uploads, /add URL and
// the per-chat libraries: their defaults, and that the environment and
// flags set them where they live (cfg.Telegram, cfg.Library).
func TestChatLibrarySettings(t *testing.T) {
	d := Default()
	want := Library{LibraryMemoryMB: 256, ChatMaxDocuments: 10, ChatMaxMB: 50, ChatMaxPassages: 20000,
		UserUploadsPerDay: 20, StoredMaxMB: 2048, RetentionDays: 90}
	if d.Library != want {
		t.Errorf("Default().Library = %+v, want %+v", d.Library, want)
	}
	if d.Telegram.ChatUploads != "all" || d.Telegram.FetchTimeout != 30*time.Second || d.Telegram.FetchAllowPrivate {
		t.Errorf("defaults: chat_uploads %q, fetch_timeout %v, fetch_allow_private %v; want all, 30s, false",
			d.ChatUploads, d.FetchTimeout, d.FetchAllowPrivate)
	}

	c := Default()
	err := c.ApplyEnv(env(map[string]string{
		"CITEBOT_CHAT_UPLOADS": "groups", "CITEBOT_FETCH_TIMEOUT": "10m", "CITEBOT_FETCH_ALLOW_PRIVATE": "true",
		"CITEBOT_LIBRARY_MEMORY_MB": "1", "CITEBOT_CHAT_MAX_DOCUMENTS": "0", "CITEBOT_CHAT_MAX_MB": "7",
		"CITEBOT_CHAT_MAX_PASSAGES": "8", "CITEBOT_USER_UPLOADS_PER_DAY": "9", "CITEBOT_STORED_MAX_MB": "0",
		"CITEBOT_RETENTION_DAYS": "36500",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want = Library{LibraryMemoryMB: 1, ChatMaxMB: 7, ChatMaxPassages: 8, UserUploadsPerDay: 9, RetentionDays: 36500}
	if c.Library != want || c.ChatUploads != "groups" || c.FetchTimeout != 10*time.Minute || !c.FetchAllowPrivate {
		t.Fatalf("from the environment: %+v, %q, %v, %v", c.Library, c.ChatUploads, c.FetchTimeout, c.FetchAllowPrivate)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the bounds themselves refused: %v", err)
	}
	if c.origin["retention_days"] != "CITEBOT_RETENTION_DAYS" {
		t.Errorf("origin of retention_days = %q", c.origin["retention_days"])
	}

	c = Default()
	if err := flags(t, &c, "serve", "--chat-uploads", "off", "--fetch-timeout", "5s", "--fetch-allow-private",
		"--library-memory-mb", "32", "--chat-max-documents", "2", "--chat-max-mb", "3", "--chat-max-passages", "4",
		"--user-uploads-per-day", "5", "--stored-max-mb", "6", "--retention-days", "7"); err != nil {
		t.Fatal(err)
	}
	want = Library{LibraryMemoryMB: 32, ChatMaxDocuments: 2, ChatMaxMB: 3, ChatMaxPassages: 4, UserUploadsPerDay: 5, StoredMaxMB: 6, RetentionDays: 7}
	if c.Library != want || c.ChatUploads != "off" || c.FetchTimeout != 5*time.Second || !c.FetchAllowPrivate {
		t.Fatalf("from flags: %+v, %q, %v, %v", c.Library, c.ChatUploads, c.FetchTimeout, c.FetchAllowPrivate)
	}
	if c.origin["fetch_allow_private"] != "--fetch-allow-private" {
		t.Errorf("origin of fetch_allow_private = %q", c.origin["fetch_allow_private"])
	}
}

// TestBoolFlag checks the one bool setting's flag: bare, with a value, and
// a bad value.
func TestBoolFlag(t *testing.T) {
	tests := []struct {
		args    []string
		want    bool
		wantErr bool
	}{
		{nil, false, false},
		{[]string{"--fetch-allow-private"}, true, false},
		{[]string{"--fetch-allow-private=true"}, true, false},
		{[]string{"--fetch-allow-private=false"}, false, false},
		{[]string{"--fetch-allow-private=maybe"}, false, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c := Default()
			err := flags(t, &c, "serve", tt.args...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			if err == nil && c.FetchAllowPrivate != tt.want {
				t.Fatalf("FetchAllowPrivate = %v, want %v", c.FetchAllowPrivate, tt.want)
			}
		})
	}
}

// TestFetchAllowPrivateHelp checks that the help says plainly what the
// setting is for and what it risks.
func TestFetchAllowPrivateHelp(t *testing.T) {
	help := lookup("fetch_allow_private").help
	for _, want := range []string{"private", "loopback", "tests and closed networks only"} {
		if !strings.Contains(help, want) {
			t.Errorf("fetch_allow_private help lacks %q: %s", want, help)
		}
	}
}

func TestUploadsAllowed(t *testing.T) {
	tests := []struct {
		mode           string
		private, group bool
	}{
		{"all", true, true},
		{"private", true, false},
		{"groups", false, true},
		{"off", false, false},
		{"", false, false},
		{"everyone", false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.mode), func(t *testing.T) {
			tg := Telegram{ChatUploads: tt.mode}
			if got := tg.UploadsAllowed(true); got != tt.private {
				t.Errorf("UploadsAllowed(private) = %v, want %v", got, tt.private)
			}
			if got := tg.UploadsAllowed(false); got != tt.group {
				t.Errorf("UploadsAllowed(group) = %v, want %v", got, tt.group)
			}
		})
	}
}

func TestRetention(t *testing.T) {
	tests := []struct {
		days int
		want time.Duration
	}{
		{0, 0},
		{1, 24 * time.Hour},
		{90, 90 * 24 * time.Hour},
		{maxRetentionDays, maxRetentionDays * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.days), func(t *testing.T) {
			if got := (Library{RetentionDays: tt.days}).Retention(); got != tt.want || got < 0 {
				t.Fatalf("Retention() = %v, want %v", got, tt.want)
			}
		})
	}
}
