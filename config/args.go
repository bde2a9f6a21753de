package config

import "flag"

// ParseArgs parses the flags in args with fs wherever they stand, before,
// between or after the positional arguments, and returns the positionals
// in order: fs.Parse alone stops at the first positional, so ParseArgs
// parses, takes that one, and parses the rest again. "--" ends the flags:
// everything after it is positional. (A flag whose value is literally
// "--" takes it as its value, and what follows is read as positionals.)
func ParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
