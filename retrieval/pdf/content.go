package pdf

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// Content streams (and CMaps, which share their syntax) are split into
// operators and operands here rather than by the reader's interpreter,
// whose lexer loops forever on a hex string left open at the end of a
// stream.

// operand is an operand in a content stream.
type operand struct {
	kind byte    // 'n' number, 's' string, '/' name, '[' array, '?' other
	num  float64 // a number
	s    string  // the bytes of a string, a name without its slash
	arr  []operand
}

// number returns the operand's value if it is a number, else 0.
func (o operand) number() float64 {
	if o.kind != 'n' {
		return 0
	}
	return o.num
}

// operandNumbers returns the values of args, if they are all numbers.
func operandNumbers(args []operand) ([]float64, bool) {
	nums := make([]float64, len(args))
	for i, a := range args {
		if a.kind != 'n' {
			return nil, false
		}
		nums[i] = a.num
	}
	return nums, true
}

// Limits of content stream parsing.
const (
	maxContentNesting  = 32      // nesting of arrays
	maxContentOperands = 1 << 16 // operands of one operator, elements of one array
)

// contentOps calls do with each operator of the content stream data and
// its operands, until do returns false. do must not keep args. Operators
// inside arrays, dictionaries (which become '?' operands), inline images
// (BI ... ID data EI) and comments are skipped; malformed input never
// stops the scan early.
func contentOps(data []byte, do func(op string, args []operand) bool) {
	l := contentLexer{data: data}
	var args []operand
	var arrays [][]operand // the open arrays, innermost last
	deep := 0              // open arrays beyond maxContentNesting
	push := func(o operand) {
		if n := len(arrays); n > 0 {
			if len(arrays[n-1]) < maxContentOperands {
				arrays[n-1] = append(arrays[n-1], o)
			}
		} else if len(args) < maxContentOperands {
			args = append(args, o)
		}
	}
	for {
		l.skipSpace()
		if l.pos >= len(data) {
			return
		}
		switch c := data[l.pos]; {
		case c == '(':
			push(operand{kind: 's', s: l.literal()})
		case c == '<' && l.at(1) == '<':
			l.skipDict()
			push(operand{kind: '?'})
		case c == '<':
			push(operand{kind: 's', s: l.hex()})
		case c == '[':
			l.pos++
			if deep > 0 || len(arrays) == maxContentNesting {
				deep++
			} else {
				arrays = append(arrays, nil)
			}
		case c == ']':
			l.pos++
			if deep > 0 {
				deep--
			} else if n := len(arrays); n > 0 {
				a := arrays[n-1]
				arrays = arrays[:n-1]
				push(operand{kind: '[', arr: a})
			}
		case c == '/':
			l.pos++
			push(operand{kind: '/', s: l.word()})
		case isDelimiter(c): // a stray ), >, { or }
			l.pos++
		default:
			w := l.word()
			switch {
			case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
				if f, err := strconv.ParseFloat(w, 64); err == nil && !math.IsInf(f, 0) {
					push(operand{kind: 'n', num: f})
				} else {
					push(operand{kind: '?'})
				}
			case w == "true" || w == "false" || w == "null":
				push(operand{kind: '?'})
			case len(arrays) > 0 || deep > 0:
				// An operator inside an array: malformed, ignored.
			case w == "BI":
				l.skipInlineImage()
				args = args[:0]
			default:
				if !do(w, args) {
					return
				}
				args = args[:0]
			}
		}
	}
}

// contentLexer reads the tokens of a content stream.
type contentLexer struct {
	data []byte
	pos  int
}

// isSpace reports whether c is white space (PDF 32000 §7.2.2).
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

// isDelimiter reports whether c is a delimiter (PDF 32000 §7.2.2).
func isDelimiter(c byte) bool {
	return strings.IndexByte("()<>[]{}/%", c) >= 0
}

// at returns the byte i after the current one, or 0 past the end.
func (l *contentLexer) at(i int) byte {
	if l.pos+i < len(l.data) {
		return l.data[l.pos+i]
	}
	return 0
}

