// Command outpost is the Outpost object store: `outpost serve` runs the
// server, `outpost presign` prints presigned URLs, `outpost version` prints
// the version.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/outpost-s3/outpost/cmd/outpost/admin"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `Outpost: a self-hosted object store that speaks the Amazon S3 on Outposts API.

Usage:
  outpost serve [flags]     run the server (outpost serve -h for flags)
  outpost presign s3://ARN_OR_ALIAS_OR_BUCKET/KEY [flags]
                            print a presigned URL (outpost presign -h)
  outpost admin RESOURCE COMMAND [flags]
                            accounts, users, keys, groups, roles, policies,
                            policy explain (outpost admin help)
  outpost version           print the version

Environment variables mirror the flags (OUTPOST_DATA, OUTPOST_LISTEN, …).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "presign":
		return runPresign(ctx, args[1:], stdout, stderr)
	case "admin":
		return admin.Run(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "outpost", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "outpost: unknown command %q\n\n%s", args[0], usage)
	return 2
}
