// Package metricstest reads a running citebot's admin endpoints for tests
// (bot/metrics and cmd/citebot). Only tests import it.
package metricstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape reads the metric families of the admin server at base.
func Scrape(tb testing.TB, base string) map[string]*dto.MetricFamily {
	tb.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		tb.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// Readyz returns /readyz's status code and reason.
func Readyz(tb testing.TB, base string) (int, string) {
	tb.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Reason string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, body.Reason
}

// Counter is the expected value of a counter with labels.
type Counter struct {
	Name   string
	Labels map[string]string
	Want   float64
}

// WrongCounters describes the counters in families that differ from want,
// one per line; "" when all match.
func WrongCounters(families map[string]*dto.MetricFamily, want []Counter) string {
	var wrong strings.Builder
	for _, c := range want {
		if got := CounterValue(families, c.Name, c.Labels); got != c.Want {
			fmt.Fprintf(&wrong, "\n%s%v = %v, want %v", c.Name, c.Labels, got, c.Want)
		}
	}
	return wrong.String()
}

// CounterValue sums the samples of a metric family whose labels include
// want.
func CounterValue(families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
	total := 0.0
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		ok := true
		for k, v := range want {
			ok = ok && labels[k] == v
		}
		if ok && m.GetCounter() != nil {
			total += m.GetCounter().GetValue()
		}
	}
	return total
}
