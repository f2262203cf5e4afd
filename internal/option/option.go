// Package option holds what every constructor of the library does with
// its options, written once: apply them in order, refuse a nil one, and
// collect every problem as an sderrors.ErrInvalidConfiguration naming the
// option, so that a constructor reports all of them at once and never
// clamps a bad value silently.
//
// Each package keeps its own closed Option interface (an unexported apply
// method); this package only runs the options and gathers the problems.
package option

import (
	stderrors "errors"
	"strconv"

	sderrors "github.com/clientsession/engine/errors"
)

// Problems collects the configuration problems of one constructor call.
// The zero value is ready to use.
type Problems struct {
	// Prefix starts every message, e.g. "memstore: ".
	Prefix string
	errs   []error
}

// Fail records that the option named property is wrong, and why.
func (p *Problems) Fail(property, msg string) {
	p.Add(sderrors.ErrInvalidConfiguration.WithProperty(property).WithMessage(p.Prefix + msg))
}

// Add records a problem found by someone else (e.g. a Validate method).
func (p *Problems) Add(err error) { p.errs = append(p.errs, err) }

// Apply calls apply with each option in order; a nil option is a problem
// at "options[i]".
func Apply[O comparable](p *Problems, opts []O, apply func(O)) {
	var none O
	for i, o := range opts {
		if o == none {
			p.Fail("options["+strconv.Itoa(i)+"]", "an option must not be nil")
			continue
		}
		apply(o)
	}
}

// Err returns nil when there was no problem, the problem when there was
// one, and all of them joined otherwise.
func (p *Problems) Err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return p.errs[0]
	default:
		return stderrors.Join(p.errs...)
	}
}
