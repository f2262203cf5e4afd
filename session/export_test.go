package session

// ValidateShape exposes the shape checks of a create request to the
// benchmarks of package session_test.
func (e *Engine) ValidateShape(req *CreateRequest) error { return e.validateShape(req) }
