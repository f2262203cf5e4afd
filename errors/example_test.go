package errors_test

import (
	"encoding/json"
	stderrors "errors"
	"fmt"

	sderrors "github.com/clientsession/engine/errors"
)

func ExampleToResponse() {
	err := sderrors.ErrUnknownGroup.WithProperty("paymentProductFilters.exclude.groups[1]")
	resp := sderrors.ToResponse(fmt.Errorf("create session: %w", err),
		sderrors.WithErrorID(func() string { return "example-error-id" }))
	out, _ := json.MarshalIndent(resp, "", "  ")
	fmt.Println(resp.HTTPStatus())
	fmt.Println(string(out))
	// Output:
	// 400
	// {
	//   "errorId": "example-error-id",
	//   "errors": [
	//     {
	//       "category": "CONNECT_PLATFORM_ERROR",
	//       "code": "700200",
	//       "httpStatusCode": 400,
	//       "id": "UNKNOWN_PAYMENT_PRODUCT_GROUP",
	//       "message": "unknown payment product group",
	//       "propertyName": "paymentProductFilters.exclude.groups[1]"
	//     }
	//   ]
	// }
}

func ExampleCodeOf() {
	storeDown := sderrors.ErrUnavailable.WithCause(stderrors.New("connection refused"))
	err := fmt.Errorf("create session: %w", storeDown)
	fmt.Println(sderrors.CodeOf(err), sderrors.KindOf(err), sderrors.IsRetryable(err))
	fmt.Println(stderrors.Is(err, sderrors.ErrUnavailable))
	fmt.Println(err)
	// Output:
	// 700900 unavailable true
	// true
	// create session: a dependency is unavailable, try again later
}

func ExampleFind() {
	err := fmt.Errorf("create session: %w",
		sderrors.ErrInvalidTokenFormat.WithProperty("tokens[3]"))
	if e := sderrors.Find(err); e != nil {
		fmt.Println(e.Code(), e.ID(), e.Property(), e.Kind().HTTPStatus())
	}
	fmt.Println(sderrors.Find(stderrors.New("not ours")) == nil)
	// Output:
	// 700301 INVALID_TOKEN_FORMAT tokens[3] 400
	// true
}

func ExampleError_WithProperty() {
	err := sderrors.ErrInvalidProductID.WithProperty("paymentProductFilters.restrictTo.products[2]")
	fmt.Println(err.Code(), err.Property())
	fmt.Println(err)
	// Output:
	// 700201 paymentProductFilters.restrictTo.products[2]
	// paymentProductFilters.restrictTo.products[2]: payment product ids are integers from 1 to 2147483647
}
