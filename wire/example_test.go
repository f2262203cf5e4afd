package wire_test

import (
	"encoding/json"
	"fmt"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/wire"
)

// NewSessionResponse is the JSON of a create: the wire names, invalidTokens
// as [] when every token was valid, and never the engine's reasons.
func ExampleNewSessionResponse() {
	for _, resp := range []session.CreateResponse{
		{ClientSessionID: "000102030405060708090a0b0c0d0e0f", CustomerID: "1234-101112131415161718191a1b1c1d1e1f",
			ClientAPIURL: "https://payment.example.com/client", AssetURL: "https://payment.example.com/", Region: "EU"},
		{ClientSessionID: "202122232425262728292a2b2c2d2e2f", CustomerID: "1234-303132333435363738393a3b3c3d3e3f",
			ClientAPIURL: "https://payment.example.com/client", AssetURL: "https://payment.example.com/", Region: "EU",
			InvalidTokens: []string{"expired-token"}, Invalid: []token.Invalid{{ID: "expired-token", Reason: token.ReasonCardExpired}}},
	} {
		b, _ := json.Marshal(wire.NewSessionResponse(resp))
		fmt.Println(string(b))
	}
	// Output:
	// {"assetUrl":"https://payment.example.com/","clientApiUrl":"https://payment.example.com/client","clientSessionId":"000102030405060708090a0b0c0d0e0f","customerId":"1234-101112131415161718191a1b1c1d1e1f","invalidTokens":[],"region":"EU"}
	// {"assetUrl":"https://payment.example.com/","clientApiUrl":"https://payment.example.com/client","clientSessionId":"202122232425262728292a2b2c2d2e2f","customerId":"1234-303132333435363738393a3b3c3d3e3f","invalidTokens":["expired-token"],"region":"EU"}
}
