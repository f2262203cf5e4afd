package storage

import (
	"context"
	"errors"
	"time"
)

// SweepEvery calls s.DeleteExpired with clock's time every interval until
// ctx is done, and then returns ctx.Err(). It starts no goroutine: the
// caller runs it in one of its own (go storage.SweepEvery(ctx, ...)) and
// stops it by canceling ctx. report, when not nil, is told the outcome of
// every sweep (how many records were removed, or the error); a failed
// sweep is retried at the next tick. An interval that is not positive, a
// nil s or a nil clock is an error at once.
func SweepEvery(ctx context.Context, s Sweeper, every time.Duration, clock func() time.Time, report func(removed int, err error)) error {
	switch {
	case s == nil:
		return errors.New("storage: SweepEvery: the sweeper must not be nil")
	case clock == nil:
		return errors.New("storage: SweepEvery: the clock must not be nil")
	case every <= 0:
		return errors.New("storage: SweepEvery: the interval must be positive, got " + every.String())
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			n, err := s.DeleteExpired(ctx, clock())
			if report != nil && (err == nil || ctx.Err() == nil) {
				report(n, err)
			}
		}
	}
}
