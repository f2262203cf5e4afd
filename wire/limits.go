package wire

// DefaultMaxRequestBytes is the default bound of one request's bytes on
// every transport: an HTTP body (transport/connecthttp, WithMaxBodyBytes)
// and a gRPC message (transport/connectgrpc, WithMaxRequestBytes), so that
// both transports accept the same requests. The transport owns the bound
// and refuses a larger request before decoding it; the engine's decoders
// (session.Engine.DecodeCreateRequest, DecodeDecryptRequest,
// DecodeIINDetailsRequest) take the bytes they are given.
//
// 64 KiB: a create at the engine's default caps (100 tokens of 128
// characters, 32 groups and 512 product ids in each filter list) is under
// 32 KiB of JSON, an encrypted customer input a few KiB.
const DefaultMaxRequestBytes = 64 << 10
