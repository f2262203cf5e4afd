package wire

import (
	"strconv"
	"unicode/utf8"

	sderrors "github.com/clientsession/engine/errors"
)

// The JSON encoders of the answers a transport writes on every call. Each
// AppendJSON appends exactly the bytes encoding/json.Marshal gives for the
// same value (member order, omitempty/omitzero, null for a nil slice that
// is not omitted, strings escaped as below), without reflection; the
// differential tests and fuzz targets of json_test.go hold them to it.
//
// Strings are escaped as encoding/json does with its HTML escaping on:
// '"' and '\\' with a backslash; \b, \f, \n, \r and \t by name; every other
// byte below 0x20 and '<', '>', '&' as \u00XX (lower-case hex); U+2028 and
// U+2029 as \u2028 and \u2029; each byte of invalid UTF-8 as \ufffd.

const hexDigits = "0123456789abcdef"

// jsonSafe[b] reports whether ASCII byte b goes into a JSON string as is
// (encoding/json's htmlSafeSet).
var jsonSafe = func() (t [utf8.RuneSelf]bool) { //nolint:gochecknoglobals // a read-only table
	for b := range utf8.RuneSelf {
		t[b] = b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// appendString appends s as a JSON string, escaped exactly as
// encoding/json.Marshal escapes it (see above).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendBool appends true or false.
func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendInt appends v in decimal.
func appendInt[T int | int32 | int64](b []byte, v T) []byte {
	return strconv.AppendInt(b, int64(v), 10)
}

// appendStrings appends a []string, null when nil.
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// AppendJSON appends the JSON of p to b: json.Marshal(p), byte for byte.
func (p PaymentProducts) AppendJSON(b []byte) []byte {
	b = append(b, `{"paymentProducts":`...)
	if p.PaymentProducts == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range p.PaymentProducts {
			if i > 0 {
				b = append(b, ',')
			}
			b = p.PaymentProducts[i].AppendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// AppendJSON appends the JSON of p to b: json.Marshal(p), byte for byte.
func (p PaymentProduct) AppendJSON(b []byte) []byte {
	b = appendProductHead(b, &p)
	b = appendAccountsMember(b, p.AccountsOnFile)
	b = appendFieldsMember(b, p.Fields)
	return append(b, '}')
}

// appendProductHead appends p's members up to accountsOnFile, without the
// closing brace: the part of a product's JSON that does not depend on the
// session.
func appendProductHead(b []byte, p *PaymentProduct) []byte {
	b = append(b, `{"id":`...)
	b = appendInt(b, p.ID)
	b = append(b, `,"displayHints":`...)
	b = p.DisplayHints.appendJSON(b)
	b = append(b, `,"paymentMethod":`...)
	b = appendString(b, p.PaymentMethod)
	if p.PaymentProductGroup != "" {
		b = append(b, `,"paymentProductGroup":`...)
		b = appendString(b, p.PaymentProductGroup)
	}
	b = append(b, `,"allowsRecurring":`...)
	b = appendBool(b, p.AllowsRecurring)
	b = append(b, `,"allowsTokenization":`...)
	b = appendBool(b, p.AllowsTokenization)
	b = append(b, `,"allowsInstallments":`...)
	b = appendBool(b, p.AllowsInstallments)
	b = append(b, `,"autoTokenized":`...)
	b = appendBool(b, p.AutoTokenized)
	b = append(b, `,"canBeIframed":`...)
	b = appendBool(b, p.CanBeIframed)
	b = append(b, `,"deviceFingerprintEnabled":`...)
	b = appendBool(b, p.DeviceFingerprintEnabled)
	b = append(b, `,"isJavaScriptRequired":`...)
	b = appendBool(b, p.IsJavaScriptRequired)
	b = append(b, `,"mobileIntegrationLevel":`...)
	b = appendString(b, p.MobileIntegrationLevel)
	b = append(b, `,"supportsMandates":`...)
	b = appendBool(b, p.SupportsMandates)
	b = append(b, `,"usesRedirectionTo3rdParty":`...)
	b = appendBool(b, p.UsesRedirectionTo3rdParty)
	if p.MinAmount != nil {
		b = append(b, `,"minAmount":`...)
		b = appendInt(b, *p.MinAmount)
	}
	if p.MaxAmount != nil {
		b = append(b, `,"maxAmount":`...)
		b = appendInt(b, *p.MaxAmount)
	}
	return b
}

// appendAccountsMember appends ,"accountsOnFile":[...] unless accounts is
// empty (omitempty).
func appendAccountsMember(b []byte, accounts []AccountOnFile) []byte {
	if len(accounts) == 0 {
		return b
	}
	b = append(b, `,"accountsOnFile":[`...)
	for i := range accounts {
		if i > 0 {
			b = append(b, ',')
		}
		b = accounts[i].AppendJSON(b)
	}
	return append(b, ']')
}

// appendFieldsMember appends ,"fields":[...] unless fields is nil
// (omitzero: an empty non-nil list is sent as []).
func appendFieldsMember(b []byte, fields []PaymentProductField) []byte {
	if fields == nil {
		return b
	}
	b = append(b, `,"fields":[`...)
	for i := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = fields[i].appendJSON(b)
	}
	return append(b, ']')
}

func (d *DisplayHints) appendJSON(b []byte) []byte {
	b = append(b, `{"displayOrder":`...)
	b = appendInt(b, d.DisplayOrder)
	b = append(b, `,"label":`...)
	b = appendString(b, d.Label)
	b = append(b, `,"logo":`...)
	b = appendString(b, d.Logo)
	return append(b, '}')
}

// AppendJSON appends the JSON of g to b: json.Marshal(g), byte for byte.
func (g PaymentProductGroups) AppendJSON(b []byte) []byte {
	b = append(b, `{"paymentProductGroups":`...)
	if g.PaymentProductGroups == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range g.PaymentProductGroups {
			if i > 0 {
				b = append(b, ',')
			}
			b = g.PaymentProductGroups[i].AppendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// AppendJSON appends the JSON of g to b: json.Marshal(g), byte for byte.
func (g PaymentProductGroup) AppendJSON(b []byte) []byte {
	b = appendGroupHead(b, &g)
	b = appendAccountsMember(b, g.AccountsOnFile)
	b = appendFieldsMember(b, g.Fields)
	return append(b, '}')
}

// appendGroupHead appends g's members up to accountsOnFile, without the
// closing brace.
func appendGroupHead(b []byte, g *PaymentProductGroup) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, g.ID)
	b = append(b, `,"displayHints":`...)
	b = g.DisplayHints.appendJSON(b)
	b = append(b, `,"allowsInstallments":`...)
	b = appendBool(b, g.AllowsInstallments)
	b = append(b, `,"deviceFingerprintEnabled":`...)
	return appendBool(b, g.DeviceFingerprintEnabled)
}

// AppendJSON appends the JSON of a to b: json.Marshal(a), byte for byte.
func (a AccountOnFile) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendInt(b, a.ID)
	b = append(b, `,"paymentProductId":`...)
	b = appendInt(b, a.PaymentProductID)
	b = append(b, `,"attributes":`...)
	if a.Attributes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, at := range a.Attributes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"key":`...)
			b = appendString(b, at.Key)
			b = append(b, `,"value":`...)
			b = appendString(b, at.Value)
			b = append(b, `,"status":`...)
			b = appendString(b, at.Status)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"displayHints":{"labelTemplate":`...)
	if a.DisplayHints.LabelTemplate == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, l := range a.DisplayHints.LabelTemplate {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"attributeKey":`...)
			b = appendString(b, l.AttributeKey)
			b = append(b, `,"mask":`...)
			b = appendString(b, l.Mask)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"logo":`...)
	b = appendString(b, a.DisplayHints.Logo)
	return append(b, "}}"...)
}

func (f *PaymentProductField) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, f.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, f.Type)
	b = append(b, `,"dataRestrictions":{"isRequired":`...)
	b = appendBool(b, f.DataRestrictions.IsRequired)
	b = append(b, `,"validators":{`...)
	v := &f.DataRestrictions.Validators
	n := len(b)
	if v.Length != nil {
		b = append(b, `"length":{"minLength":`...)
		b = appendInt(b, v.Length.MinLength)
		b = append(b, `,"maxLength":`...)
		b = appendInt(b, v.Length.MaxLength)
		b = append(b, '}')
	}
	if v.Luhn != nil {
		b = appendComma(b, n)
		b = append(b, `"luhn":{}`...)
	}
	if v.ExpirationDate != nil {
		b = appendComma(b, n)
		b = append(b, `"expirationDate":{}`...)
	}
	if v.RegularExpr != nil {
		b = appendComma(b, n)
		b = append(b, `"regularExpression":{"regularExpression":`...)
		b = appendString(b, v.RegularExpr.RegularExpression)
		b = append(b, '}')
	}
	b = append(b, "}},"...)
	b = append(b, `"displayHints":`...)
	b = f.DisplayHints.appendJSON(b)
	return append(b, '}')
}

