package document

import (
	_ "embed"
	"fmt"
	"sync"
)

// SampleName is the name of the bundled sample document: a PDF-extracted
// Chinese news report on a symposium about the Yangtze River Economic Belt.
const SampleName = "yangtze-symposium.txt"

//go:embed sample/yangtze-symposium.txt
var sampleRaw []byte

// sampleDocument parses the sample once.
var sampleDocument = sync.OnceValue(func() *Document {
	doc, err := Parse(SampleName, sampleRaw)
	if err != nil {
		// The sample is part of the binary and covered by tests.
		panic(fmt.Sprintf("retrieval: bundled sample: %v", err))
	}
	return doc
})

// Sample returns the bundled sample document ([SampleName]), parsed
// on first use. Every call returns the same *Document: callers must not
// modify it. It is safe for concurrent use.
func Sample() *Document { return sampleDocument() }
