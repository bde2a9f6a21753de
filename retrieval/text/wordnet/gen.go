package wordnet

//go:generate go run ./internal/gen -dict /usr/share/wordnet -out wordnet.gz
