// Command sbomgraph turns container-image SBOMs into a supply-chain graph and answers
// blast-radius and release-diff questions over it. One binary holds the server and the
// command-line client; run `sbomgraph help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch: its streams. Commands never read os.Args, os.Stdout or the
// process environment directly, so tests can run them in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

var commands = map[string]command{
	"inspect":  {"parse SBOM files offline and report what they hold", runInspect},
	"diff":     {"release diff of two stored versions, or of two SBOM files offline", runDiff},
	"ingest":   {"store SBOM files (or every SBOM in a directory) on the server", runIngest},
	"images":   {"list the images stored on the server", runImages},
	"versions": {"list an image's stored versions, in order", runVersions},
	"show":     {"one stored version and a summary of its content", runShow},
	"find":     {"blast radius: the image versions that contain a component", runFind},
	"path":     {"how a component got into one image version", runPath},
	"timeline": {"a package's history across an image's versions", runTimeline},
	"serve":    {"run the gRPC server over a store", runServe},
}

// exitError carries a specific exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "sbomgraph: unknown command %q (run 'sbomgraph help')\n", args[0])
		return 2
	}
	err := cmd.run(ctx, e, args[1:])
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(e.stderr, "sbomgraph %s: %v\n", args[0], ee.err)
		}
		return ee.code
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "sbomgraph %s: %v\n", args[0], err)
		return 2
	}
	fmt.Fprintf(e.stderr, "sbomgraph %s: %v\n", args[0], err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sbomgraph COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nrun 'sbomgraph COMMAND -h' for a command's flags")
}

// parseInterleaved parses flags that may come before, between or after positional arguments
// ("inspect a.json -o json b.json") and returns the positionals in order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a FlagSet that reports errors instead of exiting, with a usage line.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: sbomgraph %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// outputFormat validates an -o value against the allowed ones.
func outputFormat(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%w: -o %q: want one of %s", errUsage, v, strings.Join(allowed, ", "))
}
