package wire

import (
	"strings"

	"github.com/clientsession/engine/encryption"
)

// MaskPaymentValues returns the payment values fit to show to a merchant's
// server: never a card number, never a security code, whatever the client
// called the field.
//
//   - A key that names a security code is left out with its value. Keys are
//     compared in lower case with everything but letters and digits
//     removed ("CVV", "cvc2", "card_security_code", "Card-Verification-Code"
//     all count): those containing cvv, cvc, cvn, csc, securitycode,
//     verificationcode or cardcode, and those equal to cid or cvd.
//   - A key that names a card number (containing cardnumber, cardno, ccnum,
//     creditcard or pan as the whole key) is masked whatever its value
//     (MaskCardNumber).
//   - In every other value, each run of 12 or more digits (single spaces or
//     dashes between digits allowed) that is, or holds, a number of 12 to 19
//     digits passing the Luhn check is masked whole. This errs on the safe
//     side: it also hides about half of all other runs of 16 digits, and
//     never shows a card number glued to other digits.
func MaskPaymentValues(values []encryption.PaymentValue) []DecryptedValue {
	out := make([]DecryptedValue, 0, len(values))
	for _, v := range values {
		key := normalizeKey(v.Key)
		switch {
		case isSecurityCodeKey(key):
			continue
		case isCardNumberKey(key):
			out = append(out, DecryptedValue{Key: v.Key, Value: MaskCardNumber(v.Value)})
		default:
			out = append(out, DecryptedValue{Key: v.Key, Value: maskPANs(v.Value)})
		}
	}
	return out
}

// normalizeKey lower-cases k and keeps only its ASCII letters and digits.
func normalizeKey(k string) string {
	var b strings.Builder
	for i := range len(k) {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isSecurityCodeKey(k string) bool {
	for _, s := range [...]string{"cvv", "cvc", "cvn", "csc", "securitycode", "verificationcode", "cardcode"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return k == "cid" || k == "cvd"
}

func isCardNumberKey(k string) bool {
	for _, s := range [...]string{"cardnumber", "cardno", "ccnum", "creditcard"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return k == "pan"
}

// MaskCardNumber masks a card number: spaces and dashes between digits are
// dropped, then a number of 14 or more characters keeps its first six and
// last four, a shorter one only its last four, and one of four or fewer
// nothing.
func MaskCardNumber(n string) string {
	if d, ok := digitsOnly(n); ok {
		n = d
	}
	switch {
	case len(n) >= 14:
		return n[:6] + strings.Repeat("*", len(n)-10) + n[len(n)-4:]
	case len(n) > 4:
		return strings.Repeat("*", len(n)-4) + n[len(n)-4:]
	}
	return strings.Repeat("*", len(n))
}

// digitsOnly returns s without its separators when s is digits with single
// spaces or dashes between them.
func digitsOnly(s string) (string, bool) {
	if s == "" {
		return s, false
	}
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case (c == ' ' || c == '-') && i > 0 && i < len(s)-1 && isDigit(s[i-1]) && isDigit(s[i+1]):
		default:
			return s, false
		}
	}
	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// maskPANs masks each digit run of v that holdsPAN.
func maskPANs(v string) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(v); {
		if !isDigit(v[i]) {
			b.WriteByte(v[i])
			i++
			continue
		}
		// A run: digits with single separators between them.
		j := i
		var digits []byte
		for j < len(v) {
			if isDigit(v[j]) {
				digits = append(digits, v[j])
				j++
				continue
			}
			if (v[j] == ' ' || v[j] == '-') && j+1 < len(v) && isDigit(v[j+1]) {
				j++
				continue
			}
			break
		}
		if holdsPAN(digits) {
			b.WriteString(MaskCardNumber(string(digits)))
			changed = true
		} else {
			b.WriteString(v[i:j])
		}
		i = j
	}
	if !changed {
		return v
	}
	return b.String()
}

// holdsPAN reports whether digits is, or holds, a number of 12 to 19
// digits that passes the Luhn check: a card number alone, or glued to
// other digits (a cvv after it, a digit before it).
func holdsPAN(digits []byte) bool {
	if len(digits) < 12 {
		return false
	}
	for start := 0; start+12 <= len(digits); start++ {
		for n := 12; n <= 19 && start+n <= len(digits); n++ {
			if luhn(digits[start : start+n]) {
				return true
			}
		}
	}
	return false
}

// luhn reports whether the digits pass the Luhn check.
func luhn(digits []byte) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
