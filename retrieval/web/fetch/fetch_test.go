package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server is a test server on loopback that counts its requests.
type server struct {
	*httptest.Server
	port string
	addr netip.AddrPort
	hits atomic.Int32
}

func serve(t testing.TB, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if r.Method != http.MethodGet {
			t.Errorf("method %s, want GET", r.Method)
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	s.addr = netip.MustParseAddrPort(s.Listener.Addr().String())
	s.port = fmt.Sprint(s.addr.Port())
	return s
}

// testHosts resolves the test host names: each to loopback, where the
// test servers listen, except private.test.
var testHosts = hosts(map[string][]string{
	"docs.test":                {"127.0.0.1"},
	"public.test":              {"127.0.0.1"},
	"inside.test":              {"127.0.0.1"},
	"private.test":             {"10.1.2.3"},
	"metadata.google.internal": {"169.254.169.254"},
})

// local are options for fetching from test servers.
func local() Options { return Options{AllowPrivate: true, Resolver: testHosts} }

// asPublic are options under which only the given servers count as
// public; every other loopback address stays refused.
func asPublic(servers ...*server) Options {
	o := Options{Resolver: testHosts}
	for _, s := range servers {
		o.Allow = append(o.Allow, s.addr.String())
	}
	return o
}

func body(ctype, text string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		fmt.Fprint(w, text)
	}
}

func TestGetPage(t *testing.T) {
	var ua, accept string
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		ua, accept = r.UserAgent(), r.Header.Get("Accept")
		if r.URL.Path != "/wiki/Go" || r.URL.RawQuery != "lang=en" {
			t.Errorf("request for %s", r.URL)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body><p>Go</p></body></html>")
	})
	res, err := Get(t.Context(), "http://docs.test:"+s.port+"/wiki/Go?lang=en#top", local())
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Name:        "docs.test-wiki-Go.html",
		ContentType: "text/html",
		Data:        []byte("<html><body><p>Go</p></body></html>"),
		URL:         "http://docs.test:" + s.port + "/wiki/Go?lang=en",
	}
	if res.Name != want.Name || res.ContentType != want.ContentType || string(res.Data) != string(want.Data) || res.URL != want.URL {
		t.Errorf("Get = %+v, want %+v", res, want)
	}
	if ua != DefaultUserAgent {
		t.Errorf("User-Agent %q, want %q", ua, DefaultUserAgent)
	}
	if !strings.Contains(accept, "application/pdf") {
		t.Errorf("Accept %q does not list PDF", accept)
	}
}

