package config

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseText parses v, the text of an environment variable, a flag or a
// default, into the field p points to. Its errors say what was wanted and
// show the value scrubbed, never a secret (secrets and strings cannot fail).
func parseText(p any, v string) error {
	switch p := p.(type) {
	case *string:
		*p = v
	case *Secret:
		*p = Secret(v)
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want an integer, got %s", shown(v))
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer, got %s", shown(v))
		}
		*p = n
	case *float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("want a finite number, got %s", shown(v))
		}
		*p = f
	case *bool:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want true or false, got %s", shown(v))
		}
		*p = b
	case *time.Duration:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want a duration such as 1.5s or 10m, got %s", shown(v))
		}
		*p = d
	case *[]string:
		*p = splitPaths(v)
	case *[]int64:
		ids, err := ParseIDs(v)
		if err != nil {
			return err
		}
		*p = ids
	default:
		return fmt.Errorf("unsupported setting type %T", p)
	}
	return nil
}

// formatValue is the text form of the field p points to, as flags show
// defaults: secrets redacted, other strings scrubbed of credentials.
func formatValue(p any) string {
	switch p := p.(type) {
	case *string:
		return Scrub(*p)
	case *Secret:
		return p.String()
	case *int:
		return strconv.Itoa(*p)
	case *int64:
		return strconv.FormatInt(*p, 10)
	case *float64:
		return strconv.FormatFloat(*p, 'g', -1, 64)
	case *bool:
		return strconv.FormatBool(*p)
	case *time.Duration:
		return formatDuration(*p)
	case *[]string:
		return Scrub(strings.Join(*p, ","))
	case *[]int64:
		s := make([]string, len(*p))
		for i, n := range *p {
			s[i] = strconv.FormatInt(n, 10)
		}
		return strings.Join(s, ",")
	}
	return ""
}

// formatDuration prints d without trailing zero units: 10m, not 10m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ApplyEnv sets c from the environment read through getenv. Unset or empty
// variables leave c unchanged. Every bad variable is reported, each error
// naming its variable.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	var errs []error
	for i := range settings {
		s := &settings[i]
		v := getenv(s.env)
		if v == "" || s.field == nil {
			continue
		}
		if err := parseText(s.field(c), v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.env, err))
			continue
		}
		c.setOrigin(s.key, s.env)
	}
	return errors.Join(errs...)
}

// RegisterFlags defines on fs the flags of the settings that command (a
// subcommand name such as "ask") uses; "config" or a name that is not a
// subcommand defines them all. Their defaults are c's current values, so
// parsing fs after [Config.ApplyFile] and [Config.ApplyEnv] gives flags >
// environment > file > defaults. A repeated list flag (--doc a --doc b)
// replaces the earlier sources' list on first use and appends after.
func (c *Config) RegisterFlags(fs *flag.FlagSet, command string) {
	sc := scopeOf(command)
	for i := range settings {
		s := &settings[i]
		if s.scope&sc == 0 {
			continue
		}
		fs.Var(&flagValue{s: s, c: c}, s.flag, s.help)
	}
}

// flagValue is the flag.Value of one setting.
type flagValue struct {
	s    *setting
	c    *Config
	path string // --config's value; the file was read by [ConfigPath]
	used bool   // a list flag was already given once
}

func (f *flagValue) String() string {
	if f == nil || f.s == nil {
		return ""
	}
	if f.s.field == nil {
		return f.path
	}
	return formatValue(f.s.field(f.c))
}

// defaultText is the flag's default for -h: the value in effect, or what
// an empty value means.
func (f *flagValue) defaultText() string {
	if v := f.String(); v != "" {
		return v
	}
	return f.s.unset
}

func (f *flagValue) Set(v string) error {
	if f.s.field == nil {
		f.path = v
		return nil
	}
	p := f.s.field(f.c)
	switch p := p.(type) {
	case *[]string:
		if !f.used {
			*p = nil
		}
		*p = append(*p, v) // one path per flag: paths may hold commas
	case *[]int64:
		ids, err := ParseIDs(v)
		if err != nil {
			return err
		}
		if !f.used {
			*p = nil
		}
		*p = append(*p, ids...)
	default:
		if err := parseText(p, v); err != nil {
			return err
		}
	}
	f.used = true
	f.c.setOrigin(f.s.key, "--"+f.s.flag)
	return nil
}

// IsBoolFlag lets a bool setting be given as --flag without a value.
func (f *flagValue) IsBoolFlag() bool {
	if f.s.field == nil {
		return false
	}
	_, ok := f.s.field(f.c).(*bool)
	return ok
}

// ParseIDs parses a comma- or space-separated list of Telegram ids.
func ParseIDs(v string) ([]int64, error) {
	var out []int64
	for _, f := range splitList(v) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want comma-separated integer ids, got %s", shown(f))
		}
		out = append(out, n)
	}
	return out, nil
}

// splitPaths splits a comma- or newline-separated list of paths, which may
// hold spaces.
func splitPaths(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// splitList splits a comma-, space- or newline-separated list.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}
