package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Rich messages (Bot API 10.1 "Rich messages", 10.3 stop buttons and
// expandable block quotations), checked as the documentation defines
// them:
//
//   - sendRichMessage: rich_message (InputRichMessage) required; chat_id
//     required unless the message is an ephemeral reply
//     (ephemeral_message_parameters); the parameters the method's page
//     lists, no others.
//   - sendRichMessageDraft: chat_id of a private chat, draft_id non-zero,
//     rich_message required, message_thread_id, can_stop and keep_on_stop.
//   - InputRichMessage: "Exactly one of the fields html, markdown, or
//     blocks must be used"; media, is_rtl and skip_entity_detection.
//   - Rich Message Limits: up to 32768 characters of text (counted in
//     code points: "UTF-8 characters"), up to 500 blocks counting nested
//     blocks, up to 16 levels of nested formatting and blocks.
//   - RichTextReferenceLink ("reference_link") names by reference_name a
//     RichTextReference ("reference", name) of the same message; names
//     are unique; a reference or a link holds no reference or link.
//
// Blocks given as html or markdown are accepted as they are (the fake
// does not parse them); explicit blocks are parsed and must be of the
// kinds the fake knows: paragraph, section_heading, footer, divider,
// blockquote, expandable_blockquote and details, with RichText made of
// strings, arrays and the entities bold, italic, underline,
// strikethrough, spoiler, subscript, superscript, marked, code, url,
// reference and reference_link. Any other kind is refused as Telegram
// refuses a malformed one (400), naming the kind.

var (
	richMessageParams = []string{"business_connection_id", "chat_id", "message_thread_id", "direct_messages_topic_id",
		"ephemeral_message_parameters", "rich_message", "disable_notification", "protect_content", "allow_paid_broadcast",
		"message_effect_id", "suggested_post_parameters", "reply_parameters", "reply_markup"}
	richDraftParams = []string{"chat_id", "draft_id", "rich_message", "message_thread_id", "can_stop", "keep_on_stop"}
)

// Rich message limits ("Rich Message Limits").
const (
	RichMaxChars  = 32768
	RichMaxBlocks = 500
	RichMaxDepth  = 16
)

// RichMessage is an InputRichMessage the fake accepted, read back.
type RichMessage struct {
	// ID is the message id (0 for a draft); Chat, ReplyTo and Markup
	// (reply_markup JSON) as for [Message].
	ID      int
	Chat    int64
	ReplyTo int
	Markup  string
	// Raw is the rich_message JSON as sent.
	Raw string
	// Text is the plain text of every block, in order, blocks separated
	// by a blank line (html or markdown as given).
	Text string
	// Footnotes are the message's references, in order.
	Footnotes []Footnote
	// Links are the reference names its reference links point to, in
	// order.
	Links []string
}

// Footnote is a RichTextReference of a rich message: its name, its text,
// and the plain text of the block quotation right after the block that
// holds it ("" when none follows).
type Footnote struct {
	Name, Label, Quote string
}

// RichDraft is a sendRichMessageDraft the fake accepted.
type RichDraft struct {
	Chat              int64
	DraftID, Thread   int
	CanStop, KeepStop bool
	Message           RichMessage
	Time              time.Time
}

// RichMessages returns the rich messages accepted in chat, in order.
func (s *Server) RichMessages(chat int64) []RichMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(s.rich), func(m RichMessage) bool { return m.Chat != chat })
}

// RichDrafts returns the rich drafts accepted for chat, in order.
func (s *Server) RichDrafts(chat int64) []RichDraft {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(s.richDrafts), func(d RichDraft) bool { return d.Chat != chat })
}

// undocumentedIn returns the first parameter of r not in names, or "".
func undocumentedIn(r Request, names []string) string {
	for k := range r.Params {
		if !slices.Contains(names, k) {
			return k
		}
	}
	return ""
}

// sendRichMessage accepts a valid rich message, stores it as a message
// whose Text is its plain text, and answers like Telegram.
func (s *Server) sendRichMessage(r Request) *Response {
	if k := undocumentedIn(r, richMessageParams); k != "" {
		return badRequest("unexpected parameter " + k)
	}
	if r.Get("chat_id") == "" && r.Get("ephemeral_message_parameters") == "" {
		return badRequest("chat_id is required")
	}
	m, err := ParseRichMessage(r.Get("rich_message"))
	if err != nil {
		return badRequest(err.Error())
	}
	s.mu.Lock()
	s.nextMsgID++
	m.ID, m.Chat, m.ReplyTo, m.Markup = s.nextMsgID, r.ChatID(), r.ReplyTo(), r.Get("reply_markup")
	s.messages[m.ID] = &Message{ID: m.ID, Chat: m.Chat, Text: m.Text, Markup: m.Markup, ReplyTo: m.ReplyTo, Sent: time.Now(), Rich: true}
	s.rich = append(s.rich, m)
	s.mu.Unlock()
	return OK(map[string]any{
		"message_id": m.ID, "date": time.Now().Unix(),
		"chat": map[string]any{"id": m.Chat, "type": "private"}, "from": identity(),
	})
}