// appendComma appends a comma when b has grown past n: a member was
// written since the object's opening brace.
func appendComma(b []byte, n int) []byte {
	if len(b) > n {
		return append(b, ',')
	}
	return b
}

func (h *FieldDisplayHints) appendJSON(b []byte) []byte {
	b = append(b, `{"alwaysShow":`...)
	b = appendBool(b, h.AlwaysShow)
	b = append(b, `,"displayOrder":`...)
	b = appendInt(b, h.DisplayOrder)
	b = append(b, `,"formElement":{"type":`...)
	b = appendString(b, h.FormElement.Type)
	b = append(b, `},"label":`...)
	b = appendString(b, h.Label)
	if h.Mask != "" {
		b = append(b, `,"mask":`...)
		b = appendString(b, h.Mask)
	}
	b = append(b, `,"obfuscate":`...)
	b = appendBool(b, h.Obfuscate)
	if h.PlaceholderLabel != "" {
		b = append(b, `,"placeholderLabel":`...)
		b = appendString(b, h.PlaceholderLabel)
	}
	if h.PreferredInputType != "" {
		b = append(b, `,"preferredInputType":`...)
		b = appendString(b, h.PreferredInputType)
	}
	return append(b, '}')
}

// AppendJSON appends the JSON of k to b: json.Marshal(k), byte for byte.
func (k PublicKey) AppendJSON(b []byte) []byte {
	b = append(b, `{"keyId":`...)
	b = appendString(b, k.KeyID)
	b = append(b, `,"publicKey":`...)
	b = appendString(b, k.PublicKey)
	return append(b, '}')
}

