package answer

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/citebot/citebot/eval"
)

var tune = flag.Bool("tune", false, "run the extractive parameter sweep")

// scoreSet answers rows with e and returns overall and Chinese-row scores.
func scoreSet(tb testing.TB, e *Engine, rows []eval.Row) (eval.QuoteScores, eval.QuoteScores) {
	all, zh := &eval.Metrics{}, &eval.Metrics{}
	for _, row := range rows {
		res, _ := evaluate(tb, e, row)
		all.Add(res)
		if strings.HasPrefix(row.Kind, "zh") {
			zh.Add(res)
		}
	}
	return all.Scores().Quotes(), zh.Scores().Quotes()
}

// TestTuneSweep measures variants of the extractive parameters on the eval
// sets as wholes (drcd on its first 1200 rows to keep it quick). It is how
// the defaults in defaultExtractParams were chosen; edit the variants and
// run it with
//
//	go test ./answer -run TestTuneSweep -tune -v
func TestTuneSweep(t *testing.T) {
	if !*tune {
		t.Skip("run with -tune")
	}
	type setup struct {
		name string
		r    Retriever
		rows []eval.Row
	}
	var sets []setup
	for _, s := range evalSets {
		_, r := realRetriever(t, s)
		rows := loadRows(t, s.rows)
		if s.name == "drcd_dev" {
			rows = rows[:1200]
		}
		sets = append(sets, setup{s.name, &memoRetriever{Retriever: r}, rows})
	}
	type variant struct {
		name string
		opts Options
		p    func(*extractParams)
	}
	var variants []variant
	for _, fs := range []int{70, 80, 90} {
		for _, mr := range []int{50, 60, 70} {
			variants = append(variants, variant{
				name: fmt.Sprintf("full=%d maxRunes=%d", fs, mr),
				opts: Options{MaxQuoteRunes: mr},
				p: func(p *extractParams) {
					p.fullSentence = fs
				},
			})
		}
	}
	for _, v := range variants {
		line := v.name + ":"
		for _, s := range sets {
			e := New(s.r, nil, v.opts)
			v.p(&e.p)
			all, zh := scoreSet(t, e, s.rows)
			if s.name == "seed_dev" {
				all = zh
			}
			line += " | " + s.name + " hit=" + ftoa(all.QuoteHit1) + " fa=" + ftoa(all.FalseAbstainRate) + " ab=" + ftoa(all.AbstainRate) + " len=" + ftoa(all.QuoteCharsMean)
		}
		t.Log(line)
	}
}

func ftoa(f float64) string { return fmt.Sprintf("%.3f", f) }
