package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds a configuration file.
const maxFileSize = 1 << 20

// ApplyFile sets c from a YAML configuration file. Keys are the file keys
// of the settings table (docs/configuration.md, config.example.yaml); an unknown key, a key
// set twice or a value of the wrong type is an error naming the file, the
// key and the line: "workers (line 3): want an integer, got \"five\"".
// Relative paths in the file (docs, data_dir) are relative to the file's
// folder.
func (c *Config) ApplyFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return fmt.Errorf("config file %s: larger than %d bytes", path, maxFileSize)
	}
	if err := c.applyYAML(data, path); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// applyYAML sets c from the YAML document data, read from file, whose
// folder relative paths are relative to. It reports every bad entry, not
// only the first.
func (c *Config) applyYAML(data []byte, file string) error {
	root, err := yamlRoot(data)
	if err != nil || root == nil {
		return err
	}
	var errs []error
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		s := lookup(k.Value)
		switch {
		case k.Kind != yaml.ScalarNode:
			errs = append(errs, fmt.Errorf("line %d: a setting name must be a plain word", k.Line))
			continue
		case s == nil:
			errs = append(errs, unknownKey(k))
			continue
		case seen[s.key] != 0:
			errs = append(errs, fmt.Errorf("%s (line %d): set twice, first on line %d", s.key, k.Line, seen[s.key]))
			continue
		}
		seen[s.key] = k.Line
		if err := decodeNode(s.field(c), v); err != nil {
			var ne *nodeError
			if errors.As(err, &ne) {
				err = fmt.Errorf("%s (line %d): %s", s.key, ne.line, ne.msg)
			}
			errs = append(errs, err)
			continue
		}
		if s.path {
			relativeTo(s.field(c), filepath.Dir(file))
		}
		c.setOrigin(s.key, fmt.Sprintf("%s (%s line %d)", s.key, Scrub(file), k.Line))
	}
	return errors.Join(errs...)
}

// yamlRoot parses data and returns its top-level mapping, or nil for an
// empty document.
func yamlRoot(data []byte) (*yaml.Node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, errors.New("want one YAML document, found more (a second ---)")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want settings as key: value lines, got %s", root.Line, describe(root, false))
	}
	return root, nil
}

// unknownKey reports a file key that is no setting, with the right key
// when the user wrote a flag or variable name.
func unknownKey(k *yaml.Node) error {
	err := fmt.Errorf("unknown setting %s (line %d)", shown(k.Value), k.Line)
	for i := range settings {
		s := &settings[i]
		if s.key != "" && (k.Value == s.flag || k.Value == s.env || strings.ReplaceAll(k.Value, "-", "_") == s.key) {
			return fmt.Errorf("%w: file keys are written like %s", err, s.key)
		}
	}
	return err
}

// ConfigPath finds the --config flag (or CITEBOT_CONFIG) before the other
// flags are parsed, so the file can sit below the environment and flags in
// precedence. It stops at "--", the end of flags.
func ConfigPath(args []string, getenv func(string) string) string {
	path := getenv("CITEBOT_CONFIG")
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, name := range []string{"-config", "--config"} {
			if a == name && i+1 < len(args) {
				path = args[i+1]
				i++
			} else if v, ok := strings.CutPrefix(a, name+"="); ok {
				path = v
			}
		}
	}
	return path
}

// MarshalYAML renders c in table order the way `citebot config` prints it:
// a file that --config reads back to the same configuration, run with the
// same environment. Paths are absolute; an empty value that stands for a
// default has a comment saying which; a secret, or a value holding
// credentials, is left out, with a comment naming the environment
// variable to set it with; a value that is not a default has a comment
// naming where it came from.
func (c Config) MarshalYAML() (any, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	var leftOut []string // comments on the settings left out, above the next key
	for i := range settings {
		s := &settings[i]
		if s.field == nil {
			continue
		}
		if why := c.leftOut(s); why != "" {
			leftOut = append(leftOut, why)
			continue
		}
		p := s.field(&c)
		v, err := valueNode(p, s.path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.key, err)
		}
		switch o := c.origin[s.key]; {
		case o != "":
			v.LineComment = "from " + o
		case s.unset != "" && formatValue(p) == "":
			v.LineComment = "empty means " + s.unset
		}
		k := &yaml.Node{Kind: yaml.ScalarNode, Value: s.key, HeadComment: strings.Join(leftOut, "\n")}
		m.Content = append(m.Content, k, v)
		leftOut = nil
	}
	m.FootComment = strings.Join(leftOut, "\n")
	return m, nil
}

