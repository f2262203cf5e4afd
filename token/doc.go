// Package token checks the stored tokens a merchant lists when it creates a
// client session (DESIGN §3.2). It is pure apart from [Repository], the
// gateway's token store, which [Checker] calls once per request.
//
// # Rules
//
//   - A request lists at most 100 tokens (configurable with
//     [WithMaxTokens]); each is 1 to 128 printable ASCII characters
//     (0x21-0x7E). Otherwise the request is a 400 naming "tokens" or
//     "tokens[i]".
//   - Duplicates are legal: each id is checked once and reported at most
//     once, in request order.
//   - One repository call for all tokens of a request, never one per token.
//   - A token is invalid when it is unknown, belongs to another merchant, is
//     deleted or revoked, its payment product left the catalog, or its card
//     expired. A card is valid through the last day of its expiry month,
//     UTC. [Evaluate] checks in that order and returns the first [Reason].
//   - The wire reports only ids (invalidTokens); unknown and other-merchant
//     tokens look the same there, so nobody can probe another merchant's
//     tokens. The reasons stay with the caller ([Result.Invalid]).
//   - If the repository fails, [Checker.Check] fails with a retryable
//     sderrors.ErrUnavailable and reports nothing invalid: merchants delete
//     the tokens we call invalid, so a lookup failure must never look like one.
//
// # Security
//
// Token values are credentials of the merchant's consumer. They never
// appear in errors or messages of this package (errors name the index, e.g.
// tokens[3]); the engine does not log. A Token's Alias is a masked display
// form and must never hold a card number.
package token
