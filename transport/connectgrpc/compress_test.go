package connectgrpc_test

import (
	"context"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire"
)

// compression records, on the client, the compression of the answers'
// headers and the sizes of the requests sent.
type compression struct {
	mu         sync.Mutex
	answers    []string
	compressed []int // wire sizes of the requests
}

func (c *compression) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (c *compression) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (c *compression) HandleConn(context.Context, stats.ConnStats) {}
func (c *compression) HandleRPC(_ context.Context, s stats.RPCStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch s := s.(type) {
	case *stats.InHeader:
		c.answers = append(c.answers, s.Compression)
	case *stats.OutPayload:
		c.compressed = append(c.compressed, s.CompressedLength)
	}
}

// TestGzipRequests: a client that compresses its requests with gzip is
// served (the server registers the compressor) and gets gzip answers; the
// request limit applies to the message once decompressed, so a small
// compressed request that inflates past it is ResourceExhausted, not
// decoded.
func TestGzipRequests(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{extra: []session.Option{session.WithMaxTokens(1000)}})
	srv, err := connectgrpc.NewServer(e.engine, bearerAuth)
	if err != nil {
		t.Fatal(err)
	}
	plain := serveOn(t, srv)
	rec := &compression{}
	conn, err := grpc.NewClient(plain.Target(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)), grpc.WithStatsHandler(rec))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := newClient(conn)

	s := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
	if got := ids(c.products(t, s, nlEUR)); len(got) == 0 {
		t.Error("gzip: no products")
	}
	d, err := c.clients.GetIINDetails(withSession(t.Context(), s.GetClientSessionId()),
		&pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: "41111111", PaymentContext: iinNLEUR})
	if err != nil || d.GetPaymentProductId() != 1 {
		t.Errorf("gzip IIN details: %v %v", d, err)
	}
	rec.mu.Lock()
	answers := append([]string(nil), rec.answers...)
	rec.mu.Unlock()
	if len(answers) != 3 {
		t.Errorf("%d answers with headers, want 3", len(answers))
	}
	for i, a := range answers {
		if a != gzip.Name {
			t.Errorf("answer %d compressed with %q, want gzip", i, a)
		}
	}

	tokens := make([]string, 800)
	for i := range tokens {
		tokens[i] = strings.Repeat("t", 124) + strconv.Itoa(1000+i)
	}
	inflating := &pb.CreateSessionRequest{Tokens: tokens}
	if n := proto.Size(inflating); n <= wire.DefaultMaxRequestBytes {
		t.Fatalf("the create is %d bytes; want more than the limit", n)
	}
	_, err = c.sessions.CreateSession(asMerchant(t.Context(), "1234"), inflating)
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("a gzip create over the limit once decompressed: %v, want ResourceExhausted", err)
	}
	rec.mu.Lock()
	sent := rec.compressed[len(rec.compressed)-1]
	rec.mu.Unlock()
	if sent >= wire.DefaultMaxRequestBytes {
		t.Errorf("the compressed request was %d bytes on the wire; the test wants it under the limit", sent)
	}
	if e.store.Len() != 1 {
		t.Errorf("%d sessions stored, want 1", e.store.Len())
	}
}

// TestGzipIsRegistered: the package itself (not only its tests, whose
// client side registers gzip in the same process and would hide a
// missing import) imports the gzip compressor, so that a gateway serving
// it accepts gzip requests.
func TestGzipIsRegistered(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not in PATH:", err)
	}
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	if !slices.Contains(strings.Fields(string(out)), "google.golang.org/grpc/encoding/gzip") {
		t.Error("the package does not import google.golang.org/grpc/encoding/gzip: gzip requests would be Unimplemented")
	}
}
