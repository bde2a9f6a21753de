package lexicon

//go:generate go run ./internal/gen -in ../../../../shared/dict/cedict_ts.u8.gz -out lexicon.gz