// skipSpace skips white space and comments.
func (l *contentLexer) skipSpace() {
	for l.pos < len(l.data) {
		switch c := l.data[l.pos]; {
		case c == '%':
			for l.pos < len(l.data) && l.data[l.pos] != '\n' && l.data[l.pos] != '\r' {
				l.pos++
			}
		case isSpace(c):
			l.pos++
		default:
			return
		}
	}
}

// word reads a regular token (a number, name or operator) up to white space
// or a delimiter.
func (l *contentLexer) word() string {
	start := l.pos
	for l.pos < len(l.data) && !isSpace(l.data[l.pos]) && !isDelimiter(l.data[l.pos]) {
		l.pos++
	}
	return string(l.data[start:l.pos])
}

// literal reads a literal string, from its '(' to the matching ')' or the
// end, decoding escapes (PDF 32000 §7.3.4.2).
func (l *contentLexer) literal() string {
	var b []byte
	depth := 0
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		switch c {
		case '(':
			if depth++; depth == 1 {
				continue
			}
		case ')':
			if depth--; depth == 0 {
				return string(b)
			}
		case '\\':
			if l.pos >= len(l.data) {
				return string(b)
			}
			c = l.data[l.pos]
			l.pos++
			switch c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.at(0) == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := c - '0'
				for i := 0; i < 2 && l.at(0) >= '0' && l.at(0) <= '7'; i++ {
					v = v<<3 | (l.at(0) - '0')
					l.pos++
				}
				c = v
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// hex reads a hex string, from its '<' to the '>' or the end.
func (l *contentLexer) hex() string {
	l.pos++
	end := bytes.IndexByte(l.data[l.pos:], '>')
	if end < 0 {
		end = len(l.data) - l.pos
	}
	h := decodeHex(l.data[l.pos : l.pos+end])
	l.pos = min(len(l.data), l.pos+end+1)
	return h
}

// skipDict skips a dictionary, from its "<<" to the matching ">>" or the
// end.
func (l *contentLexer) skipDict() {
	depth := 0
	for {
		l.skipSpace()
		if l.pos >= len(l.data) {
			return
		}
		switch c := l.data[l.pos]; {
		case c == '<' && l.at(1) == '<':
			depth++
			l.pos += 2
		case c == '>' && l.at(1) == '>':
			l.pos += 2
			if depth--; depth == 0 {
				return
			}
		default:
			l.skipToken()
		}
	}
}

// skipToken skips the token at the current position, which does not start
// or end a dictionary: a hex or literal string, a delimiter or a regular
// token, which it returns.
func (l *contentLexer) skipToken() string {
	switch c := l.data[l.pos]; {
	case c == '<':
		l.hex()
	case c == '(':
		l.literal()
	case isDelimiter(c):
		l.pos++
	default:
		return l.word()
	}
	return ""
}

// skipInlineImage skips an inline image after its BI operator: the
// parameters up to ID, one white-space byte and the data up to an EI
// between white space (PDF 32000 §8.9.7).
func (l *contentLexer) skipInlineImage() {
	for {
		l.skipSpace()
		if l.pos >= len(l.data) {
			return
		}
		if l.data[l.pos] == '<' && l.at(1) == '<' {
			l.skipDict()
		} else if l.skipToken() == "ID" {
			l.skipImageData()
			return
		}
	}
}

// skipImageData skips the data of an inline image after its ID operator:
// one white-space byte and the data up to an EI between white space.
func (l *contentLexer) skipImageData() {
	l.pos++
	for l.pos < len(l.data) {
		i := bytes.Index(l.data[l.pos:], []byte("EI"))
		if i < 0 {
			l.pos = len(l.data)
			return
		}
		l.pos += i + 2
		if i > 0 && isSpace(l.data[l.pos-3]) && (l.pos == len(l.data) || isSpace(l.data[l.pos])) {
			return
		}
	}
}

// decodeHex returns the bytes of the hex digits in h, ignoring white space
// and other bytes; an odd last digit is followed by 0 (PDF 32000 §7.3.4.3).
func decodeHex(h []byte) string {
	out := make([]byte, 0, len(h)/2+1)
	half, odd := byte(0), false
	for _, c := range h {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			continue
		}
		if odd {
			out = append(out, half<<4|v)
		} else {
			half = v
		}
		odd = !odd
	}
	if odd {
		out = append(out, half<<4)
	}
	return string(out)
}
