package metrics

import "github.com/prometheus/client_golang/prometheus"

// Libraries are the chat libraries' figures (library.Stats, converted).
type Libraries struct {
	Chats       int    // chats with documents of their own
	Documents   int    // their documents
	StoredBytes int64  // their files' bytes
	Loaded      int    // chat libraries in memory
	LoadedBytes int64  // their estimated memory
	Loads       uint64 // chat libraries opened since start
	Evictions   uint64 // chat libraries dropped for memory since start
}

// ObserveLibraries exports the chat libraries' usage, read from stats at
// each scrape, and their quotas (by setting name; 0: unlimited).
func (m *Metrics) ObserveLibraries(stats func() Libraries, quotas map[string]float64) {
	gauge := func(name, help string, v func(Libraries) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return v(stats()) })
	}
	counter := func(name, help string, v func(Libraries) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return v(stats()) })
	}
	q := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "citebot_library_quota",
		Help: "The chat libraries' quotas by setting (0: unlimited).",
	}, []string{"setting"})
	for k, v := range quotas {
		q.WithLabelValues(k).Set(v)
	}
	m.reg.MustRegister(q,
		gauge("citebot_library_chats", "Chats with documents of their own.", func(l Libraries) float64 { return float64(l.Chats) }),
		gauge("citebot_library_documents", "Documents chats added to their own libraries.", func(l Libraries) float64 { return float64(l.Documents) }),
		gauge("citebot_library_stored_bytes", "Bytes of the chats' document files.", func(l Libraries) float64 { return float64(l.StoredBytes) }),
		gauge("citebot_library_loaded", "Chat libraries in memory.", func(l Libraries) float64 { return float64(l.Loaded) }),
		gauge("citebot_library_loaded_bytes", "Estimated memory of the chat libraries in memory.", func(l Libraries) float64 { return float64(l.LoadedBytes) }),
		counter("citebot_library_loads_total", "Chat libraries opened from disk.", func(l Libraries) float64 { return float64(l.Loads) }),
		counter("citebot_library_evictions_total", "Chat libraries dropped from memory for the memory budget.", func(l Libraries) float64 { return float64(l.Evictions) }),
	)
}