// sendRichMessageDraft accepts a valid rich draft in a private chat.
func (s *Server) sendRichMessageDraft(r Request) *Response {
	if k := undocumentedIn(r, richDraftParams); k != "" {
		return badRequest("unexpected parameter " + k)
	}
	chat, draft, bad := draftTarget(r)
	if bad != nil {
		return bad
	}
	var err error
	d := RichDraft{Chat: chat, DraftID: draft, Time: time.Now()}
	for k, p := range map[string]*bool{"can_stop": &d.CanStop, "keep_on_stop": &d.KeepStop} {
		if v := r.Get(k); v != "" {
			if *p, err = strconv.ParseBool(v); err != nil {
				return badRequest("invalid " + k)
			}
		}
	}
	d.Thread, _ = strconv.Atoi(r.Get("message_thread_id"))
	if d.Message, err = ParseRichMessage(r.Get("rich_message")); err != nil {
		return badRequest(err.Error())
	}
	d.Message.Chat = chat
	s.mu.Lock()
	s.richDrafts = append(s.richDrafts, d)
	s.mu.Unlock()
	return OK(true)
}

// ParseRichMessage checks an InputRichMessage (JSON) as the fake does and
// reads it back; its errors read like Telegram's descriptions.
func ParseRichMessage(raw string) (RichMessage, error) {
	if raw == "" {
		return RichMessage{}, errors.New("rich_message is required")
	}
	var in struct {
		Blocks              []json.RawMessage `json:"blocks"`
		HTML                *string           `json:"html"`
		Markdown            *string           `json:"markdown"`
		Media               json.RawMessage   `json:"media"`
		IsRTL               *bool             `json:"is_rtl"`
		SkipEntityDetection *bool             `json:"skip_entity_detection"`
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return RichMessage{}, fmt.Errorf("can't parse rich message JSON object: %v", err)
	}
	set := 0
	for _, b := range []bool{in.Blocks != nil, in.HTML != nil, in.Markdown != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return RichMessage{}, errors.New("RICH_MESSAGE_INVALID: exactly one of html, markdown and blocks must be used")
	}
	m := RichMessage{Raw: raw}
	switch {
	case in.HTML != nil:
		m.Text = *in.HTML
	case in.Markdown != nil:
		m.Text = *in.Markdown
	default:
		p := &richParser{lastNote: -1}
		texts, err := p.blocks(in.Blocks, 1)
		if err != nil {
			return RichMessage{}, err
		}
		if p.chars > RichMaxChars {
			return RichMessage{}, fmt.Errorf("RICH_MESSAGE_TOO_LONG: %d characters, at most %d", p.chars, RichMaxChars)
		}
		if err := p.check(); err != nil {
			return RichMessage{}, err
		}
		m.Text, m.Footnotes, m.Links = strings.Join(texts, "\n\n"), p.notes, p.links
	}
	if strings.TrimSpace(m.Text) == "" {
		return RichMessage{}, errors.New("RICH_MESSAGE_EMPTY: message text is empty")
	}
	return m, nil
}

// richParser reads explicit blocks, counting what the limits count.
type richParser struct {
	blockCount int
	notes      []Footnote
	links      []string
	chars      int
	lastNote   int // index in notes of the last reference of the block before, -1: none
}

// check applies the rules that need the whole message.
func (p *richParser) check() error {
	if p.blockCount > RichMaxBlocks {
		return fmt.Errorf("RICH_MESSAGE_TOO_LONG: %d blocks, at most %d", p.blockCount, RichMaxBlocks)
	}
	names := map[string]bool{}
	for _, n := range p.notes {
		if names[n.Name] {
			return fmt.Errorf("REFERENCE_NAME_DUPLICATE: reference %q is defined twice", n.Name)
		}
		names[n.Name] = true
	}
	for _, l := range p.links {
		if !names[l] {
			return fmt.Errorf("REFERENCE_NOT_FOUND: reference link to %q, which the message does not define", l)
		}
	}
	return nil
}

type rawBlock struct {
	Type   string            `json:"type"`
	Text   json.RawMessage   `json:"text"`
	Blocks []json.RawMessage `json:"blocks"`
	Credit json.RawMessage   `json:"credit"`
	Size   int               `json:"size"`
	// details
	Summary json.RawMessage `json:"summary"`
	IsOpen  bool            `json:"is_open"`
}

// blocks reads a list of blocks at nesting depth and returns their plain
// texts.
func (p *richParser) blocks(raws []json.RawMessage, depth int) ([]string, error) {
	if depth > RichMaxDepth {
		return nil, fmt.Errorf("RICH_MESSAGE_TOO_DEEP: more than %d levels of nesting", RichMaxDepth)
	}
	var out []string
	for _, raw := range raws {
		var b rawBlock
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, fmt.Errorf("can't parse InputRichBlock: %v", err)
		}
		p.blockCount++
		before, prev := len(p.notes), p.lastNote
		text, err := p.block(b, depth)
		if err != nil {
			return nil, err
		}
		switch {
		case b.Type == "blockquote" || b.Type == "expandable_blockquote":
			if prev >= 0 && p.notes[prev].Quote == "" {
				p.notes[prev].Quote = text
			}
			p.lastNote = -1
		case len(p.notes) > before:
			p.lastNote = len(p.notes) - 1
		default:
			p.lastNote = -1
		}
		out = append(out, text)
	}
	return out, nil
}

