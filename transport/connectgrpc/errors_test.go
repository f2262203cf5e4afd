package connectgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connectgrpc"
)

// TestEveryKindMapped fails when sderrors gains a kind (one with a name of
// its own) that the kind-to-code table does not list.
func TestEveryKindMapped(t *testing.T) {
	t.Parallel()
	named := 0
	for i := range 256 {
		k := sderrors.Kind(i)
		if k != sderrors.KindUnknown && k.String() == "unknown" {
			continue // not a kind
		}
		named++
		if _, ok := connectgrpc.KindCode(k); !ok {
			t.Errorf("kind %d (%s) has no gRPC code: add it to Code and to the table of the package doc", i, k)
		}
	}
	for _, e := range sderrors.Catalogue() {
		if _, ok := connectgrpc.KindCode(e.Kind()); !ok {
			t.Errorf("%s (%s): kind %s has no gRPC code", e.Code(), e.ID(), e.Kind())
		}
	}
	if named < 10 {
		t.Errorf("only %d kinds found", named)
	}
}

// TestDocTable: the table of the package documentation is Code, row by row,
// and lists every kind with its HTTP status.
func TestDocTable(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^//\t([a-z_]+)\s+(\d{3})\s+([A-Za-z]+)$`)
	rows := map[string][2]string{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		rows[m[1]] = [2]string{m[2], m[3]}
	}
	for i := range 256 {
		k := sderrors.Kind(i)
		if k != sderrors.KindUnknown && k.String() == "unknown" {
			continue
		}
		r, ok := rows[k.String()]
		if !ok {
			t.Errorf("kind %s is not in the table of doc.go", k)
			continue
		}
		if r[0] != strconv.Itoa(k.HTTPStatus()) || r[1] != connectgrpc.Code(k).String() {
			t.Errorf("doc.go: %s %s %s, want %d %v", k, r[0], r[1], k.HTTPStatus(), connectgrpc.Code(k))
		}
		delete(rows, k.String())
	}
	for k := range rows {
		t.Errorf("doc.go lists %s, which is not a kind", k)
	}
}

// TestCodes pins the table: one code per kind.
func TestCodes(t *testing.T) {
	t.Parallel()
	want := map[sderrors.Kind]codes.Code{
		sderrors.KindUnknown:              codes.Unknown,
		sderrors.KindInvalidArgument:      codes.InvalidArgument,
		sderrors.KindUnauthenticated:      codes.Unauthenticated,
		sderrors.KindPermissionDenied:     codes.PermissionDenied,
		sderrors.KindNotFound:             codes.NotFound,
		sderrors.KindConflict:             codes.AlreadyExists,
		sderrors.KindInternal:             codes.Internal,
		sderrors.KindUnavailable:          codes.Unavailable,
		sderrors.KindCanceled:             codes.Canceled,
		sderrors.KindUnimplemented:        codes.Unimplemented,
		sderrors.KindTimeout:              codes.DeadlineExceeded,
		sderrors.KindResourceExhausted:    codes.ResourceExhausted,
		sderrors.KindUnsupportedMediaType: codes.InvalidArgument,
	}
	for k, c := range want {
		if got := connectgrpc.Code(k); got != c {
			t.Errorf("Code(%s) = %v, want %v", k, got, c)
		}
	}
	if got := connectgrpc.Code(sderrors.Kind(200)); got != codes.Unknown {
		t.Errorf("Code(200) = %v, want Unknown", got)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	const secret = "password=hunter2"
	cases := []struct {
		name       string
		err        error
		code       codes.Code
		wireCode   string
		message    string
		properties []string
	}{
		{"property error", sderrors.ErrUnknownGroup.WithProperty("paymentProductFilters.exclude.groups[1]"),
			codes.InvalidArgument, "700200", sderrors.ErrUnknownGroup.Message(), []string{"paymentProductFilters.exclude.groups[1]"}},
		{"wrapped with text", fmt.Errorf("store says %s: %w", secret, sderrors.ErrUnavailable.WithCause(errors.New(secret))),
			codes.Unavailable, "700900", sderrors.ErrUnavailable.Message(), nil},
		{"foreign", errors.New(secret), codes.Internal, "9999", sderrors.ErrInternal.Message(), nil},
		{"canceled", fmt.Errorf("%s: %w", secret, context.Canceled), codes.Canceled, "700901", sderrors.ErrCanceled.Message(), nil},
		{"deadline", context.DeadlineExceeded, codes.Unavailable, "700900", sderrors.ErrUnavailable.Message(), nil},
		{"store full", sderrors.ErrStoreFull.WithCause(errors.New(secret)), codes.Unavailable, "700902", sderrors.ErrStoreFull.Message(), nil},
		{"joined", errors.Join(sderrors.ErrInvalidTokenFormat.WithProperty("tokens[1]"), sderrors.ErrInvalidTokenFormat.WithProperty("tokens[4]")),
			codes.InvalidArgument, "700301", sderrors.ErrInvalidTokenFormat.Message(), []string{"tokens[1]", "tokens[4]"}},
		{"no property", sderrors.ErrUnauthorized, codes.Unauthenticated, "9002", sderrors.ErrUnauthorized.Message(), nil},
	}
	idForm := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	for _, tc := range cases {
		st := connectgrpc.Status(tc.err)
		if st.Code() != tc.code || st.Message() != tc.message {
			t.Errorf("%s: %v %q, want %v %q", tc.name, st.Code(), st.Message(), tc.code, tc.message)
		}
		d := detailsOf(st)
		if d.info == nil || d.others != 0 {
			t.Fatalf("%s: details %v", tc.name, st.Details())
		}
		if retryable := tc.code == codes.Unavailable; (d.retry != nil) != retryable ||
			(retryable && d.retry.GetRetryDelay().AsDuration() != connectgrpc.RetryDelay) {
			t.Errorf("%s: RetryInfo %v, want one of %v exactly when the code is Unavailable", tc.name, d.retry, connectgrpc.RetryDelay)
		}
		md := d.info.GetMetadata()
		if md["code"] != tc.wireCode || !idForm.MatchString(md["errorId"]) || md["category"] == "" || md["httpStatusCode"] == "" {
			t.Errorf("%s: ErrorInfo metadata %v", tc.name, md)
		}
		var fields []string
		for _, v := range d.violations {
			fields = append(fields, v.GetField())
			if v.GetReason() != d.info.GetReason() || v.GetDescription() == "" {
				t.Errorf("%s: violation %v", tc.name, v)
			}
		}
		if strings.Join(fields, " ") != strings.Join(tc.properties, " ") {
			t.Errorf("%s: violations at %v, want %v", tc.name, fields, tc.properties)
		}
		raw, err := proto.Marshal(st.Proto())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "hunter2") {
			t.Errorf("%s: the status carries internal text", tc.name)
		}
	}
	if st := connectgrpc.Status(nil); st.Code() != codes.OK || st.Err() != nil {
		t.Errorf("Status(nil) = %v", st)
	}
	a, b := connectgrpc.Status(sderrors.ErrInternal), connectgrpc.Status(sderrors.ErrInternal)
	if detailsOf(a).info.GetMetadata()["errorId"] == detailsOf(b).info.GetMetadata()["errorId"] {
		t.Error("two statuses share an errorId")
	}
}
