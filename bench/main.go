// Command bench is Outpost's reproducible load benchmark.
//
//	go run ./bench                       # quick set, < 2 minutes
//	go run ./bench -w all                # every workload
//	go run ./bench -w get-4k,put-4k -c 64 -d 10s
//
// In one run it starts Outpost in this process on the embedded default
// (SQLite metadata, filesystem blobs) in a temporary data directory, a bare
// net/http server serving the same bytes (from memory, and from a file with
// http.ServeContent), and, when BENCH_MINIO or BENCH_VERSITYGW name a
// binary, those servers on loopback with temporary directories.
// BENCH_OUTPOST and BENCH_OUTPOST_BASE name outpost binaries run as their
// own processes (this build, and another one, e.g. built before a change,
// to compare in the same run). One
// closed-loop load generator (its own http.Transport) drives each in turn,
// and a Markdown table reports req/s, MB/s, p50/p99 latency and the ratio
// to the net/http reference row of each workload. docs/performance.md says
// how to read it.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func main() {
	var (
		conc    = flag.Int("c", 32, "concurrent requests (closed loop: each worker sends the next request when the previous one answered)")
		dur     = flag.Duration("d", 3*time.Second, "measured duration of each workload on each target")
		warm    = flag.Duration("warm", 500*time.Millisecond, "warm-up before each measurement (not counted)")
		which   = flag.String("w", "quick", `workloads: "quick", "all", or a comma-separated list (see -list)`)
		keys    = flag.Int("keys", 100000, "keys in the ListObjectsV2 bucket")
		idle    = flag.Int("idle", 1000, "idle keep-alive connections opened by the idle workload")
		mpuSize = flag.Int64("mpu-size", gib, "bytes uploaded by the mpu-1g workload")
		logMode = flag.String("log", "discard", `Outpost's access log: "discard" (JSON-formatted as by outpost serve, written nowhere), "off", "stderr"`)
		dir     = flag.String("dir", "", "parent of the temporary data directories (default: the system temp dir)")
		list    = flag.Bool("list", false, "list the workloads and exit")
		plain   = flag.Bool("plaintext", false, "also measure Outpost with --encrypt-at-rest=false (objects stored as sent), as a second target beside the default SSE-S3")
		cpuProf = flag.String("cpuprofile", "", "write a CPU profile of the whole run (load generator and Outpost share the process) to this file")
	)
	flag.Parse()
	if *list {
		for _, w := range workloads {
			q := ""
			if w.quick {
				q = " (quick)"
			}
			fmt.Printf("%-11s %s%s\n", w.name, w.about, q)
		}
		return
	}
	selected, err := selectWorkloads(*which)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	tmp, err := os.MkdirTemp(*dir, "outpost-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(tmp)

	machine := describeMachine()
	e := &env{conc: *conc, dur: *dur, warm: *warm, keys: *keys, idle: *idle, mpuSize: *mpuSize,
		client: &http.Client{Transport: newTransport(max(*conc, 64))}, listed: map[string]bool{}, uploaded: map[string]bool{}}
	e.base, err = startBaseline(filepath.Join(tmp, "baseline"), []int{4 * kib, 64 * kib, mib, 64 * mib})
	must(err)
	defer e.base.stop()
	op, err := startOutpost(filepath.Join(tmp, "outpost"), *logMode, false)
	must(err)
	e.targets = append(e.targets, op)
	if *plain {
		pl, err := startOutpost(filepath.Join(tmp, "outpost-plaintext"), *logMode, true)
		must(err)
		e.targets = append(e.targets, pl)
	}
	peers := []struct{ name, env string }{
		{"outpost-process", "BENCH_OUTPOST"}, {"outpost-base", "BENCH_OUTPOST_BASE"},
		{"minio", "BENCH_MINIO"}, {"versitygw", "BENCH_VERSITYGW"},
	}
	for _, p := range peers {
		bin := os.Getenv(p.env)
		if bin == "" {
			continue
		}
		d := filepath.Join(tmp, p.name, "data")
		must(os.MkdirAll(d, 0o755))
		t, err := startPeer(p.name, bin, d)
		if err != nil {
			logf("skipping %s: %v", p.name, err)
			continue
		}
		e.targets = append(e.targets, t)
	}
	defer func() {
		for _, t := range e.targets {
			t.stop()
		}
	}()
	for _, t := range e.targets {
		must(e.prepare(t))
	}

	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	var rows []result
	for _, w := range selected {
		logf("running %s", w.name)
		rs := w.run(e)
		setRatios(w.name, rs)
		for i := range rs {
			rs[i].Workload = w.name
		}
		rows = append(rows, rs...)
	}
	fmt.Printf("# Outpost benchmark, %s\n\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("%s\n", machine)
	fmt.Printf("- load average after: %s\n", loadavg())
	fmt.Printf("- command: `go run ./bench %s` (c=%d, d=%v, warm=%v, log=%s), ran %v\n\n",
		strings.Join(os.Args[1:], " "), *conc, *dur, *warm, *logMode, time.Since(start).Round(time.Second))
	printTable(rows)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func selectWorkloads(s string) ([]workload, error) {
	var out []workload
	switch s {
	case "quick":
		for _, w := range workloads {
			if w.quick {
				out = append(out, w)
			}
		}
		return out, nil
	case "all":
		return workloads, nil
	}
	for _, name := range strings.Split(s, ",") {
		i := slices.IndexFunc(workloads, func(w workload) bool { return w.name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown workload %q (see -list)", name)
		}
		out = append(out, workloads[i])
	}
	return out, nil
}

// setRatios divides each row's req/s by the workload's reference row: the
// first row, a bare net/http server (or, for presign, the AWS SDK). Memory,
// idle, listing and verification rows have no reference.
func setRatios(name string, rs []result) {
	switch name {
	case "mem-1g", "idle", "verify", "list-first", "list-walk", "mpu-1g":
		return
	}
	if len(rs) == 0 || rs[0].N == 0 {
		return
	}
	ref := rs[0].ReqPerSec()
	for i := range rs {
		if rs[i].N > 0 {
			rs[i].Ratio = rs[i].ReqPerSec() / ref
		}
	}
}

func printTable(rows []result) {
	fmt.Println("| workload | target | req/s | MB/s | p50 | p99 | × ref | errors | note |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rows {
		ratio := ""
		if r.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		rps, mbs := "", ""
		if r.N > 0 && r.Elapsed > 0 {
			rps = fmt.Sprintf("%.0f", r.ReqPerSec())
			if r.Bytes > 0 {
				mbs = fmt.Sprintf("%.1f", r.MBPerSec())
			}
		}
		note := r.Note
		if r.FirstErr != "" {
			note = strings.TrimSpace(note + " first error: " + r.FirstErr)
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %d | %s |\n", r.Workload, r.Target, rps, mbs, dur(r.P50), dur(r.P99), ratio, r.Errors, note)
	}
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return ""
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func describeMachine() string {
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				if _, v, ok := strings.Cut(l, ":"); ok {
					cpu = strings.TrimSpace(v)
				}
				break
			}
		}
	}
	return fmt.Sprintf("- machine: %d CPUs (GOMAXPROCS %d), %s, %s/%s, %s\n- load average before: %s",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), cpu, runtime.GOOS, runtime.GOARCH, runtime.Version(), loadavg())
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
