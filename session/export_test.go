package session

// DecodeStrict exposes the strict walk of a create request (without the
// validator) to the benchmarks.
var DecodeStrict = decodeStrict

// Validator returns the engine's validator, for the benchmarks.
func Validator(e *Engine) interface{ Struct(any) error } { return e.validate }
