package bot

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Typed requests. Every Bot API request the bot makes is a value of one
// of the structs below, one per method, whose json tags name the
// method's parameters as the Bot API documents them (omitempty for the
// optional ones the bot leaves unset). [encodeParams] turns such a value
// into the form fields tgbotapi sends, and returns its error instead of
// dropping the field: a request whose parameters do not encode is never
// sent (see [Bot.call]). This file is the only one that builds
// tgbotapi.Params.

// apiRequest is the typed parameters of one Bot API method.
type apiRequest interface {
	method() string
}

// paramsError is a request whose parameters did not encode: a programming
// error, never retried (see [transient]).
type paramsError struct {
	method string
	err    error
}

func (e *paramsError) Error() string {
	return e.method + ": parameters do not encode: " + e.err.Error()
}
func (e *paramsError) Unwrap() error { return e.err }

// encodeParams turns req, a struct (or a pointer to one) whose exported
// fields all have json tags, into Bot API form fields, as tgbotapi's
// Params.AddInterface would field by field: a field of kind string is sent
// as it is; any other field (numbers, booleans, objects, arrays) as its
// JSON text, so a number is its decimal text. A field tagged omitempty is
// left out when it is empty as encoding/json defines it (false, 0, "",
// nil, or an empty array, slice or map); a nil pointer, interface, map or
// slice is never sent (nor an interface holding a nil pointer). Fields of
// an embedded struct without a tag count as the outer struct's. Tag "-"
// and unexported fields are skipped. The error, from a value json cannot
// encode (a channel, a NaN, a failing MarshalJSON) or from a value that is
// not such a struct, names the field.
func encodeParams(req any) (tgbotapi.Params, error) {
	v := reflect.ValueOf(req)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("parameters must be a struct, not %T", req)
	}
	p := tgbotapi.Params{}
	return p, addFields(p, v)
}

// addFields adds the fields of struct v to p (see [encodeParams]).
func addFields(p tgbotapi.Params, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if f.Anonymous && !hasTag && f.Type.Kind() == reflect.Struct {
			if err := addFields(p, fv); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			return fmt.Errorf("field %s of %s has no json name", f.Name, t)
		}
		if isNil(fv) || slices.Contains(strings.Split(opts, ","), "omitempty") && isEmpty(fv) {
			continue
		}
		if fv.Kind() == reflect.String {
			p[name] = fv.String()
			continue
		}
		b, err := json.Marshal(fv.Interface())
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		p[name] = string(b)
	}
	return nil
}

// isNil reports whether v is a nil pointer, interface, map or slice, or
// an interface holding a nil pointer.
func isNil(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface:
		return v.IsNil() || isNil(v.Elem())
	case reflect.Pointer, reflect.Map, reflect.Slice:
		return v.IsNil()
	}
	return false
}

// isEmpty reports whether omitempty leaves v out, as in encoding/json.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// sendMessageParams is sendMessage.
type sendMessageParams struct {
	ChatID             int64                `json:"chat_id"`
	MessageThreadID    int                  `json:"message_thread_id,omitempty"`
	Text               string               `json:"text"`
	ParseMode          string               `json:"parse_mode,omitempty"`
	LinkPreviewOptions map[string]bool      `json:"link_preview_options,omitempty"`
	ReplyParameters    *replyParameters     `json:"reply_parameters,omitempty"`
	ReplyMarkup        any                  `json:"reply_markup,omitempty"`
	Ephemeral          *ephemeralParameters `json:"ephemeral_message_parameters,omitempty"`
}

func (sendMessageParams) method() string { return "sendMessage" }

// editMessageTextParams is editMessageText.
type editMessageTextParams struct {
	ChatID             int64           `json:"chat_id"`
	MessageID          int             `json:"message_id"`
	Text               string          `json:"text"`
	ParseMode          string          `json:"parse_mode,omitempty"`
	LinkPreviewOptions map[string]bool `json:"link_preview_options,omitempty"`
	ReplyMarkup        any             `json:"reply_markup,omitempty"`
}

func (editMessageTextParams) method() string { return "editMessageText" }

// editMessageReplyMarkupParams is editMessageReplyMarkup.
type editMessageReplyMarkupParams struct {
	ChatID      int64 `json:"chat_id"`
	MessageID   int   `json:"message_id"`
	ReplyMarkup any   `json:"reply_markup,omitempty"`
}

func (editMessageReplyMarkupParams) method() string { return "editMessageReplyMarkup" }

// deleteMessageParams is deleteMessage.
type deleteMessageParams struct {
	ChatID    int64 `json:"chat_id"`
	MessageID int   `json:"message_id"`
}

func (deleteMessageParams) method() string { return "deleteMessage" }

// sendRichMessageParams is sendRichMessage.
type sendRichMessageParams struct {
	ChatID          int64            `json:"chat_id"`
	MessageThreadID int              `json:"message_thread_id,omitempty"`
	RichMessage     inputRichMessage `json:"rich_message"`
	ReplyParameters *replyParameters `json:"reply_parameters,omitempty"`
	ReplyMarkup     any              `json:"reply_markup,omitempty"`
}

