package bot

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

type inner struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

type embedded struct {
	Shared int64 `json:"shared"`
}

type badEmbedded struct {
	C chan int `json:"ch"`
}

type failingJSON struct{}

func (failingJSON) MarshalJSON() ([]byte, error) { return nil, errors.New("refused") }

// TestEncodeParams: strings go as they are, everything else as JSON;
// omitempty and nil leave fields out; embedded structs are flattened.
func TestEncodeParams(t *testing.T) {
	var nilMarkup *tgbotapi.InlineKeyboardMarkup
	tests := []struct {
		name string
		in   any
		want tgbotapi.Params
	}{
		{"strings as they are", struct {
			S string `json:"s"`
			E string `json:"e"`
			U string `json:"u"`
		}{S: `a "quoted" <b>&`, U: "\xff"}, tgbotapi.Params{"s": `a "quoted" <b>&`, "e": "", "u": "\xff"}},
		{"numbers and booleans", struct {
			I  int     `json:"i"`
			N  int64   `json:"n"`
			Z  int     `json:"z"`
			F  float64 `json:"f"`
			T  bool    `json:"t"`
			No bool    `json:"no"`
		}{I: -42, N: -1001234567890, F: 0.5, T: true}, tgbotapi.Params{"i": "-42", "n": "-1001234567890", "z": "0", "f": "0.5", "t": "true", "no": "false"}},
		{"omitempty", struct {
			I int             `json:"i,omitempty"`
			S string          `json:"s,omitempty"`
			B bool            `json:"b,omitempty"`
			L []string        `json:"l,omitempty"`
			M map[string]bool `json:"m,omitempty"`
			P *inner          `json:"p,omitempty"`
			X any             `json:"x,omitempty"`
		}{L: []string{}, M: map[string]bool{}}, tgbotapi.Params{}},
		{"nil never sent", struct {
			P *inner `json:"p"`
			X any    `json:"x"`
			T any    `json:"t"`
			L []int  `json:"l"`
		}{T: nilMarkup}, tgbotapi.Params{}},
		{"objects and arrays as JSON", struct {
			O inner           `json:"o"`
			P *inner          `json:"p"`
			L []string        `json:"l"`
			E []int           `json:"e"`
			M map[string]bool `json:"m"`
			X any             `json:"x"`
		}{O: inner{A: 1}, P: &inner{A: 2, B: "<"}, L: []string{"message"}, E: []int{}, M: noPreview, X: []inner{{A: 3}}},
			tgbotapi.Params{"o": `{"a":1}`, "p": `{"a":2,"b":"\u003c"}`, "l": `["message"]`, "e": `[]`, "m": `{"is_disabled":true}`, "x": `[{"a":3}]`}},
		{"embedded, skipped and unexported", &struct {
			embedded
			Skip   string `json:"-"`
			hidden string
			After  string `json:"after"`
		}{embedded: embedded{Shared: 9}, Skip: "no", hidden: "no", After: "yes"}, tgbotapi.Params{"shared": "9", "after": "yes"}},
		{"no fields", deleteWebhookParams{}, tgbotapi.Params{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkEncoded(t, tc.in, tc.want) })
	}
}

// checkEncoded checks that in encodes to want.
func checkEncoded(t *testing.T, in any, want tgbotapi.Params) {
	t.Helper()
	got, err := encodeParams(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%T:\ngot  %q\nwant %q", in, got, want)
	}
}

// TestEncodeParamsLikeAddInterface: an object field encodes exactly as
// tgbotapi's AddInterface encodes it.
func TestEncodeParamsLikeAddInterface(t *testing.T) {
	markup := replyMarkup(&tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{
		{tgbotapi.NewInlineKeyboardButtonData("¶ 1 <&>", "src:a:1"), tgbotapi.NewInlineKeyboardButtonURL("open", webAppMark+"https://example.invalid/x")},
	}})
	want := tgbotapi.Params{"chat_id": "1", "message_id": "2"}
	if err := want.AddInterface("reply_markup", markup); err != nil {
		t.Fatal(err)
	}
	checkEncoded(t, editMessageReplyMarkupParams{ChatID: 1, MessageID: 2, ReplyMarkup: markup}, want)
}

