package storage_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsession/engine/storage"
)

func TestSweepEveryRunsUntilCanceled(t *testing.T) {
	var calls atomic.Int32
	var reported atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	sw := storage.SweeperFunc(func(context.Context, time.Time) (int, error) {
		if calls.Add(1) == 3 {
			cancel()
		}
		return 1, nil
	})
	go func() {
		done <- storage.SweepEvery(ctx, sw, time.Millisecond, time.Now, func(n int, err error) {
			if n == 1 && err == nil {
				reported.Add(1)
			}
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("SweepEvery returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SweepEvery did not stop with its context")
	}
	if calls.Load() != 3 || reported.Load() < 2 {
		t.Errorf("%d sweeps, %d reported, want 3 sweeps and at least 2 reports", calls.Load(), reported.Load())
	}
}

func TestSweepEveryKeepsGoingAfterAnError(t *testing.T) {
	var calls atomic.Int32
	// The timeout bounds the call: SweepEvery should stop at the second
	// sweep's cancel, long before.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, 8)
	sw := storage.SweeperFunc(func(context.Context, time.Time) (int, error) {
		if calls.Add(1) == 2 {
			cancel()
		}
		return 0, errors.New("down")
	})
	err := storage.SweepEvery(ctx, sw, time.Millisecond, time.Now, func(_ int, err error) { errs <- err })
	if !errors.Is(err, context.Canceled) || calls.Load() != 2 || len(errs) < 1 {
		t.Errorf("SweepEvery = %v after %d calls, %d errors reported", err, calls.Load(), len(errs))
	}
}

func TestSweepEveryRefusesBadArguments(t *testing.T) {
	sw := storage.SweeperFunc(func(context.Context, time.Time) (int, error) { return 0, nil })
	for name, call := range map[string]func() error{
		"nil sweeper": func() error { return storage.SweepEvery(context.Background(), nil, time.Second, time.Now, nil) },
		"nil clock":   func() error { return storage.SweepEvery(context.Background(), sw, time.Second, nil, nil) },
		"zero":        func() error { return storage.SweepEvery(context.Background(), sw, 0, time.Now, nil) },
	} {
		if err := call(); err == nil || errors.Is(err, context.Canceled) {
			t.Errorf("%s: SweepEvery = %v, want an argument error", name, err)
		}
	}
}
