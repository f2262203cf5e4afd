package option_test

import (
	"errors"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/option"
)

type opt interface{ apply(*int) }

type add int

func (a add) apply(n *int) { *n += int(a) }

func TestApplyCollectsEveryProblem(t *testing.T) {
	p := option.Problems{Prefix: "pkg: "}
	n := 0
	option.Apply(&p, []opt{add(1), nil, add(2), nil}, func(o opt) { o.apply(&n) })
	if n != 3 {
		t.Errorf("applied sum = %d; want 3 (nil options skipped)", n)
	}
	err := p.Err()
	resp := sderrors.ToResponse(err)
	if len(resp.Errors) != 2 || resp.Errors[0].PropertyName != "options[1]" || resp.Errors[1].PropertyName != "options[3]" {
		t.Fatalf("Err = %v; want two problems at options[1] and options[3]", resp.Errors)
	}
	if !errors.Is(err, sderrors.ErrInvalidConfiguration) || resp.Errors[0].Message != "pkg: an option must not be nil" {
		t.Errorf("Err = %v; want ErrInvalidConfiguration with the prefix", err)
	}
}

func TestErrOfOneProblemIsThatProblem(t *testing.T) {
	var p option.Problems
	if p.Err() != nil {
		t.Fatal("no problem must give nil")
	}
	p.Fail("shards", "bad")
	e, isOurs := p.Err().(*sderrors.Error) //nolint:errorlint // the one problem itself, not a wrapper
	if !isOurs || e.Property() != "shards" {
		t.Errorf("Err = %v; want the one *sderrors.Error itself", p.Err())
	}
}
