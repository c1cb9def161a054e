package report

import (
	"bytes"
	"context"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// skipChromiumEnv, when set to a non-empty value, skips the browser tests instead of failing
// them on a machine without Chromium.
const skipChromiumEnv = "SBOMGRAPH_SKIP_CHROMIUM"

// chromium returns the path of Debian's chromium (or chromium-browser). Without one the test
// fails and says how to install it, unless SBOMGRAPH_SKIP_CHROMIUM is set.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(skipChromiumEnv) != "" {
		t.Skipf("chromium not on PATH and %s is set", skipChromiumEnv)
	}
	t.Fatalf("chromium is not on PATH: run `make deps` (as root it runs apt-get install -y --no-install-recommends chromium), or set %s=1 to skip the browser tests", skipChromiumEnv)
	return ""
}

// pageProbe is put at the top of <head> of the page under test. It records uncaught errors,
// unhandled rejections and console.error calls, and after load exercises the first sortable
// table with at least two rows: a click must sort it ascending by its first column, a second
// click descending. It writes what it found into the DOM, which --dump-dom then shows.
const pageProbe = `<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push("error: " + e.message); });
  window.addEventListener("unhandledrejection", function (e) { errors.push("unhandled rejection: " + e.reason); });
  var orig = console.error;
  console.error = function () { errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); orig.apply(console, arguments); };
  function out(id, text) { var p = document.createElement("pre"); p.id = id; p.textContent = text; document.body.appendChild(p); }
  function column(table) { return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[0].textContent.trim(); }); }
  function ordered(xs, dir) {
    for (var i = 1; i < xs.length; i++) {
      if (dir * xs[i - 1].localeCompare(xs[i], undefined, { numeric: true, sensitivity: "base" }) > 0) { return false; }
    }
    return true;
  }
  window.addEventListener("load", function () {
    var sort = "no sortable table";
    try {
      var tables = Array.prototype.filter.call(document.querySelectorAll("table.sortable"), function (t) { return t.tBodies[0] && t.tBodies[0].rows.length > 1; });
      if (tables.length > 0) {
        var t = tables[0], th = t.tHead.rows[0].cells[0];
        th.click();
        var up = column(t), upState = th.getAttribute("aria-sort");
        th.click();
        var down = column(t), downState = th.getAttribute("aria-sort");
        sort = (ordered(up, 1) && upState === "ascending" && ordered(down, -1) && downState === "descending") ?
          "sorted " + t.id + " (" + up.length + " rows)" : "NOT SORTED " + t.id + ": " + up.join(",") + " / " + down.join(",");
      }
    } catch (e) { errors.push("probe: " + e); }
    out("probe-sort", sort);
    out("probe-errors", errors.join("\n"));
  });
}());
</script>`

// runChromium runs chromium headless with args on the file and returns its stdout.
func runChromium(t *testing.T, bin, file string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-quic",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=5000",
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+file)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	return stdout.Bytes()
}

var preRE = regexp.MustCompile(`(?s)<pre id="(probe-[a-z]+)">(.*?)</pre>`)

// TestHTMLInChromium opens the HTML reports in headless Chromium: each must render its
// summary and its tables, sort a table on a click, log no error, and screenshot to a PNG.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	pages := []struct {
		name   string
		html   []byte
		expect []string
	}{
		{"diff-example", renderDiff(t, examplePair, "html"), []string{`id="summary"`, `<svg id="chart"`, `id="hygiene-table"`, `id="removed-table"`, "busybox"}},
		{"diff-juice-shop", renderDiff(t, goldenPairs[len(goldenPairs)-1], "html"), []string{`id="summary"`, `id="downgrades-table"`, `id="upgrades-table"`, `id="licenses-table"`, "<details>"}},
		{"find-example", renderFind(t, findReport(t, exampleFind), "html"), []string{`id="summary"`, `id="image-1-table"`, `id="image-2-table"`, "liblzma5"}},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			file, dom, probe := probePage(t, bin, p.name, p.html)
			if e := probe["probe-errors"]; e != "" {
				t.Errorf("console errors:\n%s", e)
			}
			if s := probe["probe-sort"]; !strings.HasPrefix(s, "sorted ") {
				t.Errorf("sorting: %s", s)
			}
			for _, want := range p.expect {
				if !strings.Contains(dom, want) {
					t.Errorf("rendered DOM lacks %s", want)
				}
			}
			if n := strings.Count(dom, "<tr>"); n < 3 {
				t.Errorf("rendered DOM has %d table rows", n)
			}
			shot := filepath.Join(filepath.Dir(file), p.name+".png")
			runChromium(t, bin, file, "--screenshot="+shot, "--window-size=1280,1600", "--hide-scrollbars")
			f, err := os.Open(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v", err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("screenshot %s: %v", shot, err)
			}
			if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 1000 {
				t.Errorf("screenshot is %v", b)
			}
			if nonBlank(img) < 0.01 {
				t.Errorf("screenshot %s is blank", shot)
			}
			t.Logf("screenshot: %s", shot)
		})
	}
	// The probe itself sees what it is there to see.
	t.Run("probe-catches-errors", func(t *testing.T) {
		broken := []byte(`<!DOCTYPE html><html><head><title>x</title></head><body>
<table class="sortable" id="t"><thead><tr><th>a</th></tr></thead><tbody><tr><td>2</td></tr><tr><td>1</td></tr></tbody></table>
<script>console.error("boom"); undefinedFunction();</script></body></html>`)
		_, _, probe := probePage(t, bin, "broken", broken)
		for _, want := range []string{"console.error: boom", "undefinedFunction"} {
			if !strings.Contains(probe["probe-errors"], want) {
				t.Errorf("probe errors %q lack %q", probe["probe-errors"], want)
			}
		}
		if !strings.HasPrefix(probe["probe-sort"], "NOT SORTED") {
			t.Errorf("a table without the sorting script: probe says %q", probe["probe-sort"])
		}
	})
}

// probePage writes html with the probe into a temporary file, renders it with --dump-dom and
// returns the file, the DOM and what the probe wrote.
func probePage(t *testing.T, bin, name string, page []byte) (string, string, map[string]string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), name+".html")
	probed := strings.Replace(string(page), "<head>", "<head>\n"+pageProbe, 1)
	if probed == string(page) {
		t.Fatal("page has no <head>")
	}
	if err := os.WriteFile(file, []byte(probed), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(runChromium(t, bin, file, "--dump-dom"))
	probe := map[string]string{}
	for _, m := range preRE.FindAllStringSubmatch(dom, -1) {
		probe[m[1]] = html.UnescapeString(m[2])
	}
	if _, ok := probe["probe-errors"]; !ok {
		t.Fatalf("the page probe did not run; DOM starts:\n%.500s", dom)
	}
	return file, dom, probe
}

// nonBlank is the share of sampled pixels that are not white.
func nonBlank(img image.Image) float64 {
	b := img.Bounds()
	n, dark := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			n++
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(n)
}