// TestEncodeParamsErrors: a value json cannot encode, or parameters that
// are not a tagged struct, give an error naming the field, never a
// request without it.
func TestEncodeParamsErrors(t *testing.T) {
	tests := []struct {
		name, want string
		in         any
	}{
		{"channel", "c", struct {
			C chan int `json:"c"`
		}{C: make(chan int)}},
		{"NaN", "f", struct {
			F float64 `json:"f"`
		}{F: math.NaN()}},
		{"NaN inside an interface", "x", struct {
			OK string `json:"ok"`
			X  any    `json:"x"`
		}{OK: "fine", X: map[string]any{"v": math.Inf(1)}}},
		{"failing MarshalJSON", "m", struct {
			M failingJSON `json:"m"`
		}{}},
		{"inside an embedded struct", "ch", struct {
			badEmbedded
		}{badEmbedded{C: make(chan int)}}},
		{"no json name", "Name", struct{ Name string }{"x"}},
		{"not a struct", "string", "chat_id=1"},
		{"nil", "<nil>", nil},
		{"nil pointer", "*bot.getFileParams", (*getFileParams)(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := encodeParams(tc.in)
			if err == nil {
				t.Fatalf("no error; params %q", p)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
		})
	}
}

// badRequest is a request whose parameters do not encode.
type badRequest struct {
	ChatID int64 `json:"chat_id"`
	Text   any   `json:"text"`
}

func (badRequest) method() string { return "sendMessage" }

// TestUnencodableRequestNotSent: a request whose parameters do not encode
// is not sent, not retried, logged at error level and returned as a
// permanent error.
func TestUnencodableRequestNotSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		b, logs := newTestBot(t, f, newFakeAnswerer(), nil)
		req := badRequest{ChatID: 7, Text: math.NaN()}
		_, errCall := b.call(context.Background(), req, requestTimeout)
		_, errChat := b.chatCall(context.Background(), 7, req, retryAll)
		for _, err := range []error{errCall, errChat} {
			var pe *paramsError
			if !errors.As(err, &pe) || !permanent(err) || !strings.Contains(err.Error(), "sendMessage") {
				t.Errorf("error %v: want a permanent *paramsError naming the method", err)
			}
		}
		if rs := f.Requests("sendMessage"); len(rs) != 0 {
			t.Errorf("sent %d requests with parameters that do not encode", len(rs))
		}
		if n := strings.Count(logs.String(), "level=ERROR msg=\"couldn't encode a Bot API request"); n != 2 {
			t.Errorf("%d error lines, want 2:\n%s", n, logs.String())
		}
	})
}

