package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	apiv1 "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
	"github.com/sbomgraph/sbomgraph/cmd/sbomgraph/internal/report"
	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/diff"
	"github.com/sbomgraph/sbomgraph/ingest"
	"github.com/sbomgraph/sbomgraph/server/convert"
)

// exitGate is the exit status of a diff that tripped a --fail-on condition.
const exitGate = 3

// stringList is a repeatable string flag.
type stringList []string

// String joins the values with commas (flag.Value).
func (l *stringList) String() string { return strings.Join(*l, ",") }

// Set appends a value (flag.Value).
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// runDiff diffs two SBOM files offline with the release-diff engine, or two stored versions
// on the server (the same engine, run there).
func runDiff(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "diff", "[-o text|json|markdown|html|sarif] [--fail-on CONDITION,...] OLD NEW")
	var cf clientFlags
	cf.register(fs, e, 2*time.Minute)
	out := fs.String("o", "text", "output format: "+strings.Join(report.DiffFormats, ", "))
	var failOn stringList
	fs.Var(&failOn, "fail-on", "exit with status 3 when the diff matches one of these `conditions` (see below); repeatable")
	asOf := fs.String("as-of", "", "judge base OS support windows on this `day` (YYYY-MM-DD; default today)")
	bloatDefault := "from the hygiene rules"
	if rules, err := diff.DefaultHygieneRules(); err == nil {
		bloatDefault = fmt.Sprintf("%g,%d, from the hygiene rules", rules.Bloat.Percent, rules.Bloat.Min)
	}
	bloat := fs.String("bloat", "", "bloat threshold as `PERCENT,MIN`: growth by more than PERCENT% and at least MIN packages (default "+bloatDefault+")")
	color := fs.String("color", "auto", "colour the text output: auto (when stdout is a terminal and NO_COLOR is unset), always or never")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: sbomgraph diff [-o text|json|markdown|html|sarif] [--fail-on CONDITION,...] OLD NEW\n\n"+
			"OLD and NEW are both SBOM files, diffed offline, or both stored versions (IMAGE:TAG,\n"+
			"IMAGE@DIGEST), diffed by the server. json is the proto's JSON mapping of DiffResult.\n\nflags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(e.stderr, "\n--fail-on %s\n\nexit status: 0 no condition matched (the report is written either way), 3 a --fail-on\ncondition matched (each match is listed on stderr), 2 usage error, 1 any other error.\n", report.GateSyntax)
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := outputFormat(*out, report.DiffFormats...); err != nil {
		return err
	}
	if len(files) != 2 {
		fs.Usage()
		return fmt.Errorf("%w: want OLD and NEW, got %d arguments", errUsage, len(files))
	}
	gates, err := report.ParseGates(failOn)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var opts []diff.Option
	if *asOf != "" {
		day, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return fmt.Errorf("%w: --as-of %q: want YYYY-MM-DD", errUsage, *asOf)
		}
		opts = append(opts, diff.WithNow(day))
	}
	if *bloat != "" {
		pct, min, err := parseBloat(*bloat)
		if err != nil {
			return fmt.Errorf("%w: --bloat %q: %v", errUsage, *bloat, err)
		}
		opts = append(opts, diff.WithBloatThreshold(pct, min))
	}
	useColor, err := colorMode(*color, e)
	if err != nil {
		return err
	}
	var r *diff.Result
	switch local := [2]bool{isFile(files[0]), isFile(files[1])}; local {
	case [2]bool{true, true}:
		if r, err = diffFiles(ctx, files[0], files[1], opts); err != nil {
			return err
		}
	case [2]bool{false, false}:
		if *bloat != "" {
			return fmt.Errorf("%w: --bloat applies to files diffed offline; the server uses its hygiene rules", errUsage)
		}
		if r, err = diffRemote(ctx, &cf, files[0], files[1], *asOf); err != nil {
			return err
		}
	default:
		f, ref := files[0], files[1]
		if local[1] {
			f, ref = ref, f
		}
		if _, err := graph.ParseRef(ref); err != nil {
			_, err := os.Stat(ref) // not a reference either: say the file is missing
			return err
		}
		return fmt.Errorf("%w: %s is a file and %s is not: diff two files offline, or two stored versions (ingest the file first)", errUsage, f, ref)
	}
	ropts := report.DiffOptions{OldName: files[0], NewName: files[1], NewURI: files[1], Color: useColor}
	if err := report.WriteDiff(e.stdout, *out, r, ropts); err != nil {
		return err
	}
	matches := report.EvaluateGates(r, gates)
	if len(matches) == 0 {
		return nil
	}
	for _, m := range matches {
		fmt.Fprintf(e.stderr, "sbomgraph diff: --fail-on %s: %s\n", m.Gate, m.What)
	}
	return &exitError{code: exitGate, err: fmt.Errorf("%d %s matched --fail-on", len(matches), pluralize(len(matches), "change", "changes"))}
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// parseBloat reads "PERCENT,MIN".
func parseBloat(s string) (float64, int, error) {
	p, m, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, errors.New("want PERCENT,MIN, e.g. 10,20")
	}
	pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(p), "%"), 64)
	if err != nil || pct < 0 {
		return 0, 0, fmt.Errorf("percent %q is not a non-negative number", p)
	}
	min, err := strconv.Atoi(strings.TrimSpace(m))
	if err != nil || min < 0 {
		return 0, 0, fmt.Errorf("min %q is not a non-negative integer", m)
	}
	return pct, min, nil
}

// colorMode decides whether to colour text output: "always", "never", or "auto" (stdout is a
// terminal and NO_COLOR is unset or empty, as no-color.org asks).
func colorMode(mode string, e *env) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if e.getenv != nil && e.getenv("NO_COLOR") != "" {
			return false, nil
		}
		return isTerminal(e.stdout), nil
	}
	return false, fmt.Errorf("%w: --color %q: want auto, always or never", errUsage, mode)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// isFile reports whether arg names an existing file (and so is diffed offline).
func isFile(arg string) bool {
	st, err := os.Stat(arg)
	return err == nil && !st.IsDir()
}

// diffFiles decodes two SBOM files and diffs them.
func diffFiles(ctx context.Context, oldFile, newFile string, opts []diff.Option) (*diff.Result, error) {
	old, err := ingest.DecodeFile(ctx, oldFile, ingest.Options{})
	if err != nil {
		return nil, err
	}
	new, err := ingest.DecodeFile(ctx, newFile, ingest.Options{})
	if err != nil {
		return nil, err
	}
	return diff.Documents(old, new, opts...), nil
}

// diffRemote asks the server for the diff of two stored versions.
func diffRemote(ctx context.Context, cf *clientFlags, oldArg, newArg, asOf string) (*diff.Result, error) {
	oldRef, err := parseRef(oldArg)
	if err != nil {
		return nil, fmt.Errorf("%w (and no such file)", err)
	}
	newRef, err := parseRef(newArg)
	if err != nil {
		return nil, fmt.Errorf("%w (and no such file)", err)
	}
	req := &apiv1.DiffRequest{Old: oldRef, New: newRef}
	if asOf != "" {
		day, _ := time.Parse(time.DateOnly, asOf) // validated by the caller
		req.AsOf = timestamppb.New(day)
	}
	conn, err := cf.dial()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	cctx, cancel := cf.call(ctx)
	defer cancel()
	resp, err := apiv1.NewDiffServiceClient(conn).Diff(cctx, req)
	if err != nil {
		return nil, rpcError(cf.server, err)
	}
	return convert.DiffResultFromProto(resp.GetResult()), nil
}