// AppendJSON appends the JSON of r to b: json.Marshal(r), byte for byte.
func (r IINDetailsResponse) AppendJSON(b []byte) []byte {
	b = append(b, `{"paymentProductId":`...)
	b = appendInt(b, r.PaymentProductID)
	b = append(b, `,"countryCode":`...)
	b = appendString(b, r.CountryCode)
	b = append(b, `,"isAllowedInContext":`...)
	b = appendBool(b, r.IsAllowedInContext)
	if len(r.CoBrands) > 0 {
		b = append(b, `,"coBrands":[`...)
		for i, c := range r.CoBrands {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"paymentProductId":`...)
			b = appendInt(b, c.PaymentProductID)
			b = append(b, `,"isAllowedInContext":`...)
			b = appendBool(b, c.IsAllowedInContext)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// AppendJSON appends the JSON of r to b: json.Marshal(r), byte for byte.
func (r SessionResponse) AppendJSON(b []byte) []byte {
	b = append(b, `{"assetUrl":`...)
	b = appendString(b, r.AssetURL)
	b = append(b, `,"clientApiUrl":`...)
	b = appendString(b, r.ClientAPIURL)
	b = append(b, `,"clientSessionId":`...)
	b = appendString(b, r.ClientSessionID)
	b = append(b, `,"customerId":`...)
	b = appendString(b, r.CustomerID)
	b = append(b, `,"invalidTokens":`...)
	b = appendStrings(b, r.InvalidTokens)
	b = append(b, `,"region":`...)
	b = appendString(b, r.Region)
	return append(b, '}')
}

// AppendErrorResponse appends the JSON of the wire ErrorResponse r to b:
// json.Marshal(r), byte for byte.
func AppendErrorResponse(b []byte, r sderrors.ErrorResponse) []byte {
	b = append(b, `{"errorId":`...)
	b = appendString(b, r.ErrorID)
	b = append(b, `,"errors":`...)
	if r.Errors == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Errors {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAPIError(b, &r.Errors[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendAPIError(b []byte, e *sderrors.APIError) []byte {
	b = append(b, '{')
	if e.Category != "" {
		b = append(b, `"category":`...)
		b = appendString(b, e.Category)
		b = append(b, ',')
	}
	b = append(b, `"code":`...)
	b = appendString(b, e.Code)
	if e.HTTPStatusCode != 0 {
		b = append(b, `,"httpStatusCode":`...)
		b = appendInt(b, e.HTTPStatusCode)
	}
	for _, m := range [...]struct{ name, v string }{
		{`,"id":`, e.ID}, {`,"message":`, e.Message}, {`,"propertyName":`, e.PropertyName}, {`,"requestId":`, e.RequestID},
	} {
		if m.v != "" {
			b = append(b, m.name...)
			b = appendString(b, m.v)
		}
	}
	return append(b, '}')
}