// TestRequestWire pins the form fields of the requests the bot builds.
func TestRequestWire(t *testing.T) {
	markup := &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{{tgbotapi.NewInlineKeyboardButtonData("👍", "fb:up")}}}
	const kb = `{"inline_keyboard":[[{"text":"👍","callback_data":"fb:up"}]]}`
	const noPrev = `{"is_disabled":true}`
	eph := messageParams(target{chat: -5}, "<b>x</b>", true, nil)
	eph.ReplyParameters = &replyParameters{MessageID: 3}
	eph.Ephemeral = &ephemeralParameters{ReceiverUserID: 7, CallbackQueryID: "cq"}
	tests := []struct {
		name string
		in   apiRequest
		want tgbotapi.Params
	}{
		{"plain message", messageParams(target{chat: 7}, "hi", false, nil),
			tgbotapi.Params{"chat_id": "7", "text": "hi", "link_preview_options": noPrev}},
		{"reply in a topic", messageParams(target{chat: -100, thread: 4, replyTo: 9}, "<i>a</i>", true, markup),
			tgbotapi.Params{"chat_id": "-100", "text": "<i>a</i>", "parse_mode": "HTML", "message_thread_id": "4", "link_preview_options": noPrev,
				"reply_parameters": `{"message_id":9,"allow_sending_without_reply":true}`, "reply_markup": kb}},
		{"ephemeral", eph, tgbotapi.Params{"chat_id": "-5", "text": "<b>x</b>", "parse_mode": "HTML", "link_preview_options": noPrev,
			"reply_parameters": `{"message_id":3}`, "ephemeral_message_parameters": `{"receiver_user_id":7,"callback_query_id":"cq"}`}},
		{"message draft", sendMessageDraftParams{draftParams: newDraftParams(target{chat: 7}, 11), Text: "…", ParseMode: "HTML"},
			tgbotapi.Params{"chat_id": "7", "draft_id": "11", "can_stop": "true", "keep_on_stop": "true", "text": "…", "parse_mode": "HTML"}},
		{"commit offset", getUpdatesParams{Offset: 12, Limit: 1, AllowedUpdates: []string{"message"}},
			tgbotapi.Params{"offset": "12", "limit": "1", "timeout": "0", "allowed_updates": `["message"]`}},
		{"first poll", getUpdatesParams{Limit: 100, Timeout: 50, AllowedUpdates: []string{}},
			tgbotapi.Params{"limit": "100", "timeout": "50", "allowed_updates": `[]`}},
		{"no inline results", answerInlineQueryParams{InlineQueryID: "iq", Results: []inlineArticle{}, CacheTime: 30, IsPersonal: true,
			Button: &inlineQueryResultsButton{Text: "ask", StartParameter: "inline"}},
			tgbotapi.Params{"inline_query_id": "iq", "results": `[]`, "cache_time": "30", "is_personal": "true", "button": `{"start_parameter":"inline","text":"ask"}`}},
		{"reaction removed", setMessageReactionParams{ChatID: 1, MessageID: 2, Reaction: []reactionType{}},
			tgbotapi.Params{"chat_id": "1", "message_id": "2", "reaction": `[]`}},
		{"callback without text", answerCallbackQueryParams{CallbackQueryID: "c"}, tgbotapi.Params{"callback_query_id": "c"}},
		{"commands in English", setMyCommandsParams{Commands: []tgbotapi.BotCommand{{Command: "ask", Description: "Ask"}}},
			tgbotapi.Params{"commands": `[{"command":"ask","description":"Ask"}]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkEncoded(t, tc.in, tc.want) })
	}
}

// untypedParams are the tgbotapi.Params helpers that drop or ignore
// encoding errors, or build parameters outside the typed path.
var untypedParams = map[string]bool{"AddInterface": true, "AddFirstValid": true, "AddNonEmpty": true, "AddNonZero": true,
	"AddNonZero64": true, "AddBool": true, "AddNonZeroFloat": true}

// TestRequestsTyped: every Bot API request goes through the typed path.
// Outside params.go no file of the package builds tgbotapi.Params or uses
// its Add… helpers, and only [Bot.call] and [Bot.chatCall] post
// parameters (through [Bot.post], the one caller of MakeRequest).
func TestRequestsTyped(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]map[string]bool{"post": {"call": true, "chatCall": true}, "MakeRequest": {"post": true}}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "params.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, _ := d.(*ast.FuncDecl)
			ast.Inspect(d, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Params" {
						t.Errorf("%s: builds tgbotapi.Params: use a typed request (params.go)", fset.Position(n.Pos()))
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						break
					}
					if untypedParams[sel.Sel.Name] {
						t.Errorf("%s: %s: use a typed request (params.go)", fset.Position(n.Pos()), sel.Sel.Name)
					}
					if callers, ok := allowed[sel.Sel.Name]; ok && (fn == nil || !callers[fn.Name.Name]) {
						t.Errorf("%s: %s outside %v", fset.Position(n.Pos()), sel.Sel.Name, callers)
					}
				}
				return true
			})
		}
	}
}
