package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
)

// DefaultDataDir is the data directory of serve, index and feedback when
// data_dir is not set, relative to the working directory: the bot's
// documents, store and index live where the operator runs it.
const DefaultDataDir = "citebot-data"

// unsetDataDir says, for -h and the README, where the data directory is
// when data_dir is not set.
const unsetDataDir = DefaultDataDir + " for serve, index and feedback; citebot in the user cache folder for ask, search, chat and eval"

// setDataDir sets DataDir, when it is empty, to the data directory of the
// subcommand command (see [unsetDataDir]): ask, search, chat and eval keep
// their index in the user cache folder, as [os.UserCacheDir] finds it
// through getenv, so that they leave the working directory as it was.
// "config", and subcommands that take no data_dir, keep it empty. It
// returns an error only when DataDir stays empty and the subcommand needs
// one.
func (c *Config) setDataDir(command string, getenv func(string) string) error {
	sc := scopeOf(command)
	if c.DataDir != "" || sc == ^scope(0) || sc&lookup("data_dir").scope == 0 {
		return nil
	}
	if sc&forCachedIndex == 0 {
		c.DataDir = DefaultDataDir
		return nil
	}
	dir, err := userCacheDir(getenv)
	if err != nil {
		return fmt.Errorf("%s keeps its index in the user cache folder, but %w: set %s", command, err, lookup("data_dir").spellings())
	}
	c.DataDir = filepath.Join(dir, "citebot")
	return nil
}

// userCacheDir is [os.UserCacheDir] reading the environment through
// getenv.
func userCacheDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if dir := getenv("LocalAppData"); dir != "" {
			return dir, nil
		}
		return "", errors.New("%LocalAppData% is not set")
	case "darwin", "ios":
		if home := getenv("HOME"); home != "" {
			return filepath.Join(home, "Library", "Caches"), nil
		}
		return "", errors.New("$HOME is not set")
	case "plan9":
		if home := getenv("home"); home != "" {
			return filepath.Join(home, "lib", "cache"), nil
		}
		return "", errors.New("$home is not set")
	}
	if dir := getenv("XDG_CACHE_HOME"); dir != "" {
		if !filepath.IsAbs(dir) {
			return "", errors.New("$XDG_CACHE_HOME is a relative path")
		}
		return dir, nil
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".cache"), nil
	}
	return "", errors.New("neither $XDG_CACHE_HOME nor $HOME is set")
}

// relativeTo makes the relative paths p points to (a *string or a
// *[]string) relative to dir: a configuration file's paths are relative
// to its folder, not to the working directory.
func relativeTo(p any, dir string) {
	join := func(path string) string {
		if path == "" || filepath.IsAbs(path) {
			return path
		}
		return filepath.Join(dir, path)
	}
	switch p := p.(type) {
	case *string:
		*p = join(*p)
	case *[]string:
		for i := range *p {
			(*p)[i] = join((*p)[i])
		}
	}
}

// absolute returns path made absolute against the working directory, or
// path itself when that fails.
func absolute(path string) string {
	if abs, err := filepath.Abs(path); err == nil && path != "" {
		return abs
	}
	return path
}
