package answer

// ModelError is the error of a failed [ChatModel] call, returned by chat
// model adapters so that the engine can tell a model that cannot be reached
// (Retryable, a timeout) from one unusable reply. Its Message is scrubbed of
// secrets by the adapter that builds it. It unwraps to context.Canceled or
// context.DeadlineExceeded when one of those ended the request.
type ModelError struct {
	// StatusCode is the HTTP status of the last response, 0 when none
	// arrived (network error, timeout before any answer).
	StatusCode int
	// Retryable reports a transient failure: a 429, a 5xx or a network
	// error. It stays true when the retries it allowed ran out.
	Retryable bool
	// Attempts is the number of requests made.
	Attempts int
	// Message says what failed, safe to log and free of secrets.
	Message string
	// Err is the context error that ended the request, or nil.
	Err error
}

// Error returns "chat model: " and the Message.
func (e *ModelError) Error() string { return "chat model: " + e.Message }

// Unwrap returns the context error that ended the request, if any.
func (e *ModelError) Unwrap() error { return e.Err }