func TestGetPDF(t *testing.T) {
	pdf := "%PDF-1.4\n%%EOF\n"
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/files/report.pdf":
			w.Header().Set("Content-Type", "application/pdf")
		case "/download":
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="Annual Report 2024.pdf"`)
		case "/blob/paper.pdf":
			w.Header().Set("Content-Type", "application/octet-stream")
		case "/start":
			http.Redirect(w, r, "/files/report.pdf", http.StatusFound)
			return
		}
		fmt.Fprint(w, pdf)
	})
	tests := []struct{ path, name, final string }{
		{"/files/report.pdf", "report.pdf", "/files/report.pdf"},
		{"/download?id=7", "Annual Report 2024.pdf", "/download?id=7"},
		{"/blob/paper.pdf", "paper.pdf", "/blob/paper.pdf"},
		{"/start", "report.pdf", "/files/report.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := Get(t.Context(), s.URL+tt.path, local())
			if err != nil {
				t.Fatal(err)
			}
			if res.Name != tt.name || string(res.Data) != pdf || res.URL != s.URL+tt.final {
				t.Errorf("Get = name %q, %d bytes, URL %s; want %q, %d bytes, %s",
					res.Name, len(res.Data), res.URL, tt.name, len(pdf), s.URL+tt.final)
			}
		})
	}
}

func TestGetRefusesPrivateAddresses(t *testing.T) {
	s := serve(t, body("application/pdf", "%PDF-"))
	for _, link := range []string{
		"http://public.test:" + s.port + "/a.pdf",
		"http://127.0.0.1:" + s.port + "/a.pdf",
		"http://[::ffff:127.0.0.1]:" + s.port + "/a.pdf",
		"http://[::ffff:7f00:1]:" + s.port + "/a.pdf",
		"http://[::1]:" + s.port + "/a.pdf",
		"http://0.0.0.0:" + s.port + "/a.pdf",
		"http://private.test/a.pdf",
		"http://metadata.google.internal/computeMetadata/v1/",
		"http://169.254.169.254/latest/meta-data/",
		"http://[fd00::1]/a.pdf",
		"http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
	} {
		t.Run(link, func(t *testing.T) {
			_, err := Get(t.Context(), link, Options{Resolver: testHosts, Timeout: 5 * time.Second})
			if !errors.Is(err, ErrBlocked) {
				t.Fatalf("Get = %v, want ErrBlocked", err)
			}
		})
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("the private server got %d requests", n)
	}
}

func TestGetRefusesRedirectsToPrivateAddresses(t *testing.T) {
	inside := serve(t, body("application/pdf", "%PDF- secret"))
	var to string
	public := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/doc.pdf" {
			body("application/pdf", "%PDF-")(w, r)
			return
		}
		http.Redirect(w, r, to, http.StatusFound)
	})
	// The exemption works: the public server itself is reachable.
	if _, err := Get(t.Context(), "http://public.test:"+public.port+"/doc.pdf", asPublic(public)); err != nil {
		t.Fatalf("Get from the public server: %v", err)
	}
	for _, target := range []string{
		"http://127.0.0.1:" + inside.port + "/a.pdf",
		"http://inside.test:" + inside.port + "/a.pdf",
		"http://[::ffff:127.0.0.1]:" + inside.port + "/a.pdf",
		"http://private.test/a.pdf",
		"http://169.254.169.254/latest/meta-data/",
		"http://metadata.google.internal/computeMetadata/v1/",
	} {
		t.Run(target, func(t *testing.T) {
			to = target
			_, err := Get(t.Context(), "http://public.test:"+public.port+"/go", asPublic(public))
			if !errors.Is(err, ErrBlocked) {
				t.Fatalf("Get = %v, want ErrBlocked", err)
			}
		})
	}
	if n := inside.hits.Load(); n != 0 {
		t.Errorf("the private server got %d requests", n)
	}
}

func TestGetRechecksEveryConnection(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/doc.pdf", http.StatusFound)
			return
		}
		body("application/pdf", "%PDF-")(w, r)
	})
	var lookups atomic.Int32
	rebinding := resolverFunc(func(context.Context, string) ([]net.IPAddr, error) {
		if lookups.Add(1) == 1 {
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}}, nil
		}
		return []net.IPAddr{{IP: net.ParseIP("192.168.0.10")}}, nil
	})
	opts := asPublic(s)
	opts.Resolver = rebinding
	_, err := Get(t.Context(), "http://rebind.test:"+s.port+"/", opts)
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("Get = %v, want ErrBlocked", err)
	}
	if n := s.hits.Load(); n != 1 {
		t.Errorf("server got %d requests, want 1 (the redirect)", n)
	}
}

func TestGetRedirects(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/hop/%d", &n); err == nil && n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
			return
		}
		switch r.URL.Path {
		case "/ftp":
			http.Redirect(w, r, "ftp://docs.test/a.pdf", http.StatusFound)
		case "/creds":
			w.Header().Set("Location", "http://user:pass@docs.test:"+r.Host[strings.LastIndex(r.Host, ":")+1:]+"/a.pdf")
			w.WriteHeader(http.StatusFound)
		default:
			body("text/plain", "end")(w, r)
		}
	})
	opts := local()
	opts.MaxRedirects = 3
	if _, err := Get(t.Context(), s.URL+"/hop/3", opts); err != nil {
		t.Errorf("3 redirects with MaxRedirects 3: %v", err)
	}
	s.hits.Store(0)
	_, err := Get(t.Context(), s.URL+"/hop/4", opts)
	if !errors.Is(err, ErrHTTPStatus) || !strings.Contains(err.Error(), "3") {
		t.Errorf("4 redirects with MaxRedirects 3 = %v, want ErrHTTPStatus naming 3", err)
	}
	if n := s.hits.Load(); n != 4 {
		t.Errorf("server got %d requests, want 4", n)
	}
	for _, path := range []string{"/ftp", "/creds"} {
		if _, err := Get(t.Context(), s.URL+path, local()); !errors.Is(err, ErrScheme) {
			t.Errorf("redirect %s = %v, want ErrScheme", path, err)
		}
	}
}

func TestClientIgnoresProxySettings(t *testing.T) {
	client, done := newClient(local().withDefaults())
	defer done()
	tr, ok := client.Transport.(*http.Transport)
	if !ok || tr.Proxy != nil {
		t.Fatal("the transport may use a proxy")
	}
	proxy := serve(t, body("text/plain", "from the proxy"))
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	s := serve(t, body("text/plain", "direct"))
	res, err := Get(t.Context(), "http://docs.test:"+s.port+"/a.txt", local())
	if err != nil || string(res.Data) != "direct" || proxy.hits.Load() != 0 {
		t.Errorf("Get = %q, %v; proxy got %d requests", res.Data, err, proxy.hits.Load())
	}
}

// stream writes n bytes of text in chunks without a Content-Length,
// until n or the client goes.
func stream(w http.ResponseWriter, r *http.Request, n int) {
	w.Header().Set("Content-Type", "text/plain")
	chunk := []byte(strings.Repeat("x", 64<<10))
	for sent := 0; sent < n && r.Context().Err() == nil; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
}

func TestGetRefusesLargeBodies(t *testing.T) {
	const fifty = 50 << 20
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/declared.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Length", fmt.Sprint(fifty))
			w.Write([]byte("%PDF-")) // the client hangs up before the rest
		case "/chunked.txt":
			stream(w, r, fifty)
		}
	})
	for _, path := range []string{"/declared.pdf", "/chunked.txt"} {
		t.Run(path, func(t *testing.T) {
			_, err := Get(t.Context(), s.URL+path, local())
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "20 MB") {
				t.Fatalf("Get = %v, want ErrTooLarge naming 20 MB", err)
			}
		})
	}
}

func TestGetMaxBytesBoundary(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		n := 1000
		if r.URL.Path == "/over" {
			n = 1001
		}
		w.(http.Flusher).Flush() // no Content-Length
		fmt.Fprint(w, strings.Repeat("y", n))
	})
	opts := local()
	opts.MaxBytes = 1000
	if res, err := Get(t.Context(), s.URL+"/at", opts); err != nil || len(res.Data) != 1000 {
		t.Errorf("Get of MaxBytes bytes = %d bytes, %v", len(res.Data), err)
	}
	if _, err := Get(t.Context(), s.URL+"/over", opts); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1000 bytes") {
		t.Errorf("Get of MaxBytes+1 bytes = %v, want ErrTooLarge naming 1000 bytes", err)
	}
}

func TestGetTimesOut(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-headers" {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		for r.Context().Err() == nil { // trickle a byte every 50 ms
			if _, err := w.Write([]byte("z")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		}
	})
	for _, path := range []string{"/trickle", "/slow-headers"} {
		t.Run(path, func(t *testing.T) {
			opts := local()
			opts.Timeout = time.Second
			start := time.Now()
			_, err := Get(t.Context(), s.URL+path, opts)
			took := time.Since(start)
			if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "1s") {
				t.Fatalf("Get = %v, want ErrTimeout naming 1s", err)
			}
			// At least the timeout; the upper bound only tells a timeout
			// from none (the server never ends), however busy the machine.
			if took < 900*time.Millisecond || took > 30*time.Second {
				t.Errorf("Get took %s, want about 1s", took)
			}
		})
	}
}

func TestGetCallerCancels(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := Get(ctx, s.URL+"/a.txt", local())
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("Get = %v, want context.Canceled", err)
	}
}

func TestGetRefusesUnsupportedTypes(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.URL.Query().Get("type"))
		fmt.Fprint(w, "data")
	})
	tests := []struct {
		path, ctype string
		ok          bool
	}{
		{"/a.gif", "image/gif", false},
		{"/a.zip", "application/zip", false},
		{"/a", "application/x-msdownload", false},
		{"/blob.bin", "application/octet-stream", false},
		{"/a.txt", "application/json", false},
		{"/a.pdf", "application/octet-stream", true},
		{"/a.png", "image/png", true},
		{"/notes", "text/markdown; charset=utf-8", true},
		{"/x.md", "", true},
		{"/x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.ctype, func(t *testing.T) {
			res, err := Get(t.Context(), s.URL+tt.path+"?type="+url.QueryEscape(tt.ctype), local())
			if tt.ok {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				checkName(t, res.Name)
				return
			}
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Get = %v, want ErrUnsupported", err)
			}
			if tt.ctype != "" && !strings.Contains(err.Error(), tt.ctype) {
				t.Errorf("error %q does not name %s", err, tt.ctype)
			}
		})
	}
}

func TestGetStatus(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusNotFound)
	})
	_, err := Get(t.Context(), s.URL+"/missing.pdf", local())
	if !errors.Is(err, ErrHTTPStatus) || !strings.Contains(err.Error(), "404") {
		t.Errorf("Get = %v, want ErrHTTPStatus naming 404", err)
	}
}

func TestErrorsHideTheQuery(t *testing.T) {
	slow := serve(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/404":
			http.NotFound(w, r)
		case "/gif":
			body("image/gif", "GIF89a")(w, r)
		case "/loop":
			http.Redirect(w, r, "/loop?token=SECRET", http.StatusFound)
		case "/ftp":
			http.Redirect(w, r, "ftp://docs.test/?token=SECRET", http.StatusFound)
		}
	})
	closed := serve(t, body("text/plain", ""))
	closed.Close()
	quick := local()
	quick.Timeout = 300 * time.Millisecond
	for _, tt := range []struct {
		link string
		opts Options
	}{
		{s.URL + "/404?token=SECRET", local()},
		{s.URL + "/gif?token=SECRET", local()},
		{s.URL + "/loop?token=SECRET", local()},
		{s.URL + "/ftp?token=SECRET", local()},
		{slow.URL + "/?token=SECRET", quick},
		{closed.URL + "/?token=SECRET", local()},
		{"http://nowhere.test/?token=SECRET", local()},
		{"http://private.test/?token=SECRET", Options{Resolver: testHosts}},
	} {
		t.Run(tt.link, func(t *testing.T) {
			_, err := Get(t.Context(), tt.link, tt.opts)
			if err == nil {
				t.Fatal("Get succeeded")
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q shows the query", err)
			}
		})
	}
}
