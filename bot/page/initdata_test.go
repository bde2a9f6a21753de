package page

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestValidateInitData(t *testing.T) {
	fields := func(mod func(url.Values)) url.Values {
		v := url.Values{
			"auth_date": {strconv.FormatInt(testNow.Add(-10*time.Minute).Unix(), 10)},
			"query_id":  {"AAHdF6IQAAAAAN0XohDhrOrc"},
			"user":      {`{"id":279058397,"first_name":"Vladislav","username":"vdkfrost","language_code":"ru"}`},
			"signature": {"6fbdaab833d39f54518bd5c3eb3f511d035e68cb"},
		}
		if mod != nil {
			mod(v)
		}
		return v
	}
	good := SignInitData(fields(nil), testBotToken)
	tests := []struct {
		name, data string
		ok         bool
	}{
		{"signed", good, true},
		{"signed, fields in another order", reorder(good), true},
		{"empty", "", false},
		{"other bot's token", SignInitData(fields(nil), "999:other"), false},
		{"field changed after signing", strings.Replace(good, "Vladislav", "Vladimir", 1), false},
		{"hash removed", removeField(good, "hash"), false},
		{"hash not hex", strings.Replace(good, "hash=", "hash=zz", 1), false},
		{"field repeated", good + "&query_id=again", false},
		{"too old", SignInitData(fields(func(v url.Values) { v.Set("auth_date", strconv.FormatInt(testNow.Add(-2*time.Hour).Unix(), 10)) }), testBotToken), false},
		{"from the future", SignInitData(fields(func(v url.Values) { v.Set("auth_date", strconv.FormatInt(testNow.Add(time.Hour).Unix(), 10)) }), testBotToken), false},
		{"auth_date not a number", SignInitData(fields(func(v url.Values) { v.Set("auth_date", "yesterday") }), testBotToken), false},
		{"no user", SignInitData(fields(func(v url.Values) { v.Del("user") }), testBotToken), false},
		{"user without id", SignInitData(fields(func(v url.Values) { v.Set("user", `{"first_name":"x"}`) }), testBotToken), false},
		{"not a query string", "%zz", false},
		{"too long", good + "&x=" + strings.Repeat("a", maxInitDataBytes), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidateInitData(tt.data, testBotToken, time.Hour, testNow)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateInitData: %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (got.UserID != 279058397 || !got.AuthDate.Equal(testNow.Add(-10*time.Minute).Truncate(time.Second))) {
				t.Errorf("ValidateInitData = %+v", got)
			}
		})
	}
}

func reorder(q string) string {
	parts := strings.Split(q, "&")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "&")
}

func removeField(q, key string) string {
	var out []string
	for _, p := range strings.Split(q, "&") {
		if !strings.HasPrefix(p, key+"=") {
			out = append(out, p)
		}
	}
	return strings.Join(out, "&")
}

// FuzzValidateInitData checks that no input panics and that nothing but
// data signed with the bot token is accepted.
func FuzzValidateInitData(f *testing.F) {
	f.Add(initData(42, testNow, testBotToken))
	f.Add("hash=00&user=%7B%7D")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ValidateInitData(s, testBotToken, time.Hour, testNow)
		if err != nil {
			return
		}
		q, _ := url.ParseQuery(s)
		again, _ := url.ParseQuery(SignInitData(q, testBotToken))
		if !strings.EqualFold(again.Get("hash"), q.Get("hash")) || d.UserID == 0 {
			t.Errorf("accepted %q, which is not signed with the bot token", s)
		}
	})
}

func TestParseTheme(t *testing.T) {
	tests := []struct {
		name, in string
		want     Theme
	}{
		{"telegram dark", `{"bg_color":"#212121","text_color":"#FFFFFF","hint_color":"#aaaaaa","link_color":"#8774e1","button_color":"#8774e1","secondary_bg_color":"#181818"}`,
			Theme{"--bg": "#212121", "--fg": "#ffffff", "--hint": "#aaaaaa", "--link": "#8774e1", "--bg2": "#181818"}},
		{"empty", "", nil},
		{"not JSON", "{", nil},
		{"CSS injection", `{"bg_color":"#fff;}body{display:none","text_color":"red","link_color":"#12345g"}`, nil},
		{"non-string", `{"bg_color":1}`, nil},
		{"unknown key", `{"evil_color":"#000000"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseTheme(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("ParseTheme = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// FuzzParseTheme checks that only known properties with #rrggbb colours
// ever come out, so nothing else reaches the page's CSS.
func FuzzParseTheme(f *testing.F) {
	f.Add(`{"bg_color":"#212121","text_color":"#ffffff"}`)
	f.Add(`{"bg_color":"</style><script>"}`)
	f.Fuzz(func(t *testing.T, s string) {
		for k, v := range ParseTheme(s) {
			if !colourRE().MatchString(v) || !strings.HasPrefix(k, "--") {
				t.Errorf("ParseTheme(%q) kept %s: %q", s, k, v)
			}
		}
		if css := string(themeCSS(ParseTheme(s))); strings.ContainsAny(css, "<>\"'") {
			t.Errorf("theme CSS %q", css)
		}
	})
}
