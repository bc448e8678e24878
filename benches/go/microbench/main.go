// The criterion workloads of `cargo xtask bench`, for client_golang: the same shapes as
// benches/benches/counter.rs, labelled.rs, histogram.rs and encode.rs, timed with Go's own
// testing.Benchmark.
//
// `microbench [-benchtime D] [-samples N] [-filter REGEXP]` prints one JSON line with the Go
// version and GOMAXPROCS, then one JSON line per benchmark: its criterion group, its name and N
// samples of nanoseconds per operation. The samples are taken round-robin over the
// benchmarks, so a slow spell of the machine hits all of them.
//
// Every benchmark runs its loop on `threads` goroutines released together, each timing itself
// from its release to its last operation; a sample is the longest goroutine's time divided by
// the goroutines and the iterations: time per operation across all goroutines, as
// `prom_benches::contended` computes it for the Rust rows.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// prom_core::DEFAULT_BUCKETS: client_golang's DefBuckets lack 0.075, 0.75 and 7.5.
var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Observed values cycle over a spread that hits every bucket (histogram.rs's `value`).
var values = [...]float64{0.003, 0.02, 0.06, 0.2, 0.4, 0.9, 3.0, 8.0, 20.0}

var methods = [...]string{"GET", "POST", "PUT", "DELETE"}

type benchmark struct {
	group, name string
	threads     int
	// loop runs n operations on goroutine t.
	loop func(t, n int)
}

// sample runs one testing.Benchmark of bm and returns nanoseconds per operation.
func sample(bm benchmark) float64 {
	var longest time.Duration
	var iterations int
	testing.Benchmark(func(b *testing.B) {
		times := make([]time.Duration, bm.threads)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for t := 0; t < bm.threads; t++ {
			wg.Add(1)
			go func(t int) {
				defer wg.Done()
				<-start
				begin := time.Now()
				bm.loop(t, b.N)
				times[t] = time.Since(begin)
			}(t)
		}
		close(start)
		wg.Wait()
		// testing.Benchmark calls this with a growing b.N; the last call is the measured one.
		longest, iterations = 0, b.N
		for _, d := range times {
			if d > longest {
				longest = d
			}
		}
	})
	return float64(longest.Nanoseconds()) / float64(bm.threads) / float64(iterations)
}

func counters() []benchmark {
	one := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "h"})
	oneFloat := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "h"})
	two := prometheus.NewCounter(prometheus.CounterOpts{Name: "c", Help: "h"})
	return []benchmark{
		{"counter_inc_1_thread", "Counter.Inc()", 1, func(_, n int) {
			for i := 0; i < n; i++ {
				one.Inc()
			}
		}},
		{"counter_inc_1_thread", "Counter.Add(1.5)", 1, func(_, n int) {
			for i := 0; i < n; i++ {
				oneFloat.Add(1.5)
			}
		}},
		{"counter_inc_2_threads", "Counter.Inc()", 2, func(_, n int) {
			for i := 0; i < n; i++ {
				two.Inc()
			}
		}},
	}
}

// labelled.rs: one of 100 existing children of a two-label family, looked up by its values.
func labelled() []benchmark {
	const children = 100
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c", Help: "h"},
		[]string{"method", "path"})
	keys := make([][2]string, children)
	labels := make([]prometheus.Labels, children)
	for i := range keys {
		keys[i] = [2]string{methods[i%4], fmt.Sprintf("/api/v1/resource/%d", i)}
		labels[i] = prometheus.Labels{"method": keys[i][0], "path": keys[i][1]}
		vec.WithLabelValues(keys[i][0], keys[i][1])
	}
	group := "labelled_lookup_inc_2_labels_100_children"
	return []benchmark{
		{group, "WithLabelValues().Inc()", 1, func(_, n int) {
			i := 0
			for j := 0; j < n; j++ {
				i = (i + 1) % children
				vec.WithLabelValues(keys[i][0], keys[i][1]).Inc()
			}
		}},
		// The Labels maps are built beforehand, as the Rust rows' keys are.
		{group, "With(Labels).Inc(), maps built once", 1, func(_, n int) {
			i := 0
			for j := 0; j < n; j++ {
				i = (i + 1) % children
				vec.With(labels[i]).Inc()
			}
		}},
	}
}

