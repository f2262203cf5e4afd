package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clientsession/engine/storage/redisstore"
	"github.com/clientsession/engine/storage/storagetest"
)

// startOwnCluster starts a one-node Redis Cluster of the test's own that
// serves every slot. A Cluster node refuses a multi-key command or script
// whose keys are in different slots (CROSSSLOT) whatever the number of
// nodes, so one node is enough to prove the hash tags.
func startOwnCluster(t *testing.T) *redis.ClusterClient {
	t.Helper()
	srv := startOwnServer(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	ctx := context.Background()
	node := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + srv.port})
	defer func() { _ = node.Close() }()
	if err := node.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		t.Fatalf("CLUSTER ADDSLOTSRANGE: %v", err)
	}
	for range 100 {
		info, err := node.ClusterInfo(ctx).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:" + srv.port}})
			t.Cleanup(func() { _ = client.Close() })
			return client
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("own Redis Cluster did not reach cluster_state:ok")
	return nil
}

// The conformance suite passes on Redis Cluster: every key of a session
// shares the hash tag, so the delete and nonce scripts never cross slots.
func TestConformanceOnCluster(t *testing.T) {
	addr(t) // the same switch as the other tests: CI sets it
	client := startOwnCluster(t)

	// The control: this server does refuse keys of different slots.
	err := client.Del(context.Background(), "a", "b").Err()
	if err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Fatalf("DEL of two untagged keys on the cluster: %v; want CROSSSLOT (else this test proves nothing)", err)
	}

	factory := func(t *testing.T) storagetest.Stores {
		t.Helper()
		var b [6]byte
		_, _ = rand.Read(b[:])
		s, err := redisstore.New(client, redisstore.WithPrefix("cstest:"+hex.EncodeToString(b[:])+":"))
		if err != nil {
			t.Fatal(err)
		}
		return storagetest.Stores{Sessions: s, Require: []storagetest.Capability{storagetest.NonceRecorder}} // the server is thrown away with its keys
	}
	storagetest.Run(t, factory)
	storagetest.RunConcurrency(t, factory)
}
