package filter

import "math/bits"

// A bitset over catalog positions: bit i of word i/64 is position i.

func set(s []uint64, i int) { s[i>>6] |= 1 << (uint(i) & 63) }

func clearBit(s []uint64, i int) { s[i>>6] &^= 1 << (uint(i) & 63) }

func has(s []uint64, i int) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }

func count(s []uint64) int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}