func (sendRichMessageParams) method() string { return "sendRichMessage" }

// draftParams are the parameters both draft methods share: the stop
// button (can_stop), keeping the draft on stop.
type draftParams struct {
	ChatID          int64 `json:"chat_id"`
	MessageThreadID int   `json:"message_thread_id,omitempty"`
	DraftID         int   `json:"draft_id"`
	CanStop         bool  `json:"can_stop,omitempty"`
	KeepOnStop      bool  `json:"keep_on_stop,omitempty"`
}

// newDraftParams are the draft parameters for draft draftID of t's chat.
func newDraftParams(t target, draftID int) draftParams {
	return draftParams{ChatID: t.chat, MessageThreadID: t.thread, DraftID: draftID, CanStop: true, KeepOnStop: true}
}

// sendMessageDraftParams is sendMessageDraft.
type sendMessageDraftParams struct {
	draftParams
	Text      string `json:"text"`
	ParseMode string `json:"parse_mode,omitempty"`
}

func (sendMessageDraftParams) method() string { return "sendMessageDraft" }

// sendRichMessageDraftParams is sendRichMessageDraft.
type sendRichMessageDraftParams struct {
	draftParams
	RichMessage inputRichMessage `json:"rich_message"`
}

func (sendRichMessageDraftParams) method() string { return "sendRichMessageDraft" }

// sendChatActionParams is sendChatAction.
type sendChatActionParams struct {
	ChatID          int64  `json:"chat_id"`
	MessageThreadID int    `json:"message_thread_id,omitempty"`
	Action          string `json:"action"`
}

func (sendChatActionParams) method() string { return "sendChatAction" }

// answerCallbackQueryParams is answerCallbackQuery.
type answerCallbackQueryParams struct {
	CallbackQueryID string `json:"callback_query_id"`
	Text            string `json:"text,omitempty"`
	ShowAlert       bool   `json:"show_alert,omitempty"`
}

func (answerCallbackQueryParams) method() string { return "answerCallbackQuery" }

// setMessageReactionParams is setMessageReaction. An empty Reaction
// (not nil: nil is not sent) removes the bot's reaction.
type setMessageReactionParams struct {
	ChatID    int64          `json:"chat_id"`
	MessageID int            `json:"message_id"`
	Reaction  []reactionType `json:"reaction"`
}

func (setMessageReactionParams) method() string { return "setMessageReaction" }

// inlineQueryResultsButton is the Bot API InlineQueryResultsButton.
type inlineQueryResultsButton struct {
	StartParameter string `json:"start_parameter"`
	Text           string `json:"text"`
}

// answerInlineQueryParams is answerInlineQuery. Results must not be nil
// (nil is not sent, and Telegram requires the parameter).
type answerInlineQueryParams struct {
	InlineQueryID string                    `json:"inline_query_id"`
	Results       []inlineArticle           `json:"results"`
	CacheTime     int                       `json:"cache_time"`
	IsPersonal    bool                      `json:"is_personal,omitempty"`
	Button        *inlineQueryResultsButton `json:"button,omitempty"`
}

func (answerInlineQueryParams) method() string { return "answerInlineQuery" }

// answerGuestQueryParams is answerGuestQuery.
type answerGuestQueryParams struct {
	GuestQueryID string        `json:"guest_query_id"`
	Result       inlineArticle `json:"result"`
}

func (answerGuestQueryParams) method() string { return "answerGuestQuery" }

// getUpdatesParams is getUpdates.
type getUpdatesParams struct {
	Offset         int      `json:"offset,omitempty"`
	Limit          int      `json:"limit"`
	Timeout        int      `json:"timeout"`
	AllowedUpdates []string `json:"allowed_updates"`
}

func (getUpdatesParams) method() string { return "getUpdates" }

// setWebhookParams is setWebhook.
type setWebhookParams struct {
	URL            string   `json:"url"`
	SecretToken    string   `json:"secret_token"`
	AllowedUpdates []string `json:"allowed_updates"`
}

func (setWebhookParams) method() string { return "setWebhook" }

// deleteWebhookParams is deleteWebhook (pending updates are kept).
type deleteWebhookParams struct{}

func (deleteWebhookParams) method() string { return "deleteWebhook" }

// setMyCommandsParams is setMyCommands.
type setMyCommandsParams struct {
	Commands     []tgbotapi.BotCommand `json:"commands"`
	LanguageCode string                `json:"language_code,omitempty"`
}

func (setMyCommandsParams) method() string { return "setMyCommands" }

// getFileParams is getFile.
type getFileParams struct {
	FileID string `json:"file_id"`
}

func (getFileParams) method() string { return "getFile" }

// getChatMemberParams is getChatMember.
type getChatMemberParams struct {
	ChatID int64 `json:"chat_id"`
	UserID int64 `json:"user_id"`
}

func (getChatMemberParams) method() string { return "getChatMember" }