// leftOut says why [Config.MarshalYAML] leaves the setting s out, or ""
// when it prints it: s is a secret, or its value holds credentials that
// printing would scrub (and the scrubbed value would not read back).
func (c *Config) leftOut(s *setting) string {
	p := s.field(c)
	from := ""
	if o := c.origin[s.key]; o != "" {
		from = ", from " + o
	}
	if secret, ok := p.(*Secret); ok {
		state := "not set"
		if *secret != "" {
			state = "set" + from
		}
		return fmt.Sprintf("%s: a secret, never written here (%s); set it in the environment: %s", s.key, state, s.env)
	}
	if !holdsCredentials(p) {
		return ""
	}
	return fmt.Sprintf("%s: holds credentials, not written here (%s%s); set it in the environment: %s", s.key, formatValue(p), from, s.env)
}

// holdsCredentials reports whether scrubbing would change the text the
// field p points to.
func holdsCredentials(p any) bool {
	switch p := p.(type) {
	case *string:
		return Scrub(*p) != *p
	case *[]string:
		for _, v := range *p {
			if Scrub(v) != v {
				return true
			}
		}
	}
	return false
}

// valueNode is the YAML node of the field p points to; path says it holds
// paths, which it makes absolute.
func valueNode(p any, path bool) (*yaml.Node, error) {
	var v any
	switch p := p.(type) {
	case *string:
		v = Scrub(*p)
		if path {
			v = absolute(*p)
		}
	case *Secret:
		v = p.String()
	case *[]string:
		l := make([]string, len(*p))
		for i, s := range *p {
			l[i] = Scrub(s)
			if path {
				l[i] = absolute(s)
			}
		}
		v = l
	case *time.Duration:
		v = formatDuration(*p)
	default:
		v = p
	}
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	if n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	return n, nil
}

// nodeError is a bad value in the file, at a line.
type nodeError struct {
	line int
	msg  string
}

func (e *nodeError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// wantGot reports that n is not the wanted kind of value; secret hides the
// value itself.
func wantGot(want string, n *yaml.Node, secret bool) error {
	return &nodeError{n.Line, "want " + want + ", got " + describe(n, secret)}
}

// describe names a node's value for an error: the scrubbed value of a
// scalar (quoted when YAML read it as text), else its kind.
func describe(n *yaml.Node, secret bool) string {
	switch {
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.ShortTag() == "!!null":
		return "nothing"
	case secret:
		return "a " + strings.TrimPrefix(n.ShortTag(), "!!")
	case n.ShortTag() == "!!str":
		return shown(n.Value)
	}
	return strings.Trim(shown(n.Value), `"`)
}

// decodeNode sets the field p points to from the YAML value n, strictly:
// an int setting takes only a YAML integer (1.5 and "5" are errors), a
// duration only text with a unit, a list a YAML list (or one item).
func decodeNode(p any, n *yaml.Node) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	tag := n.ShortTag()
	scalar := n.Kind == yaml.ScalarNode
	switch p := p.(type) {
	case *string, *Secret:
		_, secret := p.(*Secret)
		if !scalar {
			return wantGot("text", n, secret)
		}
		v := n.Value
		if tag == "!!null" {
			v = ""
		}
		return parseText(p, v)
	case *int, *int64:
		if !scalar || tag != "!!int" {
			return wantGot("an integer", n, false)
		}
		var i int64
		if err := n.Decode(&i); err != nil || (i != int64(int(i))) {
			return wantGot("an integer", n, false)
		}
		return parseText(p, strconv.FormatInt(i, 10))
	case *float64:
		var f float64
		if !scalar || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			return wantGot("a number", n, false)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return wantGot("a finite number", n, false)
		}
		*p = f
	case *bool:
		if !scalar || tag != "!!bool" || n.Decode(p) != nil {
			return wantGot("true or false", n, false)
		}
	case *time.Duration:
		d, err := time.ParseDuration(n.Value)
		if !scalar || (tag != "!!str" && tag != "!!int") || err != nil {
			return wantGot("a duration such as 1.5s or 10m", n, false)
		}
		*p = d
	case *[]string, *[]int64:
		return decodeList(p, n)
	default:
		return fmt.Errorf("unsupported setting type %T", p)
	}
	return nil
}

// decodeList sets a list setting from a YAML list, a single item, or
// nothing (an empty list).
func decodeList(p any, n *yaml.Node) error {
	items := n.Content
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		items = nil
	case n.Kind == yaml.ScalarNode:
		items = []*yaml.Node{n}
	case n.Kind != yaml.SequenceNode:
		return wantGot("a list such as [a, b]", n, false)
	}
	switch p := p.(type) {
	case *[]string:
		out := make([]string, 0, len(items))
		for _, it := range items {
			if it.Kind != yaml.ScalarNode || it.ShortTag() == "!!null" {
				return wantGot("a path", it, false)
			}
			out = append(out, it.Value)
		}
		*p = out
	case *[]int64:
		out := make([]int64, 0, len(items))
		for _, it := range items {
			var id int64
			if it.Kind != yaml.ScalarNode || it.ShortTag() != "!!int" || it.Decode(&id) != nil {
				return wantGot("an integer id", it, false)
			}
			out = append(out, id)
		}
		*p = out
	}
	return nil
}
