//go:build !race

package connecthttp_test

// raceEnabled: the tests run under the race detector.
const raceEnabled = false