// block reads one block and returns its plain text.
func (p *richParser) block(b rawBlock, depth int) (string, error) {
	needText := func() (string, error) {
		if len(b.Text) == 0 {
			return "", fmt.Errorf("field text of %s block is required", b.Type)
		}
		return p.text(b.Text, depth+1, "")
	}
	switch b.Type {
	case "paragraph", "section_heading", "footer", "expandable_blockquote":
		if b.Type == "section_heading" && (b.Size < 0 || b.Size > 6) {
			return "", errors.New("section heading size must be 1-6")
		}
		return needText()
	case "divider":
		return "", nil
	case "blockquote":
		if b.Blocks == nil {
			return "", errors.New("field blocks of blockquote block is required")
		}
		texts, err := p.blocks(b.Blocks, depth+1)
		return strings.Join(texts, "\n"), err
	case "details":
		if len(b.Summary) == 0 || b.Blocks == nil {
			return "", errors.New("fields summary and blocks of details block are required")
		}
		sum, err := p.text(b.Summary, depth+1, "")
		if err != nil {
			return "", err
		}
		texts, err := p.blocks(b.Blocks, depth+1)
		return strings.Join(append([]string{sum}, texts...), "\n"), err
	case "":
		return "", errors.New("field type of InputRichBlock is required")
	}
	return "", fmt.Errorf("unsupported InputRichBlock type %q", b.Type)
}

// plainEntities hold only text.
var plainEntities = []string{"bold", "italic", "underline", "strikethrough", "spoiler", "subscript", "superscript", "marked", "code"}

// text reads a RichText at depth and returns its plain text; inLink is
// the kind of reference entity it is inside ("" for none).
func (p *richParser) text(raw json.RawMessage, depth int, inLink string) (string, error) {
	if depth > RichMaxDepth {
		return "", fmt.Errorf("RICH_MESSAGE_TOO_DEEP: more than %d levels of nesting", RichMaxDepth)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		p.chars += utf8.RuneCountInString(s)
		return s, nil
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		var sb strings.Builder
		for _, r := range arr {
			t, err := p.text(r, depth, inLink)
			if err != nil {
				return "", err
			}
			sb.WriteString(t)
		}
		return sb.String(), nil
	}
	var e struct {
		Type          string          `json:"type"`
		Text          json.RawMessage `json:"text"`
		Name          *string         `json:"name"`
		ReferenceName *string         `json:"reference_name"`
		URL           *string         `json:"url"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return "", fmt.Errorf("can't parse RichText: %v", err)
	}
	if len(e.Text) == 0 {
		return "", fmt.Errorf("field text of %s rich text is required", e.Type)
	}
	switch {
	case slices.Contains(plainEntities, e.Type):
		return p.text(e.Text, depth+1, inLink)
	case e.Type == "url":
		if e.URL == nil || *e.URL == "" {
			return "", errors.New("field url of url rich text is required")
		}
		return p.text(e.Text, depth+1, inLink)
	case e.Type == "reference" || e.Type == "reference_link":
		if inLink != "" {
			return "", fmt.Errorf("ENTITY_NESTING_INVALID: a %s can't be inside a %s", e.Type, inLink)
		}
		name := e.Name
		if e.Type == "reference_link" {
			name = e.ReferenceName
		}
		if name == nil || *name == "" {
			return "", fmt.Errorf("REFERENCE_NAME_INVALID: %s without a name", e.Type)
		}
		t, err := p.text(e.Text, depth+1, e.Type)
		if err != nil {
			return "", err
		}
		if e.Type == "reference" {
			p.notes = append(p.notes, Footnote{Name: *name, Label: t})
		} else {
			p.links = append(p.links, *name)
		}
		return t, nil
	}
	return "", fmt.Errorf("unsupported RichText type %q", e.Type)
}

// GenerationStopped is the update a user's press of the stop button of
// draft draftID in their private chat sends (stopped_message_generation,
// a MessageGenerationStopped).
func GenerationStopped(u User, draftID int) Update {
	return Update{"stopped_message_generation": map[string]any{
		"chat": privateChat(u.ID), "draft_id": draftID}}
}

// Text returns the text a request shows: a rich message's plain text (see
// [RichMessage.Text]; the raw JSON when it does not parse), else its text
// parameter.
func (r Request) Text() string {
	if raw := r.Get("rich_message"); raw != "" {
		if m, err := ParseRichMessage(raw); err == nil {
			return m.Text
		}
		return raw
	}
	return r.Get("text")
}
