package main

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// merchantLimiter is a token bucket per merchant (golang.org/x/time/rate):
// every merchant may create perSecond sessions a second on average, burst
// at once. It implements session.CreateLimiter, and one limiter serves
// both transports: a merchant has one budget, whether it creates over
// HTTP or gRPC. Buckets are made on first use; both transports ask only
// after the call was authenticated with a key that holds the merchant, so
// there is at most one per merchant of the data file.
type merchantLimiter struct {
	perSecond rate.Limit
	burst     int
	now       func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newMerchantLimiter(perSecond float64, burst int, now func() time.Time) *merchantLimiter {
	return &merchantLimiter{perSecond: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*rate.Limiter{}}
}

// AllowCreate takes one token of merchantID's bucket, or reports how long
// until one is there.
func (m *merchantLimiter) AllowCreate(merchantID string) (bool, time.Duration) {
	m.mu.Lock()
	b, ok := m.buckets[merchantID]
	if !ok {
		b = rate.NewLimiter(m.perSecond, m.burst)
		m.buckets[merchantID] = b
	}
	m.mu.Unlock()
	now := m.now()
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
