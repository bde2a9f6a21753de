# citebot: `make test` sets up everything the tests need on a fresh machine
# (Go modules, the npm Bot API emulator) and runs the whole suite.
.PHONY: test check emulator run build bench eval

test: emulator check
	go test -race -timeout 30m ./...

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...

emulator:
	go mod download
	npm ci --prefix testdata/emulator --no-audit --no-fund --loglevel=error

build:
	CGO_ENABLED=0 go build -trimpath -o citebot ./cmd/citebot

run:
	go run ./cmd/citebot serve

bench:
	go test -run '^$$' -bench . -benchmem ./retrieval/ ./bot/

eval:
	go run ./cmd/citebot eval --qa testdata/eval/seed_dev.jsonl
	go run ./cmd/citebot eval --doc testdata/eval/cmrc2018_trial.txt --qa testdata/eval/cmrc2018_trial.jsonl
	go run ./cmd/citebot eval --doc testdata/eval/drcd_dev.txt --qa testdata/eval/drcd_dev.jsonl