func histograms() []benchmark {
	var out []benchmark
	for _, threads := range []int{1, 2} {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Help: "h", Buckets: buckets})
		group := "histogram_observe_default_buckets_1_thread"
		if threads > 1 {
			group = fmt.Sprintf("histogram_observe_default_buckets_%d_threads", threads)
		}
		out = append(out, benchmark{group, "Observe()", threads, func(_, n int) {
			for i := 0; i < n; i++ {
				h.Observe(values[i%len(values)])
			}
		}})
	}
	return out
}

// encode.rs: 10,000 labelled counter series and 1,000 histogram series, gathered and encoded
// into a reused buffer, as a scrape does.
func encoding() []benchmark {
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "Requests.",
	}, []string{"method", "path"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "Latency.", Buckets: buckets,
	}, []string{"handler"})
	reg.MustRegister(requests, latency)
	for i := 0; i < 10000; i++ {
		requests.WithLabelValues(methods[i%4], fmt.Sprintf("/api/v1/resource/%d", i/4)).
			Add(float64(i % 97))
	}
	for i := 0; i < 1000; i++ {
		h := latency.WithLabelValues(fmt.Sprintf("/handler/%d", i))
		for k := 0; k < 3; k++ {
			h.Observe(values[(i+k)%len(values)])
		}
	}
	var buf bytes.Buffer
	buf.Grow(4 << 20)
	encode := func(format expfmt.Format) {
		buf.Reset()
		families, err := reg.Gather()
		if err != nil {
			log.Fatal(err)
		}
		enc := expfmt.NewEncoder(&buf, format)
		for _, family := range families {
			if err := enc.Encode(family); err != nil {
				log.Fatal(err)
			}
		}
		if closer, ok := enc.(expfmt.Closer); ok {
			if err := closer.Close(); err != nil {
				log.Fatal(err)
			}
		}
	}
	group := "encode_10k_counters_1k_histograms"
	return []benchmark{
		{group, "Gather() + expfmt text 0.0.4", 1, func(_, n int) {
			for i := 0; i < n; i++ {
				encode(expfmt.FmtText)
			}
		}},
		{group, "Gather() + expfmt OpenMetrics", 1, func(_, n int) {
			for i := 0; i < n; i++ {
				encode(expfmt.FmtOpenMetrics)
			}
		}},
	}
}

func main() {
	testing.Init()
	benchtime := flag.Duration("benchtime", time.Second, "time of one sample of one benchmark")
	samples := flag.Int("samples", 10, "samples of each benchmark")
	filter := flag.String("filter", "", "only the benchmarks whose `group/name` matches")
	flag.Parse()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		log.Fatal(err)
	}
	match, err := regexp.Compile(*filter)
	if err != nil {
		log.Fatalf("-filter: %v", err)
	}
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(map[string]interface{}{
		"go": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0),
	}); err != nil {
		log.Fatal(err)
	}

	var all []benchmark
	for _, build := range []func() []benchmark{counters, labelled, histograms, encoding} {
		for _, bm := range build() {
			if match.MatchString(bm.group + "/" + bm.name) {
				all = append(all, bm)
			}
		}
	}
	results := make([][]float64, len(all))
	for s := 0; s < *samples; s++ {
		for i, bm := range all {
			results[i] = append(results[i], sample(bm))
		}
	}
	for i, bm := range all {
		if err := out.Encode(map[string]interface{}{
			"group": bm.group, "name": bm.name, "ns_per_op": results[i],
		}); err != nil {
			log.Fatal(err)
		}
	}
}
