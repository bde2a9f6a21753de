// Package fetch downloads a document a user links to (a web page, a PDF,
// an office file, an image) for the chat's document library, without
// letting the link reach into the network citebot runs in.
//
// # What is refused
//
// A link must be http or https, with a host and without a user name or
// password ([ParseURL], [ErrScheme]); any port is allowed. The fetch
// connects only to public addresses ([ErrBlocked]): refused are
// loopback (127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16,
// fc00::/7), link-local (169.254/16, including the cloud metadata
// address 169.254.169.254, and fe80::/10), unspecified (0.0.0.0/8, ::),
// carrier-grade NAT (100.64/10), multicast, reserved and broadcast
// (240/4), the IETF protocol and benchmarking ranges, and every IPv6
// address outside global unicast 2000::/3. IPv4-mapped addresses
// (::ffff:127.0.0.1), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) are
// judged by the IPv4 address they embed; Teredo (2001::/32) is refused.
// The documentation ranges route nowhere and are allowed. Host names
// are not judged by their spelling: "localhost" or
// "metadata.google.internal" resolve as usual and are refused by their
// addresses.
//
// # Why the check sits in the dialer
//
// Checking a host's addresses before the request and then letting the
// HTTP client resolve it again leaves a gap: a name server can answer
// the check with a public address and the connection with a private one
// (DNS rebinding). So the transport's DialContext resolves the name
// itself, skips refused addresses and dials the others as IP literals,
// and the net.Dialer's Control function checks the numeric address once
// more just before the socket connects. The address checked is the
// address connected to. Every redirect dials afresh and so passes the
// same check; redirects are also held to the link rules and to
// Options.MaxRedirects. The transport ignores HTTP_PROXY and its kin: a
// proxy would connect on the fetch's behalf, past the check.
//
// # Limits
//
// Options.Timeout bounds the whole fetch, redirects and a slowly
// trickled body included ([ErrTimeout]). A body over Options.MaxBytes
// is refused by its Content-Length before it is read, or after
// MaxBytes+1 bytes when the length is not declared ([ErrTooLarge]). A
// status other than 2xx gives [ErrHTTPStatus].
//
// # Types and names
//
// The content types accepted are those the intake reads: HTML and XHTML,
// plain text, Markdown, PDF, Word (.docx), OpenDocument text, EPUB, PNG
// and JPEG (TIFF and WebP are listed but accepted only once
// document.IsSupportedFile takes their extensions), and
// application/octet-stream (or no type) when the file name has a
// supported extension. Others give [ErrUnsupported].
//
// [Result.Name] is the Content-Disposition file name if there is a
// usable one (with the type's extension added if it lacks it), else the
// URL path's last segment if it has the type's extension, else the host
// and path as a slug with the type's extension ("example.org-wiki-Go.html").
// Names are at most [MaxName] bytes, hold no slashes, control or bidi
// characters and do not start with a dot.
//
// Error texts are short sentences a user may be shown; they name a link
// as scheme://host/path at most, never with its query, which may carry a
// token.
package fetch
