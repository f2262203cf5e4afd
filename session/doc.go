// Package session is the façade of the engine: it creates client sessions,
// authenticates the Client API calls made with them, tells
// which payment products and accounts on file a session may show in a
// payment context, and revokes sessions. Build an Engine with New over a
// storage.Repository (storage/memstore is the embedded default) and the
// gateway's token.Repository. The storage contract lives in package
// storage; this package consumes it.
//
// # Create
//
// DecodeCreateRequest decodes the untrusted body strictly and does nothing
// else: unknown properties, null, wrong types, trailing data, product ids
// that are not integers from 1 to 2147483647. It takes the bytes it is
// given: bounding a body's size is the transport's job
// (wire.DefaultMaxRequestBytes). Create then checks
// every request, however it was made (DecodeCreateRequest, a transport's
// own decoder, Go code, a decoded request edited afterwards), once: first
// the rules the request alone decides — the engine's one go-playground
// validator owns the token list (at most WithMaxTokens ids, each
// token.WellFormed, through the registered tags "maxtokens" and "token"),
// and filter.Filters.ValidateWithin the filters (list caps, ids,
// duplicates) — then what needs the merchant: its catalog's groups
// (filter.Catalog.KnownGroups) and its tokens, in ONE repository call; it
// mints the ids, stores the session and answers. Every rejection is an
// *sderrors.Error naming its wire property, e.g.
// "paymentProductFilters.exclude.groups[1]" or "tokens[3]".
//
// A token is invalid when unknown, another merchant's, deleted, revoked,
// expired, or its product is gone from the catalog; the wire gets only the
// ids (CreateResponse.InvalidTokens; wire.NewSessionResponse shows them as
// an array, [] when none), the caller the reasons (CreateResponse.Invalid). A failing token repository fails the
// whole Create with a retryable sderrors.ErrUnavailable and stores
// nothing: a token that could not be looked up is never called invalid.
// A valid token whose product the filters exclude is kept in the session
// but never shown (Explain says why).
//
// A session store at its memory bound refuses writes with storage.ErrFull
// (memstore.WithMaxBytes); Create, OpenCustomerInput and Idempotent then
// fail with the retryable sderrors.ErrStoreFull (503 STORE_FULL), store
// nothing and use up no nonce. Nothing live is evicted to make room.
//
// The session stores the normalized filters and the valid tokens in a
// compact, versioned binary payload (internal/sessionpayload; about 150 bytes for
// filters and five 32-character tokens). Products are resolved later, per
// payment context, against the catalog of that moment.
//
// # Ids
//
//   - clientSessionId: 32 lowercase hex characters of 16 bytes from
//     crypto/rand (or WithRandom).
//   - customerId: "{merchantId}-{32 lowercase hex}", 16 more random bytes.
//     Neither is derived from anything.
//   - merchantId: 1 to 64 characters of [A-Za-z0-9-] (ValidMerchantID), so
//     that customerId stays within [A-Za-z0-9-], which the client SDKs put
//     into URL paths unescaped. Other merchant ids are
//     sderrors.ErrUnknownMerchant at "merchantId".
//   - Sessions are stored under KeyOf(clientSessionId), its SHA-256: a dump
//     of the store holds no usable credentials.
//
// # Lifetime and authentication
//
// A session lives DefaultLifetime (2 hours, the Connect maximum) from its
// creation, absolute: alive while now < createdAt+lifetime, no sliding, no
// chaining. WithLifetime may shorten it; longer is refused. Authenticate
// needs both the clientSessionId and the customerId of that session; the
// random part of the customerId is compared in constant time. Malformed,
// unknown, expired, revoked and mismatched credentials all give the same
// sderrors.ErrUnauthorized (code 9002); a failing store gives a retryable
// sderrors.ErrUnavailable, never a 401. Authenticate allocates at most
// what the store's Load does (nothing on memstore, whose payload strings
// are shared); the payload is decoded when Products,
// Product, Explain or Session.Tokens need it. The validator never runs on
// a per-client-call path.
//
// # Products and accounts on file
//
// Products resolves the session's filters in a payment context (filter
// package) and attaches, to each product, the session's
// tokens of that product as accounts on file. An account on file's ID is
// the 1-based position of the token among the session's valid tokens (in
// request order), stable for the session's life; Session.AccountOnFile
// maps it back to the token.
//
// # IIN details
//
// IINDetails answers the Client API's getIINdetails: the card product of a
// card number's first 6 to 19 digits, looked up in the merchant's catalog
// (filter.Catalog.MatchIIN: products carry IIN ranges, well-known card
// product ids have their brands' public ranges by default), and whether
// the session may use it in the payment context. A product is allowed in
// context exactly when Products lists it for that session and context (the
// same resolution); when several products hold the digits (co-brands), the
// answer names the first allowed one, most specific range first, and lists
// them all. A card the catalog does not know is sderrors.ErrIINNotFound
// (404 IIN_NOT_FOUND, which the client SDKs show as UNKNOWN); a bin that is
// not 6 to 19 digits is a 400 at "bin". Errors never repeat the digits.
//
// # Revoke and Lookup
//
// Revoke deletes a session of the merchant at once; an unknown session or
// another merchant's is sderrors.ErrSessionNotFound (no enumeration).
// Lookup loads a merchant's live session by clientSessionId for
// server-side calls.
//
// # Idempotent create
//
// Idempotent runs a create (any function returning the transport's Answer)
// at most once per merchant and idempotence key (ValidIdempotenceKey: 1 to
// 40 printable ASCII characters), as the Connect platform documents
// idempotent requests: a repeat of a finished attempt gets the same answer
// and the first attempt's time (IdempotentResult.FirstAttemptAt), a repeat
// while the first runs sderrors.ErrDuplicateRequest (1409), a repeat with
// another request the first answer too unless WithStrictIdempotence.
// Answers are kept WithIdempotenceTTL (24 hours) in the session store when
// it implements storage.Idempotency (memstore, redisstore, pgstore) or in
// WithIdempotenceStore. Whether an answer is kept is decided by its
// outcome (Answer.Err), never by the transport's status: a success or a
// final error is kept; an error of kind unavailable, timeout, resource
// exhausted, canceled or internal (or one that is not ours) is not, so a
// retry runs again. Of concurrent attempts exactly one runs: the store's
// claim decides.
//
// Every record the engine writes has a release. The claim of a running
// attempt holds its key for a lease (WithIdempotenceLease, default
// DefaultIdempotenceLease, 30 seconds: above connecthttp's 20-second write
// timeout), not for the TTL: when the attempt never finishes (its process
// died, the store call that finishes or releases it failed), a repeat
// after the lease runs as a new attempt with a new attempt id, and the old
// attempt's late finish or release changes nothing. The attempt runs under
// a context that ends with its lease, and one whose key was taken over is
// answered with a retryable error rather than with an answer its repeats
// would not replay. A session is released by its lifetime, a nonce with
// its session, a kept answer by the TTL.
//
// This package knows no protocol: the names under which the key and the
// first attempt's time travel (connecthttp's headers, a gRPC metadata key)
// and the status of each answer are the transport's; the errors about the
// key carry no property, and the transport names the key's carrier. Both
// transports of this repository keep the same form of a create's answer
// (wire.CreateAnswer), so one key serves both. CreateLimiter is the one
// interface of the transports' create limiters.
//
// # Sweep
//
// Sweep removes what expired from every store of the engine that keeps
// expired records (storage.Sweeper); the engine starts no goroutine, a
// gateway runs it on its schedule (storage.SweepEvery). Before every create
// the engine also tells a store that reclaims lazily its time
// (storage.TimeObserver), so that create-only traffic reclaims too.
//
// # Observer
//
// WithObserver takes functions the engine calls on the events an operator
// counts: sessions created, tokens found invalid (by reason), client
// authentication refused, store calls (operation, latency, error), nonce
// replays refused, idempotent outcomes. They receive no id, token, key or
// card data. The engine has no metrics dependency and never logs.
//
// # Configuration
//
// New requires a catalog source (WithCatalogs per merchant, or WithCatalog
// for all) and a datacenter resolver (WithDatacenters per merchant, or
// WithDatacenter for all): there is no default datacenter, because a
// wrong clientApiUrl sends consumers to the wrong place. A Datacenter's
// Origin is "scheme://host[:port]"; clientApiUrl is Origin+"/client" and
// assetUrl Origin+"/" (ValidOrigin); Region is EU, US, AMS or PAR
// (ValidRegion). The gateway's configuration loaders call these same
// functions, so that what loads is what the engine accepts.
//
// # Bounds
//
// What one session stores is capped, so that memory and storage grow with
// the number of live sessions only: at most 100 tokens per request
// (WithMaxTokens), each 1 to 128 printable ASCII characters; at most 32
// groups and 512 product ids in each filter list (WithFilterLimits, owned
// by filter.Filters.ValidateWithin; over a cap is a 400 TOO_MANY_ITEMS at
// the list, e.g. "paymentProductFilters.restrictTo.products"); the size
// of a request is the transport's to bound (64 KiB by default,
// wire.DefaultMaxRequestBytes). At the default caps the largest stored
// record is about 26 KB, of which about 20 KB are 100 valid tokens of 128
// characters with 64-character aliases (they must be the merchant's own
// valid tokens) and at most about 6.5 KB the filters (TestWorstCaseStoredSession).
// Expired sessions leave every store without client traffic: see Sweep. Dependencies
// (catalog source, datacenter resolver) that fail with an error that is
// not an *sderrors.Error make the call fail with a retryable
// sderrors.ErrUnavailable; a random source that fails (only possible
// with WithRandom) is sderrors.ErrInternal.
package session
