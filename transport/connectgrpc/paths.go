package connectgrpc

import (
	"github.com/clientsession/engine/wire"
)

// The paths errors name. The engine names the wire's properties: the
// query parameters of a Client API call (countryCode, currencyCode,
// amount, isRecurring), productId for a product the session may not show,
// the getIINdetails body's members, the create body's members. Over gRPC,
// a google.rpc.BadRequest field violation names the property's path in
// the request message instead, in its JSON names (the package
// documentation has the table); the ErrorInfo is the same on both
// transports. A create's paths are the wire's already (the request
// message is the Connect SessionRequest), and so are the getIINdetails
// body's (the request message has its shape).

// productsPath is the path in a GetPaymentProducts, GetPaymentProduct or
// GetPaymentProductGroups request of an error's property.
func productsPath(property string) string {
	switch property {
	case "countryCode", "currencyCode", "amount", "isRecurring":
		return "paymentContext." + property
	case "productId":
		return "paymentProductId"
	}
	return property
}

// iinPath is the path in a GetIINDetails request of an error's property:
// the getIINdetails body's (wire.IINContextPath), whose shape the request
// message has.
func iinPath(property string) string {
	switch property {
	case "countryCode", "currencyCode", "amount", "isRecurring":
		return wire.IINContextPath(property)
	}
	return property
}

// failAt is the status error of err, its properties named by paths.
func failAt(err error, paths func(string) string) error {
	return newStatus(err, paths, 0).Err()
}
