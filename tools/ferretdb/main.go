// Command ferretdb runs an embedded FerretDB v1 (SQLite backend) for the job
// service's dev mode and tests. It is built from the module, not installed with
// `go install .../cmd/ferretdb`, because that binary panics without a generated
// build/version/version.txt (FerretDB issue #2982).
//
// Usage: ferretdb -port 27018 -data ./.data/ferretdb [-host 127.0.0.1] [-log warn] [-parent-pid N] [-synchronous normal|full]
//
// It prints "ready <mongodb-uri>" on stdout once it listens, and exits 0 on
// SIGTERM or SIGINT after closing its listener and the SQLite backend.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only with -pprof, for profiling the embedded database
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on (loopback by default)")
	port := flag.Int("port", 27017, "TCP port to listen on")
	dataDir := flag.String("data", "", "directory for the SQLite databases (required)")
	logLevel := flag.String("log", "warn", "log level: debug, info, warn or error")
	parentPID := flag.Int("parent-pid", 0, "exit when this process is no longer our parent (0: never)")
	pprofAddr := flag.String("pprof", "", "serve Go pprof on this loopback address (empty: off)")
	synchronous := flag.String("synchronous", "normal", "SQLite synchronous pragma: normal (WAL, no fsync per commit; survives a process crash, not a power loss) or full")
	flag.Parse()

	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: -data is required")
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		fail(err)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if *synchronous != "normal" && *synchronous != "full" {
		fail(fmt.Errorf("-synchronous must be normal or full, not %q", *synchronous))
	}

	addr := net.JoinHostPort(*host, strconv.Itoa(*port))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(" + *synchronous + ")",
	})
	if err != nil {
		fail(err)
	}

	if *pprofAddr != "" {
		go func() { _ = http.ListenAndServe(*pprofAddr, nil) }()
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if *parentPID > 0 {
		// A parent killed with SIGKILL cannot stop us: notice it and exit.
		go func() {
			for ctx.Err() == nil {
				if os.Getppid() != *parentPID {
					stop()
					return
				}
				time.Sleep(500 * time.Millisecond)
			}
		}()
	}

	go keepIDIndexes(ctx, abs, logger)

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()

	// Run binds the listener asynchronously: announce readiness once the port answers.
	go func() {
		for ctx.Err() == nil {
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				_ = c.Close()
				fmt.Printf("ready mongodb://%s/\n", addr)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()

	<-done
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ferretdb:", err)
	os.Exit(1)
}
