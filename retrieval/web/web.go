// Package web reads the main content of a saved web page (.html, .htm):
// navigation, sidebars, footers, scripts and styles are not document text.
// It uses a readability library to find the article and returns
// Markdown-style text (see retrieval/office for the shape).
package web

import "errors"

// ErrNotImplemented is returned until the reader is written.
var ErrNotImplemented = errors.New("not implemented")

// HTML returns the main content of the web page raw as Markdown-style text.
func HTML(raw []byte) (string, error) { return "", ErrNotImplemented }
