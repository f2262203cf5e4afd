// Package proptest holds what the engine's property tests share: the
// parameters of a gopter run, with a seed that is always logged and can be
// replayed.
package proptest

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/leanovate/gopter"
)

// MinCases is the number of cases each property runs by default.
const MinCases = 500

// Parameters returns the parameters of a property run: the seed comes from
// SD_GOPTER_SEED, else from the clock, and is logged so that a failure can
// be replayed; SD_GOPTER_CASES raises the number of cases above MinCases
// (for longer, nightly runs).
func Parameters(tb testing.TB) *gopter.TestParameters {
	tb.Helper()
	seed := time.Now().UnixNano()
	if s := os.Getenv("SD_GOPTER_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			tb.Fatalf("SD_GOPTER_SEED=%q: %v", s, err)
		}
		seed = v
	}
	tb.Logf("gopter seed %d (rerun with SD_GOPTER_SEED=%d)", seed, seed)
	params := gopter.DefaultTestParametersWithSeed(seed)
	params.MinSuccessfulTests = MinCases
	if s := os.Getenv("SD_GOPTER_CASES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			tb.Fatalf("SD_GOPTER_CASES=%q: want a positive integer", s)
		}
		params.MinSuccessfulTests = max(v, MinCases)
	}
	return params
}
