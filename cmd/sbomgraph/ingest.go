package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	apiv1 "github.com/sbomgraph/sbomgraph/api/sbomgraph/v1"
)

// unaryLimit is the largest SBOM sent in one Ingest message; larger ones are streamed in
// chunks of chunkSize with IngestStream.
const (
	unaryLimit = 4 << 20
	chunkSize  = 1 << 20
)

// runIngest sends SBOM files to the server, each as one image version.
func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "ingest", "[flags] FILE|DIR...")
	var cf clientFlags
	cf.register(fs, e, 10*time.Minute)
	out := fs.String("o", "text", "output format: text or json (one IngestResponse per file, in the proto's JSON mapping)")
	image := fs.String("image", "", "image name (default: the SBOM's subject)")
	tag := fs.String("tag", "", "tag (default: the SBOM's subject version)")
	digest := fs.String("digest", "", "image digest algorithm:hex (default: the SBOM's subject digest)")
	created := fs.String("created", "", "the version's creation time, RFC 3339 (default: the SBOM's creation time)")
	replace := fs.Bool("replace", false, "replace a version already stored with a different SBOM")
	jobs := fs.Int("jobs", min(4, 2*runtime.GOMAXPROCS(0)), "SBOMs sent at once")
	progress := fs.String("progress", "auto", "progress bar on stderr: auto (when a terminal), always or never")
	args, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := outputFormat(*out, "text", "json"); err != nil {
		return err
	}
	if err := outputFormat(*progress, "auto", "always", "never"); err != nil {
		return fmt.Errorf("--progress: %w", err)
	}
	if len(args) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: no FILE or DIR given", errUsage)
	}
	meta := &apiv1.IngestMetadata{Image: *image, Tag: *tag, Digest: *digest, Replace: *replace}
	if *created != "" {
		t, err := time.Parse(time.RFC3339, *created)
		if err != nil {
			return fmt.Errorf("%w: --created %q: want RFC 3339, e.g. 2026-01-31T12:00:00Z", errUsage, *created)
		}
		meta.Created = timestamppb.New(t)
	}
	files, err := sbomFiles(args)
	if err != nil {
		return err
	}
	if len(files) > 1 && (*tag != "" || *digest != "") {
		return fmt.Errorf("%w: --tag and --digest name one version; %d files given", errUsage, len(files))
	}
	if *jobs < 1 {
		*jobs = 1
	}
	conn, err := cf.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	client := apiv1.NewIngestServiceClient(conn)

	bar := newProgress(e.stderr, *progress, len(files))
	results := make([]ingestResult, len(files))
	work := make(chan int)
	var wg sync.WaitGroup
	for range *jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				start := time.Now()
				resp, err := ingestOne(ctx, &cf, client, files[i], meta)
				results[i] = ingestResult{file: files[i], resp: resp, err: err, took: time.Since(start)}
				bar.step(files[i])
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	bar.done()
	return reportIngest(e, *out, &cf, results)
}

// ingestResult is what happened to one file.
type ingestResult struct {
	file string
	resp *apiv1.IngestResponse
	err  error
	took time.Duration
}

// ingestOne sends one file, in one message or streamed, and returns the server's answer.
func ingestOne(ctx context.Context, cf *clientFlags, client apiv1.IngestServiceClient, file string, meta *apiv1.IngestMetadata) (*apiv1.IngestResponse, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	m := &apiv1.IngestMetadata{
		Image: meta.Image, Tag: meta.Tag, Digest: meta.Digest, Created: meta.Created,
		Replace: meta.Replace, Name: filepath.Base(file),
	}
	ctx, cancel := cf.call(ctx)
	defer cancel()
	if st.Size() <= unaryLimit {
		b, err := io.ReadAll(f)
		if err != nil {
			return nil, err
		}
		resp, err := client.Ingest(ctx, &apiv1.IngestRequest{Metadata: m, Sbom: b})
		if err != nil {
			return nil, rpcError(cf.server, err)
		}
		return resp, nil
	}
	m.Size = st.Size()
	stream, err := client.IngestStream(ctx)
	if err != nil {
		return nil, rpcError(cf.server, err)
	}
	send := func(r *apiv1.IngestStreamRequest) error {
		if err := stream.Send(r); err != nil {
			// The server ended the call; its status comes from CloseAndRecv.
			if errors.Is(err, io.EOF) {
				return nil
			}
			return rpcError(cf.server, err)
		}
		return nil
	}
	if err := send(&apiv1.IngestStreamRequest{Part: &apiv1.IngestStreamRequest_Metadata{Metadata: m}}); err != nil {
		return nil, err
	}
	buf := make([]byte, chunkSize)
	for {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			chunk := append([]byte(nil), buf[:n]...)
			if err := send(&apiv1.IngestStreamRequest{Part: &apiv1.IngestStreamRequest_Chunk{Chunk: chunk}}); err != nil {
				return nil, err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return nil, rpcError(cf.server, err)
	}
	return &apiv1.IngestResponse{Version: resp.GetVersion(), Created: resp.GetCreated()}, nil
}

// reportIngest prints one line (or JSON object) per file and a summary, and fails when any
// file failed.
func reportIngest(e *env, out string, cf *clientFlags, results []ingestResult) error {
	var stored, same, failed, components int
	for _, r := range results {
		switch {
		case r.err != nil:
			failed++
		case r.resp == nil:
			// Not sent: the command was interrupted.
		case r.resp.GetCreated():
			stored++
			components += int(r.resp.GetVersion().GetComponents())
		default:
			same++
		}
	}
	if out == "json" {
		var list []proto.Message
		for _, r := range results {
			if r.resp != nil {
				list = append(list, r.resp)
			}
		}
		if err := writeProtoJSONList(e.stdout, list); err != nil {
			return err
		}
		for _, r := range results {
			if r.err != nil {
				fmt.Fprintf(e.stderr, "sbomgraph ingest: %s: %v\n", r.file, r.err)
			}
		}
	} else {
		for _, r := range results {
			switch {
			case r.err != nil:
				fmt.Fprintf(e.stdout, "FAIL  %s: %v\n", r.file, r.err)
			case r.resp == nil:
				fmt.Fprintf(e.stdout, "skip  %s: interrupted\n", r.file)
			default:
				v := r.resp.GetVersion()
				word := "ok  "
				if !r.resp.GetCreated() {
					word = "same"
				}
				fmt.Fprintf(e.stdout, "%s  %s: %s  %d components, %d warnings (%s)\n", word, r.file,
					versionRef(v), v.GetComponents(), len(v.GetWarnings()), r.took.Round(time.Millisecond))
			}
		}
		fmt.Fprintf(e.stdout, "%d files: %d stored (%d components), %d already stored, %d failed\n",
			len(results), stored, components, same, failed)
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d files failed", failed, len(results))}
	}
	return nil
}

// sbomFiles expands the arguments: a file is itself, a directory every regular file under
// it (recursively, hidden entries and the corpus' .tsv/.md notes skipped), in name order.
func sbomFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if p != a && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && !notSBOM(name) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no files", a)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// notSBOM reports file names that are never SBOMs: the notes that sit beside them.
func notSBOM(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".tsv", ".csv", ".md", ".txt", ".sh", ".go", ".sig", ".pem", ".crt":
		return true
	}
	return strings.EqualFold(name, "LICENSE") || strings.EqualFold(name, "README")
}
