package page

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// InitData is what the page uses of a Telegram Mini App's initData once
// its signature is checked.
type InitData struct {
	// UserID is the Telegram user who opened the app.
	UserID int64
	// AuthDate is when Telegram signed the data.
	AuthDate time.Time
}

// maxInitDataBytes bounds the initData accepted at all.
const maxInitDataBytes = 8 << 10

// futureSkew is how far in the future an auth_date may be (clock skew).
const futureSkew = 5 * time.Minute

// errInitData is returned for every initData that is not accepted; the
// reason stays in the message for tests and debug logs, never for users.
type errInitData string

func (e errInitData) Error() string { return "page: initData " + string(e) }

// ValidateInitData checks initData, the query string Telegram gives a Mini
// App, as Telegram documents it: every field appears once; the
// data-check-string is the fields but hash, sorted by key, as key=value
// lines joined by "\n"; the secret key is HMAC-SHA256 of the bot token
// under the key "WebAppData"; hash must be the hex HMAC-SHA256 of the
// data-check-string under the secret key. Then auth_date must be at most
// maxAge old (and not from the future), and user must name a user id.
func ValidateInitData(initData, botToken string, maxAge time.Duration, now time.Time) (InitData, error) {
	if len(initData) > maxInitDataBytes {
		return InitData{}, errInitData("too long")
	}
	if botToken == "" {
		return InitData{}, errInitData("checked without a bot token")
	}
	q, err := url.ParseQuery(initData)
	if err != nil {
		return InitData{}, errInitData("is not a query string")
	}
	var lines []string
	var sum []byte
	for k, vs := range q {
		if len(vs) != 1 {
			return InitData{}, errInitData("repeats " + strconv.Quote(k))
		}
		if k == "hash" {
			sum, err = hex.DecodeString(vs[0])
			continue
		}
		lines = append(lines, k+"="+vs[0])
	}
	if err != nil || len(sum) != sha256.Size {
		return InitData{}, errInitData("has no valid hash")
	}
	slices.Sort(lines)
	secret := hmacSHA256([]byte("WebAppData"), []byte(botToken))
	if !hmac.Equal(sum, hmacSHA256(secret, []byte(strings.Join(lines, "\n")))) {
		return InitData{}, errInitData("signature does not match")
	}
	sec, err := strconv.ParseInt(q.Get("auth_date"), 10, 64)
	if err != nil || sec <= 0 || sec > 1<<40 {
		return InitData{}, errInitData("has no valid auth_date")
	}
	auth := time.Unix(sec, 0)
	if age := now.Sub(auth); age > maxAge || age < -futureSkew {
		return InitData{}, errInitData("is too old")
	}
	var user struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(q.Get("user")), &user); err != nil || user.ID == 0 {
		return InitData{}, errInitData("names no user")
	}
	return InitData{UserID: user.ID, AuthDate: auth}, nil
}

func hmacSHA256(key, msg []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil)
}

// SignInitData returns initData for fields signed as Telegram signs it,
// for tests and for local trials of the Mini App path.
func SignInitData(fields url.Values, botToken string) string {
	var lines []string
	for k, vs := range fields {
		if k != "hash" && len(vs) > 0 {
			lines = append(lines, k+"="+vs[0])
		}
	}
	slices.Sort(lines)
	secret := hmacSHA256([]byte("WebAppData"), []byte(botToken))
	out := url.Values{}
	for k, vs := range fields {
		if k != "hash" && len(vs) > 0 {
			out.Set(k, vs[0])
		}
	}
	out.Set("hash", hex.EncodeToString(hmacSHA256(secret, []byte(strings.Join(lines, "\n")))))
	return out.Encode()
}

// Theme is a Telegram Mini App colour scheme: CSS custom property name
// ("--tg-bg") to colour ("#1c1c1d").
type Theme map[string]string

// themeKeys maps the theme parameters Telegram passes to the page's CSS
// custom properties.
var themeKeys = map[string]string{
	"bg_color":           "--bg",
	"text_color":         "--fg",
	"hint_color":         "--hint",
	"link_color":         "--link",
	"secondary_bg_color": "--bg2",
}

var colourRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^#[0-9a-fA-F]{6}$`) })

// ParseTheme reads Telegram's tgWebAppThemeParams JSON and keeps the
// known colours that are plain #rrggbb values; anything else is dropped,
// so that nothing but a colour ever reaches the page's CSS.
func ParseTheme(s string) Theme {
	if s == "" || len(s) > 4096 {
		return nil
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil
	}
	var t Theme
	for k, v := range raw {
		prop, ok := themeKeys[k]
		c, isString := v.(string)
		if !ok || !isString || !colourRE().MatchString(c) {
			continue
		}
		if t == nil {
			t = Theme{}
		}
		t[prop] = strings.ToLower(c)
	}
	return t
}
