// Consumer program of github.com/clientsession/engine/transport/connectgrpc
// (see ../root): a gRPC server over an engine on a loopback port, and a
// session created through the generated client.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "connectgrpc consumer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	store, err := memstore.New()
	if err != nil {
		return err
	}
	catalog, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
	})
	if err != nil {
		return err
	}
	engine, err := session.New(store, store,
		session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: "https://pay.example.com", Region: "EU"}))
	if err != nil {
		return err
	}
	merchant := func(context.Context) (string, error) { return "1234", nil }
	srv, err := connectgrpc.NewServer(engine, merchant)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	resp, err := pb.NewSessionServiceClient(conn).CreateSession(ctx, &pb.CreateSessionRequest{})
	if err != nil {
		return err
	}
	if resp.GetClientSessionId() == "" {
		return fmt.Errorf("CreateSession answered no clientSessionId: %v", resp)
	}
	fmt.Println("connectgrpc: served CreateSession on", lis.Addr())
	return nil
}
