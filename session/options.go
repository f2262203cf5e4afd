package session

// An Option configures an Engine.
type Option interface{ apply(*config) }

type config struct{}
