// The scrape workload of `cargo xtask bench` for client_golang, the Go client.
//
// `scrape_server <port> [--series N]` serves one counter family with the labels `method` and
// `path` and N children (10,000 by default) on http://127.0.0.1:<port>/metrics through
// `promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true})`, while two
// goroutines increment the children round-robin as fast as they can. It prints `ready` once the
// endpoint accepts connections and then runs until it is killed: the same program as
// `benches/src/bin/scrape_server.rs` and `benches/scripts/scrape_server.py`.
//
// The registry is one of its own, without the Go runtime and process collectors, so every
// server of the workload sends the same samples. `cargo xtask bench` builds it offline in GOPATH
// mode against the client_golang source Debian ships.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Goroutines incrementing the counters while the endpoint is scraped.
const updaters = 2

var methods = [...]string{"GET", "POST", "PUT", "DELETE"}

const usage = "usage: scrape_server <port> [--series N]"

func main() {
	args := os.Args[1:]
	if len(args) != 1 && !(len(args) == 3 && args[1] == "--series") {
		log.Fatal(usage)
	}
	port, err := strconv.ParseUint(args[0], 10, 16)
	if err != nil {
		log.Fatalf("port %q: %v; %s", args[0], err, usage)
	}
	series := 10000
	if len(args) == 3 {
		if series, err = strconv.Atoi(args[2]); err != nil || series < updaters {
			log.Fatalf("--series %q: expected a count of at least %d", args[2], updaters)
		}
	}

	family := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total",
		Help: "Requests served.",
	}, []string{"method", "path"})
	reg := prometheus.NewRegistry()
	reg.MustRegister(family)
	children := make([]prometheus.Counter, series)
	for i := range children {
		children[i] = family.WithLabelValues(methods[i%4], fmt.Sprintf("/api/v1/resource/%d", i))
		children[i].Inc()
	}

	// Listening before `ready` is printed: the endpoint accepts connections from then on.
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	for t := 0; t < updaters; t++ {
		go func(start int) {
			i := start
			for {
				children[i].Inc()
				i++
				if i == len(children) {
					i = 0
				}
			}
		}(t * series / updaters)
	}
	fmt.Println("ready")
	log.Fatal(http.Serve(listener, mux))
}
