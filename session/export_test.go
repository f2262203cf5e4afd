package session

// ValidateShape exposes the shape checks of a create request to the
// benchmarks of package session_test.
func (e *Engine) ValidateShape(req *CreateRequest) error { return e.validateShape(req) }

// DecodeStrict exposes the strict walk of a create request (without the
// shape checks) to the benchmarks.
var DecodeStrict = decodeStrict

// Validator returns the engine's go-playground validator, for the
// benchmarks.
func Validator(e *Engine) interface{ Struct(any) error } { return e.validate }
