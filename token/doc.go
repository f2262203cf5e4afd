// Package token checks the stored tokens a merchant lists when it creates a
// client session. It is pure apart from [Repository], the
// gateway's token store, which [Checker] calls once per request.
//
// # Rules
//
//   - A request lists at most 100 tokens (configurable with
//     [WithMaxTokens]); duplicates count towards the limit. Each id is 1 to
//     128 printable ASCII characters, 0x21-0x7E: the space (0x20) is refused
//     too, since no token scheme uses it and a padded id is a client bug to
//     surface, not to match. Otherwise [Checker.Validate] answers
//     sderrors.ErrTooManyTokens at "tokens" or sderrors.ErrInvalidTokenFormat
//     at "tokens[i]", i being the first offending index (a 400).
//   - Duplicates are legal: each id is checked once and reported at most
//     once, in the order of its first occurrence.
//   - One repository call for all tokens of a request, never one per token,
//     and none for a request without tokens.
//   - A card is valid through the last day of its expiry month, UTC: it is
//     expired from the first instant of the following month, UTC, whatever
//     the location of now (December rolls over to January). A zero [Expiry]
//     is "unknown" and never expires.
//   - If the repository fails, [Checker.Check] fails with a retryable
//     sderrors.ErrUnavailable wrapping the cause, and returns no partial
//     result: merchants delete the tokens we call invalid, so a lookup failure
//     must never look like one. A done context gives sderrors.ErrCanceled
//     (canceled) or ErrUnavailable (deadline), wrapping ctx.Err().
//
// # Precedence
//
// [Evaluate] checks in the order of the [Reason] constants and answers the
// first that applies:
//
//  1. malformed: the id breaks the format rule above;
//  2. unknown: no token, or the repository answered for another id;
//  3. other_merchant: the token belongs to another merchant;
//  4. deleted;
//  5. revoked (also any status other than active, deleted, revoked);
//  6. product_gone: its payment product left the merchant's catalog;
//  7. card_expired.
//
// Facts about the token itself (status, product, card) come only after it is
// known to be this merchant's, so another merchant's deleted token is
// other_merchant, never deleted.
//
// # Wire
//
// The wire reports only ids, in invalidTokens ([Result.InvalidIDs]); unknown
// and other-merchant tokens look the same there, so nobody can probe another
// merchant's tokens. The reasons stay with the caller ([Result.Invalid]) for
// explain and metrics; [Reason.String] gives stable names for them.
//
// # Repository contract
//
// Tokens(ctx, merchantID, ids) answers for all ids in one call; ids not
// found are simply absent (not an error); it may answer tokens of other
// merchants, which the checker reports as invalid exactly like unknown ones.
// A non-nil error means the store could not be asked, never "not found".
// Implementations are safe for concurrent use, do not keep or modify ids,
// and hand the returned slice to the caller.
//
// # Security
//
// Token values are credentials of the merchant's consumer. They never
// appear in errors or messages of this package (errors name the index, e.g.
// tokens[3], and their text does not depend on the value); the engine does
// not log. A Token's Alias is a masked display form and must never hold a
// card number. Token ids are looked up, not compared as secrets, so ordinary
// string comparison is fine here; the session credentials (clientSessionId,
// customerId) are another matter: the session package compares those in
// constant time (crypto/subtle, as crypto/hmac.Equal does).
package token
