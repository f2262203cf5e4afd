package errors

import (
	stderrors "errors"
	"strconv"
)

// ConfigProblems collects the configuration problems of one constructor
// call: every bad option becomes an ErrInvalidConfiguration naming the
// option (its property), so that a constructor reports all of them at once
// and never clamps a bad value silently. It is how every constructor of
// the library and of its adapter and transport modules reports bad
// options: each keeps its own closed Option interface and runs its options
// with [ApplyOptions]. The zero value is ready to use.
type ConfigProblems struct {
	// Prefix starts every message of Fail, e.g. "memstore: ".
	Prefix string
	errs   []error
}

// Fail records that the option named property is wrong, and why. msg is a
// public message: it must not hold a secret.
func (p *ConfigProblems) Fail(property, msg string) {
	p.Add(ErrInvalidConfiguration.WithProperty(property).WithMessage(p.Prefix + msg))
}

// Add records a problem found by someone else, e.g. a Validate method or
// a constructor of a part.
func (p *ConfigProblems) Add(err error) { p.errs = append(p.errs, err) }

// Err returns nil when there was no problem, the problem itself when
// there was one, and all of them joined (errors.Join) otherwise.
func (p *ConfigProblems) Err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return p.errs[0]
	default:
		return stderrors.Join(p.errs...)
	}
}

// ApplyOptions calls apply with each option in order; a nil option is a
// problem of p at "options[i]" and is skipped.
func ApplyOptions[O comparable](p *ConfigProblems, opts []O, apply func(O)) {
	var none O
	for i, o := range opts {
		if o == none {
			p.Fail("options["+strconv.Itoa(i)+"]", "an option must not be nil")
			continue
		}
		apply(o)
	}
}
