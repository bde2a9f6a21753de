# citebot: `make test` sets up everything the tests need on a fresh machine
# (Go modules, the npm Bot API emulator) and runs the whole suite.
.PHONY: test check emulator faults run build bench bench-libraries eval

STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2

# The suite runs in two passes: every test under the race detector except
# the slow single-threaded ones (the eval-set quality floors, which score
# thousands of questions, and the follow-up set, the property test over
# every shared row and the static-binary build, the heap bounds of long
# documents, the PDF extractor's work limits and allocations, the claim
# stream's cost, the end-to-end OCR tests whose time is Tesseract's), then
# those once without it: the race detector makes them ten times slower
# (and the heap it measures larger) and finds nothing there the concurrent
# tests miss. A test that skips itself under -race belongs here, or no
# pass runs it (the list of skipped tests at the end shows it).
SLOW = TestEval|TestFollowupSet|TestTokenizerChoice|TestAskJSONQuotesAreDocumentText|TestStaticBinary|InBrowser|TestPageHighlightsEveryCitation|HeapBound|TestExtractLimits|TestExtractMemory|TestClaimStreamLinear|TestScannedFormatsAnswerLikeText|TestScannedUploadShowsProgress

# Tools run by hand, never by test: tuning sweeps, the chat libraries'
# memory bound (make bench-libraries), the upstream PDF reader's hazards
# and the child processes of that test.
MANUAL = TestTuneSweep|TestDumpFeatures|TestTuneHybrid|TestShelfMemoryBound|TestServeMemoryBound|TestUpstreamHazards|TestUpstreamChild

# Both passes run through cmd/citebot/internal/skipped, which prints what
# go test prints, keeps go test's exit code and records the tests that
# skipped; test ends by listing them (none under CI=1, where a missing
# dependency fails the test instead).
SKIPPED = testdata/output/skipped

test: emulator check faults
	@mkdir -p testdata/output && rm -f $(SKIPPED).txt
	go build -o $(SKIPPED) ./cmd/citebot/internal/skipped
	$(SKIPPED) -record $(SKIPPED).txt go test -race -skip '$(SLOW)|^TestFaults|$(MANUAL)' -timeout 20m ./...
	$(SKIPPED) -record $(SKIPPED).txt go test -run '$(SLOW)' -timeout 20m ./...
	@$(SKIPPED) -list $(SKIPPED).txt

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...
	go test -run 'TestImportRules|TestCodeSize' ./cmd/citebot/

# The fault suites (cmd/citebot/faults_test.go): the real binary serves 1500
# questions while the fake Bot API (and model) fail and the test kills and
# restarts it, by polling and by webhook; chatdocs_faults_test.go kills it
# during chat uploads and evictions. They run here, once: the passes of
# test skip them.
faults:
	go test -run TestFaults -count=1 -timeout 10m ./cmd/citebot/

emulator:
	go mod download
	npm ci --prefix testdata/emulator --no-audit --no-fund --loglevel=error

build:
	CGO_ENABLED=0 go build -trimpath -o citebot ./cmd/citebot

run:
	go run ./cmd/citebot serve

bench:
	go test -run '^$$' -bench . -benchmem ./retrieval/ ./bot/

# 1,000 chats with a 100 KB document each under library_memory_mb 256:
# peak RSS and the latency of questions to evicted chats, of the shelf in
# a test process and then of `citebot serve` itself on a copy of the same
# chats (minutes; the corpus is built once into the temporary directory).
bench-libraries:
	CITEBOT_SLOW=1 go test ./library -run TestShelfMemoryBound -count 1 -v
	CITEBOT_SLOW=1 go test ./cmd/citebot -run TestServeMemoryBound -count 1 -v
	go test ./library -run '^$$' -bench ShelfEvictedQuestion -benchtime 300x -count 3

eval:
	go run ./cmd/citebot eval --qa testdata/eval/seed_dev.jsonl
	go run ./cmd/citebot eval --doc testdata/eval/cmrc2018_trial.txt --qa testdata/eval/cmrc2018_trial.jsonl
	go run ./cmd/citebot eval --doc testdata/eval/drcd_dev.txt --qa testdata/eval/drcd_dev.jsonl
	go run ./cmd/citebot eval --doc testdata/eval/drcd_dev.txt --qa testdata/eval/drcd_dev_simplified50.jsonl
	go run ./cmd/citebot eval --doc testdata/eval/cmrc2018_trial.txt --qa testdata/eval/cmrc2018_trial_traditional50.jsonl
