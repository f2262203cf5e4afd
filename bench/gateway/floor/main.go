// Command floor is the floor of the gateway load run (bench/gateway/run.sh):
// a bare net/http server that answers every request with the status,
// headers and body of a response captured from the reference gateway,
// doing no other work than reading the request body. It answers POST with
// the -create response and every other method with the -products one.
//
// A capture file is what `curl -s -D - -o -` prints: the status line, the
// header lines, a blank line, the body. Date is left to net/http;
// Content-Length is the body's, as the gateway sends it (no chunking).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// response is a captured answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8091", "listen address (loopback)")
	createPath := flag.String("create", "", "captured response to POST requests")
	productsPath := flag.String("products", "", "captured response to other requests")
	flag.Parse()
	create, err := load(*createPath)
	if err != nil {
		log.Fatal(err)
	}
	products, err := load(*productsPath)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			resp := products
			if r.Method == http.MethodPost {
				resp = create
			}
			h := w.Header()
			for name, values := range resp.header {
				h[name] = values
			}
			w.WriteHeader(resp.status)
			_, _ = w.Write(resp.body)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("floor: listening on http://%s", ln.Addr())
	log.Fatal(srv.Serve(ln))
}

// load reads a captured response.
func load(path string) (response, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // the run script's own capture file, named on the command line
	if err != nil {
		return response{}, err
	}
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		return response{}, fmt.Errorf("%s: no blank line after the headers", path)
	}
	sc := bufio.NewScanner(bytes.NewReader(head))
	if !sc.Scan() {
		return response{}, errors.New(path + ": empty")
	}
	fields := strings.Fields(sc.Text()) // HTTP/1.1 200 OK
	if len(fields) < 2 {
		return response{}, fmt.Errorf("%s: bad status line %q", path, sc.Text())
	}
	status, err := strconv.Atoi(fields[1])
	if err != nil {
		return response{}, fmt.Errorf("%s: bad status line %q", path, sc.Text())
	}
	header := http.Header{}
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch name = http.CanonicalHeaderKey(strings.TrimSpace(name)); name {
		case "Date", "Content-Length", "Transfer-Encoding":
		default:
			header.Add(name, strings.TrimSpace(value))
		}
	}
	header.Set("Content-Length", strconv.Itoa(len(body)))
	return response{status: status, header: header, body: body}, nil
}
