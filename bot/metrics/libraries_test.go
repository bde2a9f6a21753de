package metrics

import (
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/citebot/citebot/bot/metrics/metricstest"
)

// TestLibrariesExported: the chat libraries' usage is read at each
// scrape, and their quotas are labelled by setting.
func TestLibrariesExported(t *testing.T) {
	m := New(Build{Version: "v1", Revision: "r", GoVersion: runtime.Version()})
	st := Libraries{Chats: 3, Documents: 5, StoredBytes: 1 << 20, Loaded: 2, LoadedBytes: 4096, Loads: 7, Evictions: 4}
	m.ObserveLibraries(func() Libraries { return st }, map[string]float64{"chat_max_documents": 10, "stored_max_mb": 0})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	value := func(name string, labels map[string]string) float64 {
		fam := metricstest.Scrape(t, srv.URL)[name]
		if fam == nil {
			t.Fatalf("no %s", name)
		}
		for _, mt := range fam.GetMetric() {
			match := true
			for _, lp := range mt.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					match = false
				}
			}
			if match {
				return mt.GetGauge().GetValue() + mt.GetCounter().GetValue()
			}
		}
		t.Fatalf("no %s with %v", name, labels)
		return 0
	}
	for name, want := range map[string]float64{
		"citebot_library_chats": 3, "citebot_library_documents": 5, "citebot_library_stored_bytes": 1 << 20,
		"citebot_library_loaded": 2, "citebot_library_loaded_bytes": 4096,
		"citebot_library_loads_total": 7, "citebot_library_evictions_total": 4,
	} {
		if got := value(name, nil); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	st.Documents = 6 // read again at the next scrape
	if got := value("citebot_library_documents", nil); got != 6 {
		t.Errorf("after a change: documents = %v, want 6", got)
	}
	if got := value("citebot_library_quota", map[string]string{"setting": "chat_max_documents"}); got != 10 {
		t.Errorf("quota chat_max_documents = %v, want 10", got)
	}
}
