package retrieval

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
)

func unitLength(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestLocalEmbedder(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		dim  int
		text string
		want int
	}{
		{"default", DefaultLocalDim, "长江经济带高质量发展", DefaultLocalDim},
		{"small dim raised", 4, "长江", 16},
		{"empty text", 64, "", 64},
		{"punctuation only", 64, "，。！", 64},
		{"english", 128, "The unified national market", 128},
		{"invalid utf8", 32, "\xff\xfe长", 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			embed := LocalEmbedder(tt.dim)
			v, err := embed(ctx, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if len(v) != tt.want {
				t.Fatalf("len = %d, want %d", len(v), tt.want)
			}
			if l := unitLength(v); math.Abs(l-1) > 1e-5 {
				t.Errorf("length %v, want 1", l)
			}
			again, _ := embed(ctx, tt.text)
			for i := range v {
				if v[i] != again[i] {
					t.Fatalf("not deterministic at %d: %v != %v", i, v[i], again[i])
				}
			}
		})
	}
}

// TestLocalEmbedderSimilarity checks that shared wording means a higher
// cosine: a paraphrase with the same key phrases beats unrelated text.
func TestLocalEmbedderSimilarity(t *testing.T) {
	embed := LocalEmbedder(DefaultLocalDim)
	vec := func(s string) []float32 {
		v, err := embed(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	q := vec("生态保护补偿机制有什么要求？")
	near := dot(q, vec("要完善横向生态保护补偿机制，推动建立全流域生态保护补偿。"))
	far := dot(q, vec("上海市委书记陈吉宁先后发言，提出意见建议。"))
	if near <= far {
		t.Errorf("cosine near %.3f <= far %.3f", near, far)
	}
	en := dot(vec("Which game did Nexon develop?"), vec("Nexon developed the game BnB."))
	enFar := dot(vec("Which game did Nexon develop?"), vec("The river basin and its ecology."))
	if en <= enFar {
		t.Errorf("english cosine near %.3f <= far %.3f", en, enFar)
	}
}

func TestLocalEmbedderConcurrent(t *testing.T) {
	embed := LocalEmbedder(64)
	want, _ := embed(context.Background(), "长江经济带")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				got, _ := embed(context.Background(), "长江经济带")
				for i := range got {
					if got[i] != want[i] {
						t.Error("concurrent embeddings differ")
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestLocalEmbedderID(t *testing.T) {
	if a, b := LocalEmbedderID(384), LocalEmbedderID(256); a == b {
		t.Errorf("IDs of different dimensions are equal: %q", a)
	}
	if got := LocalEmbedderID(4); got != LocalEmbedderID(16) {
		t.Errorf("LocalEmbedderID(4) = %q, want the ID of the raised dimension %q", got, LocalEmbedderID(16))
	}
}

func BenchmarkLocalEmbedder(b *testing.B) {
	embed := LocalEmbedder(DefaultLocalDim)
	text := lexTexts[0] + lexTexts[2] + lexTexts[5] + lexTexts[0] + lexTexts[2]
	b.ReportAllocs()
	for b.Loop() {
		embed(context.Background(), text)
	}
}

// TestLocalEmbedderFolds: a Traditional text and its Simplified form
// embed alike.
func TestLocalEmbedderFolds(t *testing.T) {
	embed := LocalEmbedder(DefaultLocalDim)
	for _, p := range [][2]string{{"坦贊鐵路是怎麼回事", "坦赞铁路是怎么回事"}, {"臺灣海峽，A330", "台湾海峡，A330"}} {
		a, _ := embed(context.Background(), p[0])
		b, _ := embed(context.Background(), p[1])
		if !slices.Equal(a, b) {
			t.Errorf("%q and %q embed differently", p[0], p[1])
		}
	}
}

// TestLocalEmbedderStable pins LocalEmbedder's output: snapshots of its
// vectors are reused under LocalEmbedderID, so a change to it must come
// with a new localEmbedderVersion (and then a new checksum here).
func TestLocalEmbedderStable(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("pinned on amd64: math.Log's last bit may differ on other architectures")
	}
	texts := []string{
		"长江经济带发展战略实施近8年来，生态环境保护发生了转折性变化。",
		"臺灣海峽位於臺灣與中國大陸之間。", "Nexon developed the game BnB in Korea.",
		"ＡＢＣ１２３ x", "A330和iPhone6", "Café naïve e\u0301cole ΑΒΓ", "耶利米（希伯来文： יִרְמְיָהוּ）", "a\xffb长", "",
	}
	embed := LocalEmbedder(DefaultLocalDim)
	h := fnv.New64a()
	for _, s := range texts {
		v, err := embed(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range v {
			binary.Write(h, binary.LittleEndian, math.Float32bits(x))
		}
	}
	const want = 0x6b206e4534f4541d // local-v2 (script folding)
	if got := h.Sum64(); got != want {
		t.Errorf("LocalEmbedder output checksum %#x, want %#x: bump localEmbedderVersion if the change is meant", got, uint64(want))
	}
}
