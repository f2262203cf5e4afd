package errors_test

import (
	stderrors "errors"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
)

type opt interface{ apply(*int) }

type add int

func (a add) apply(n *int) { *n += int(a) }

func TestApplyOptionsCollectsEveryProblem(t *testing.T) {
	p := sderrors.ConfigProblems{Prefix: "pkg: "}
	n := 0
	sderrors.ApplyOptions(&p, []opt{add(1), nil, add(2), nil}, func(o opt) { o.apply(&n) })
	if n != 3 {
		t.Errorf("applied sum = %d; want 3 (nil options skipped)", n)
	}
	err := p.Err()
	resp := sderrors.ToResponse(err)
	if len(resp.Errors) != 2 || resp.Errors[0].PropertyName != "options[1]" || resp.Errors[1].PropertyName != "options[3]" {
		t.Fatalf("Err = %v; want two problems at options[1] and options[3]", resp.Errors)
	}
	if !stderrors.Is(err, sderrors.ErrInvalidConfiguration) || resp.Errors[0].Message != "pkg: an option must not be nil" {
		t.Errorf("Err = %v; want ErrInvalidConfiguration with the prefix", err)
	}
}

func TestConfigProblemsErr(t *testing.T) {
	var p sderrors.ConfigProblems
	if p.Err() != nil {
		t.Fatal("no problem must give nil")
	}
	p.Fail("shards", "bad")
	e, isOurs := p.Err().(*sderrors.Error) //nolint:errorlint // the one problem itself, not a wrapper
	if !isOurs || e.Property() != "shards" || e.Message() != "bad" {
		t.Errorf("Err = %v; want the one *sderrors.Error itself", p.Err())
	}
	found := sderrors.ErrUnknownMerchant.WithProperty("datacenter")
	p.Add(found)
	resp := sderrors.ToResponse(p.Err())
	if len(resp.Errors) != 2 || resp.Errors[1].Code != string(found.Code()) || resp.Errors[1].PropertyName != "datacenter" {
		t.Errorf("Err after Add = %+v; want both problems, the added one as it was", resp.Errors)
	}
}
