// Package estate generates a deterministic, realistic synthetic estate of container images for
// benchmarks and load tests: many images, each with a series of versions, each version an
// SBOM (an sbom.Document, as a decoder would produce it) of a few hundred components.
//
// The estate mimics what an organisation's registry holds: images are built on a few shared
// base images (Debian and Ubuntu flavours), so many images share the same OS packages, and the
// distributions publish security updates over time; on top sits one application per image in
// one ecosystem (npm, maven, golang or pypi) whose dependencies are drawn from a popularity-
// skewed pool, so popular packages appear in many images at a few versions. Between versions an
// image rebuilds on a newer base and its application upgrades, adds and removes a few
// dependencies. Dependency edges form a DAG up to six levels deep under the application.
//
// Everything derives from Params.Seed: the same Params give the same documents, byte for byte,
// in any order of access. Documents are built on demand; the estate holds only small tables.
package estate

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// Params size an estate.
type Params struct {
	// Seed selects the estate; the same Params always give the same documents.
	Seed uint64
	// Images is the number of images.
	Images int
	// Versions is the number of versions of each image.
	Versions int
	// Components is the typical number of components per version (each version has within
	// about 10% of it).
	Components int
}

// Full is the estate of issue 3: 1,000 images x 10 versions x about 500 components, about 5M
// containment rows and 100k unique components.
var Full = Params{Seed: 1, Images: 1000, Versions: 10, Components: 500}

// Small is a tenth of Full, for quick benchmarks.
var Small = Params{Seed: 1, Images: 100, Versions: 10, Components: 500}

// Tiny is a handful of small versions, for tests.
var Tiny = Params{Seed: 1, Images: 6, Versions: 4, Components: 40}

// Item is one generated image version.
type Item struct {
	// Image and Version are the item's indexes in the estate.
	Image, Version int
	Ref            graph.Ref
	// Created is the version's build time (also the document's Source.Created).
	Created time.Time
	Doc     *sbom.Document
}

// Estate is a generated estate. It is safe for concurrent use.
type Estate struct {
	p      Params
	pools  [numEco]int // package pool size per ecosystem
	zipf   [numEco]float64
	purlMu sync.Mutex
	purls  map[string]canonical // purl as formatted -> canonical forms (the Builder's work, memoised)
}

type canonical struct{ purl, key, namespace, name, version string }

// ecosystems of the application layer, and deb for the base images.
const (
	ecoNPM = iota
	ecoMaven
	ecoGolang
	ecoPyPI
	ecoDeb
	numEco
)

var ecoNames = [numEco]string{"npm", "maven", "golang", "pypi", "deb"}

// New returns the estate p describes. It panics when a size is not positive.
func New(p Params) *Estate {
	if p.Images <= 0 || p.Versions <= 0 || p.Components <= 0 {
		panic(fmt.Sprintf("estate: sizes must be positive: %+v", p))
	}
	e := &Estate{p: p, purls: make(map[string]canonical)}
	// Pool sizes scale with the estate so a tiny estate still shares packages and a full one
	// has about 100k unique components.
	scale := float64(p.Images*p.Components) / float64(Full.Images*Full.Components)
	for eco, base := range [numEco]int{ecoNPM: 11000, ecoMaven: 5500, ecoGolang: 3500, ecoPyPI: 3500, ecoDeb: 450} {
		e.pools[eco] = max(30, int(float64(base)*min(1, scale*4)))
	}
	e.pools[ecoDeb] = 450
	return e
}

// Params returns the estate's parameters.
func (e *Estate) Params() Params { return e.p }

// Len returns the number of image versions: Images x Versions.
func (e *Estate) Len() int { return e.p.Images * e.p.Versions }

// All yields every image version, in time order: the first version of every image, then the
// second, and so on, as a registry would receive them. Each document is built when yielded.
func (e *Estate) All() iter.Seq[Item] {
	return func(yield func(Item) bool) {
		for v := range e.p.Versions {
			for i := range e.p.Images {
				if !yield(e.Item(i, v)) {
					return
				}
			}
		}
	}
}

// Item returns version v of image i. It panics when either is out of range.
func (e *Estate) Item(i, v int) Item {
	if i < 0 || i >= e.p.Images || v < 0 || v >= e.p.Versions {
		panic(fmt.Sprintf("estate: item (%d, %d) out of range", i, v))
	}
	return e.item(i, v, e.p.Components, "")
}

// Extra returns version v of big image k, an image outside the estate with about n
// components drawn from every ecosystem's pool, for benchmarking large ingests and reads.
// Different k give different images; successive versions of one image differ by the usual
// churn, so a new version is mostly components already stored.
func (e *Estate) Extra(k, v, n int) Item {
	return e.item(e.p.Images+k, v, n, "extra")
}

// image is the fixed character of one image.
type image struct {
	index   int
	name    string
	eco     int    // application ecosystem
	mixed   bool   // dependencies from every ecosystem (the extra, big images)
	distro  int    // index into distros
	flavour uint64 // selects the base image's package subset
	offset  int    // epoch offset: images do not rebuild in lock-step
	seed    uint64
}

func (e *Estate) image(i int, team string) image {
	r := e.rng("image", uint64(i))
	im := image{index: i, seed: r.Uint64()}
	switch x := r.IntN(100); {
	case x < 35:
		im.eco = ecoNPM
	case x < 60:
		im.eco = ecoMaven
	case x < 80:
		im.eco = ecoGolang
	default:
		im.eco = ecoPyPI
	}
	// Base images are popularity-skewed too: most images use a few flavours.
	im.distro = min(len(distros)-1, int(r.ExpFloat64()*1.2))
	im.flavour = uint64(r.IntN(4))
	im.offset = r.IntN(3)
	if team == "" {
		team = teams[i%len(teams)]
	}
	im.name = fmt.Sprintf("registry.example.com/%s/%s-%s", team, word(uint64(i)*7919+13, 2), ecoNames[im.eco])
	if i >= e.p.Images {
		im.name = fmt.Sprintf("registry.example.com/%s/big-%d", team, i-e.p.Images)
		im.mixed = true
	}
	return im
}

var teams = []string{"payments", "search", "identity", "platform", "data", "web", "mobile-api", "ml", "ops", "billing"}

// pkg is one application dependency of an image: a package of an ecosystem's pool and the
// index of its release in use.
type pkg struct {
	eco int
	p   int
	rel int
}

func (e *Estate) item(i, v, n int, team string) Item {
	im := e.image(i, team)
	epoch := 2*v + im.offset
	created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).
		Add(time.Duration(i%997) * 17 * time.Minute).
		Add(time.Duration(v) * 14 * 24 * time.Hour)

	base := e.base(im)
	app := e.app(im, v, max(5, n-len(base)-2))

	ref := graph.Ref{Image: im.name, Tag: fmt.Sprintf("1.%d.%d", v, im.seed%5), Digest: digest("image", e.p.Seed, uint64(i), uint64(v))}
	doc := &sbom.Document{
		Source: sbom.Source{
			Format: sbom.FormatCycloneDX, Encoding: sbom.EncodingJSON, SpecVersion: "1.5",
			Tools: []string{"syft 1.4.1"}, Created: created,
			Namespace: "urn:uuid:" + digest("serial", e.p.Seed, uint64(i), uint64(v))[7:43],
			Digest:    digest("sbom", e.p.Seed, uint64(i), uint64(v)),
		},
		Subject: sbom.Subject{Name: im.name, Version: ref.Tag, Digest: ref.Digest, Type: "container"},
		Root:    0,
		// What sbom.Builder reports for the OS component, which has no purl.
		Warnings: []sbom.Warning{{Code: sbom.WarnMissingPurl, ID: "os-" + distros[im.distro].id,
			Message: fmt.Sprintf("component %q has no purl; identified by its type, namespace and name", distros[im.distro].ns)}},
	}
	doc.Source.Size = int64(400 * n)
	add := func(c sbom.Component) int {
		doc.Components = append(doc.Components, c)
		return len(doc.Components) - 1
	}
	// The image itself (CycloneDX metadata.component), then the OS, then the application.
	add(sbom.Component{LocalID: ref.Digest, Type: "container", Key: sbom.ContentKey("container", "", im.name),
		Name: im.name, Version: ref.Digest, Metadata: true})
	osIdx := add(e.osComponent(im))
	appName := word(im.seed, 2) + "-service"
	appC := e.component(im.eco, appName, fmt.Sprintf("1.%d.%d", v, im.seed%5), "application")
	appIdx := add(appC)
	edge := func(from, to int, k sbom.EdgeKind) {
		doc.Edges = append(doc.Edges, sbom.Edge{From: from, To: to, Kind: k})
	}
	edge(0, osIdx, sbom.Contains)
	edge(0, appIdx, sbom.Contains)

	// OS packages: contained by the image; a few core libraries everything links against.
	debIdx := make([]int, len(base))
	for k, b := range base {
		debIdx[k] = add(e.debComponent(im.distro, b, epoch))
		edge(0, debIdx[k], sbom.Contains)
	}
	for k := range base {
		h := mix(im.seed, uint64(base[k]))
		for d := range 2 {
			if k > 5 && h>>(8*d)&3 == 0 {
				edge(debIdx[k], debIdx[int(h>>(16+8*d))%min(k, 6)], sbom.DependsOn)
			}
		}
	}

	// Application dependencies: a DAG by levels, each package hanging under one or two
	// packages of the level above, the first level under the application.
	levels := make([][]int, 7)
	appIdxs := make([]int, len(app))
	for k, a := range app {
		c := e.appComponent(a.eco, a)
		appIdxs[k] = add(c)
		lv := level(mix(im.seed, uint64(a.eco)<<32|uint64(a.p)))
		levels[lv] = append(levels[lv], k)
	}
	// A package's parents are chosen by consistent hashing over the packages of the level
	// above (the next one or two on a ring of their hashes), so they stay its parents while
	// they are there, as a package's dependents do between releases: adding or removing a
	// dependency moves only the edges near it.
	id := func(k int) uint64 { return uint64(app[k].eco)<<32 | uint64(app[k].p) }
	type point struct {
		h uint64
		k int
	}
	var ring []point
	for lv := 1; lv < len(levels); lv++ {
		parents := levels[lv-1]
		if lv == 1 || len(parents) == 0 {
			for _, k := range levels[lv] {
				edge(appIdx, appIdxs[k], sbom.DependsOn)
			}
			continue
		}
		ring = ring[:0]
		for _, q := range parents {
			ring = append(ring, point{mix(im.seed, id(q)), q})
		}
		slices.SortFunc(ring, func(a, b point) int { return cmp.Compare(a.h, b.h) })
		for _, k := range levels[lv] {
			h := mix(im.seed^0x5bd1e995, id(k))
			i, _ := slices.BinarySearchFunc(ring, h, func(p point, h uint64) int { return cmp.Compare(p.h, h) })
			edge(appIdxs[ring[i%len(ring)].k], appIdxs[k], sbom.DependsOn)
			if len(ring) > 1 && h>>32%10 < 3 {
				edge(appIdxs[ring[(i+1)%len(ring)].k], appIdxs[k], sbom.DependsOn)
			}
		}
	}
	slices.SortFunc(doc.Edges, func(a, b sbom.Edge) int {
		if a.From != b.From {
			return a.From - b.From
		}
		if a.To != b.To {
			return a.To - b.To
		}
		return int(a.Kind) - int(b.Kind)
	})
	doc.Edges = slices.Compact(doc.Edges)
	return Item{Image: i, Version: v, Ref: ref, Created: created, Doc: doc}
}

// level places a dependency in the DAG: 1 (direct) to 6.
func level(h uint64) int {
	switch x := h % 100; {
	case x < 18:
		return 1
	case x < 45:
		return 2
	case x < 70:
		return 3
	case x < 85:
		return 4
	case x < 95:
		return 5
	}
	return 6
}

// app returns the image's application dependencies at version v: a popularity-skewed draw
// from the ecosystem's pool (from every pool, in fixed shares, for a mixed image), then v
// rounds of churn (upgrades, additions, removals).
func (e *Estate) app(im image, v, n int) []pkg {
	r := rand.New(rand.NewPCG(im.seed, e.p.Seed))
	share := [numEco]float64{}
	share[im.eco] = 1
	if im.mixed {
		share = [numEco]float64{ecoNPM: 0.45, ecoMaven: 0.25, ecoGolang: 0.15, ecoPyPI: 0.15}
	}
	var zipf [numEco]*rand.Zipf
	for eco := range ecoDeb {
		if share[eco] > 0 {
			zipf[eco] = rand.NewZipf(r, 1.07, 8, uint64(e.pools[eco]-1))
		}
	}
	type id struct{ eco, p int }
	have := make(map[id]bool, n)
	var out []pkg
	draw := func(eco, lag int) {
		for try := range 60 {
			p := int(zipf[eco].Uint64())
			if try >= 30 { // the popular ones are taken: any package will do
				p = r.IntN(e.pools[eco])
			}
			if !have[id{eco, p}] {
				have[id{eco, p}] = true
				// Most images use a recent release; some lag behind.
				rel := max(0, releases(eco, p)-1-int(r.ExpFloat64()*1.5)-lag)
				out = append(out, pkg{eco: eco, p: p, rel: rel})
				return
			}
		}
	}
	pick := func() int { // an ecosystem, by share
		x := r.Float64()
		for eco := range ecoDeb {
			if x -= share[eco]; x < 0 {
				return eco
			}
		}
		return im.eco
	}
	for range n {
		draw(pick(), 2) // leave room for upgrades
	}
	for range v {
		for range 1 + r.IntN(5) { // upgrades
			k := r.IntN(len(out))
			out[k].rel = min(out[k].rel+1, releases(out[k].eco, out[k].p)-1)
		}
		for range r.IntN(3) { // removals
			k := r.IntN(len(out))
			delete(have, id{out[k].eco, out[k].p})
			out = slices.Delete(out, k, k+1)
		}
		for range r.IntN(4) { // additions
			draw(pick(), 0)
		}
	}
	return out
}

// base returns the deb packages (indexes into the distro's pool) of the image's base image;
// their versions depend on the epoch (see debVersion).
func (e *Estate) base(im image) []int {
	d := distros[im.distro]
	r := rand.New(rand.NewPCG(uint64(im.distro)<<8|im.flavour, e.p.Seed^0xba5e))
	n := min(d.pool, max(10, e.p.Components/5+r.IntN(max(1, e.p.Components/8))))
	out := r.Perm(d.pool)[:n]
	// The essential packages come first in every flavour.
	sort.Ints(out)
	return out
}

// distro is a base-image distribution.
type distro struct {
	ns, id  string // purl namespace, distro qualifier
	suffix  string // security-update suffix pattern of version strings
	ubuntu  bool
	pool    int
	release string
}

var distros = []distro{
	{ns: "debian", id: "debian-12", suffix: "+deb12u%d", pool: 420, release: "12"},
	{ns: "ubuntu", id: "ubuntu-22.04", suffix: "ubuntu0.22.04.%d", ubuntu: true, pool: 400, release: "22.04"},
	{ns: "debian", id: "debian-11", suffix: "+deb11u%d", pool: 400, release: "11"},
	{ns: "ubuntu", id: "ubuntu-20.04", suffix: "ubuntu0.20.04.%d", ubuntu: true, pool: 380, release: "20.04"},
	{ns: "ubuntu", id: "ubuntu-24.04", suffix: "ubuntu0.24.04.%d", ubuntu: true, pool: 380, release: "24.04"},
}

var debNames = []string{"base-files", "libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libssl3", "openssl", "ca-certificates",
	"tzdata", "bash", "coreutils", "dash", "debianutils", "diffutils", "findutils", "grep", "gzip", "hostname", "init-system-helpers",
	"libacl1", "libattr1", "libaudit1", "libblkid1", "libbz2-1.0", "libcap-ng0", "libcom-err2", "libcrypt1", "libdb5.3", "libdebconfclient0",
	"libffi8", "libgmp10", "libgnutls30", "libgpg-error0", "libgcrypt20", "libhogweed6", "libidn2-0", "libkrb5-3", "liblz4-1", "liblzma5",
	"libmount1", "libncursesw6", "libnettle8", "libp11-kit0", "libpam0g", "libpcre2-8-0", "libselinux1", "libsemanage2", "libsepol2",
	"libsmartcols1", "libsqlite3-0", "libsystemd0", "libtasn1-6", "libtinfo6", "libudev1", "libunistring2", "libuuid1", "libxxhash0",
	"libzstd1", "login", "mawk", "mount", "ncurses-base", "ncurses-bin", "passwd", "perl-base", "sed", "sysvinit-utils", "tar", "util-linux",
	"curl", "libcurl4", "libnghttp2-14", "librtmp1", "libssh2-1", "libpsl5", "libbrotli1", "libldap-2.5-0", "libsasl2-2", "git", "python3",
	"libpython3.11", "libexpat1", "libreadline8", "libxml2", "libicu72", "libjpeg62-turbo", "libpng16-16", "libfreetype6", "fontconfig",
}

func debName(p int) string {
	if p < len(debNames) {
		return debNames[p]
	}
	return "lib" + word(uint64(p), 2) + fmt.Sprint(p%7)
}

// debVersion is package p's version in distro d after the security updates published by epoch.
func debVersion(d distro, distroIdx, p, epoch int) string {
	h := mix(uint64(distroIdx), uint64(p))
	updates := int(h % 3)
	for t := 1; t <= epoch; t++ {
		if mix(h, uint64(t))%100 < 4 {
			updates++
		}
	}
	upstream := fmt.Sprintf("%d.%d", 1+h>>8%9, h>>16%40)
	if h>>24%3 == 0 {
		upstream += fmt.Sprintf(".%d", h>>32%12)
	}
	rev := fmt.Sprintf("-%d", 1+h>>40%9)
	if updates == 0 {
		if d.ubuntu {
			return upstream + rev + "ubuntu1"
		}
		return upstream + rev
	}
	return upstream + rev + fmt.Sprintf(d.suffix, updates)
}

// releases returns the number of releases package p of an ecosystem has.
func releases(eco, p int) int { return 3 + int(mix(uint64(eco), uint64(p))%18) }

// releaseVersion is the version string of release r of package p.
func releaseVersion(eco, p, r int) string {
	h := mix(uint64(eco)+100, uint64(p))
	major, minor, patch := int(h%4), int(h>>8%12), 0
	if eco == ecoGolang && major == 0 && h>>16%3 == 0 {
		// A pseudo-version: untagged commits of a module.
		t := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h>>20%800+uint64(r)*23) * 24 * time.Hour)
		return fmt.Sprintf("v0.0.0-%s-%012x", t.Format("20060102150405"), mix(h, uint64(r))&0xffffffffffff)
	}
	for k := range r {
		switch x := mix(h, uint64(k)) % 100; {
		case x < 70:
			patch++
		case x < 95:
			minor, patch = minor+1, 0
		default:
			major, minor, patch = major+1, 0, 0
		}
	}
	switch eco {
	case ecoGolang:
		return fmt.Sprintf("v%d.%d.%d", major, minor, patch)
	case ecoMaven:
		if h>>24%5 == 0 {
			return fmt.Sprintf("%d.%d.%d.RELEASE", major, minor, patch)
		}
		if h>>24%5 == 1 {
			return fmt.Sprintf("%d.%d-jre", 20+major, minor)
		}
	case ecoPyPI:
		if h>>24%6 == 0 {
			return fmt.Sprintf("%d.%d.%d", 2019+major, 1+minor%12, patch)
		}
	}
	return fmt.Sprintf("%d.%d.%d", major, minor, patch)
}

var popular = [numEco][]string{
	ecoNPM:    {"lodash", "debug", "ms", "semver", "tslib", "chalk", "commander", "uuid", "@babel/core", "@types/node", "react", "express", "minimist", "glob", "yargs", "axios", "qs", "@babel/runtime"},
	ecoMaven:  {"org.slf4j/slf4j-api", "com.fasterxml.jackson.core/jackson-databind", "com.google.guava/guava", "org.apache.commons/commons-lang3", "commons-io/commons-io", "org.apache.logging.log4j/log4j-core", "org.springframework/spring-core", "io.netty/netty-handler", "org.yaml/snakeyaml", "com.fasterxml.jackson.core/jackson-core"},
	ecoGolang: {"golang.org/x/sys", "golang.org/x/net", "golang.org/x/text", "github.com/google/uuid", "google.golang.org/protobuf", "github.com/stretchr/testify", "golang.org/x/crypto", "github.com/sirupsen/logrus", "google.golang.org/grpc", "github.com/spf13/cobra"},
	ecoPyPI:   {"urllib3", "requests", "certifi", "idna", "charset-normalizer", "setuptools", "six", "python-dateutil", "pyyaml", "numpy", "typing-extensions", "packaging"},
}

// pkgName returns the namespace and name of package p of an application ecosystem.
func pkgName(eco, p int) (ns, name string) {
	if p < len(popular[eco]) {
		full := popular[eco][p]
		if i := strings.LastIndex(full, "/"); i >= 0 {
			return full[:i], full[i+1:]
		}
		return "", full
	}
	h := mix(uint64(eco)+200, uint64(p))
	w := word(uint64(p)*40503+uint64(eco), 3)
	switch eco {
	case ecoNPM:
		if h%5 == 0 {
			return "@" + word(h>>8%200, 2), w
		}
		return "", w + []string{"", "-js", "-utils", "-core", ".js"}[h>>16%5]
	case ecoMaven:
		return fmt.Sprintf("%s.%s.%s", []string{"org", "com", "io", "net"}[h%4], word(h>>8%300, 2), word(h>>16%50, 1)), w + []string{"", "-core", "-api", "-impl"}[h>>24%4]
	case ecoGolang:
		return fmt.Sprintf("github.com/%s", word(h>>8%2000, 2)), w + []string{"", "/v2", "", "/pkg"}[h>>24%4]
	}
	return "", w + []string{"", "-py", "-client", "-tools"}[h>>16%4]
}

var licenses = [numEco][]string{
	ecoNPM:    {"MIT", "MIT", "MIT", "ISC", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause"},
	ecoMaven:  {"Apache-2.0", "Apache-2.0", "Apache-2.0", "MIT", "EPL-2.0", "BSD-3-Clause", "LGPL-2.1-or-later"},
	ecoGolang: {"BSD-3-Clause", "MIT", "Apache-2.0", "Apache-2.0", "MPL-2.0"},
	ecoPyPI:   {"MIT", "Apache-2.0", "BSD-3-Clause", "PSF-2.0", "MIT", "LGPL-3.0-only"},
	ecoDeb:    {"GPL-2.0-or-later", "LGPL-2.1-or-later", "GPL-3.0-or-later", "MIT", "BSD-3-Clause", "Zlib", "Artistic-2.0 OR GPL-1.0-or-later"},
}

func (e *Estate) appComponent(eco int, a pkg) sbom.Component {
	ns, name := pkgName(eco, a.p)
	if ns != "" {
		name = ns + "/" + name
	}
	c := e.component(eco, name, releaseVersion(eco, a.p, a.rel), "library")
	h := mix(uint64(eco)+300, uint64(a.p))
	c.Licenses = licenses[eco][h%uint64(len(licenses[eco]))]
	hv := mix(h, uint64(a.rel))
	switch eco {
	case ecoNPM:
		c.Hashes = []sbom.Hash{{Algorithm: "SHA-512", Value: hexOf(hv, 64)}}
	case ecoMaven:
		c.Hashes = []sbom.Hash{{Algorithm: "SHA-1", Value: hexOf(hv, 20)}}
		c.CPEs = []string{fmt.Sprintf("cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", c.Namespace[strings.LastIndex(c.Namespace, ".")+1:], c.Name, c.Version)}
	case ecoGolang:
		c.Hashes = []sbom.Hash{{Algorithm: "SHA-256", Value: hexOf(hv, 32)}}
	case ecoPyPI:
		if hv%2 == 0 {
			c.Hashes = []sbom.Hash{{Algorithm: "SHA-256", Value: hexOf(hv, 32)}}
		}
	}
	return c
}

func (e *Estate) debComponent(d, p, epoch int) sbom.Component {
	dist := distros[d]
	name := debName(p)
	ver := debVersion(dist, d, p, epoch)
	c := e.componentPurl(ecoDeb, fmt.Sprintf("pkg:deb/%s/%s@%s?arch=amd64&distro=%s", dist.ns, name, ver, dist.id), "library")
	h := mix(uint64(d)+400, uint64(p))
	c.Licenses = licenses[ecoDeb][h%uint64(len(licenses[ecoDeb]))]
	c.Supplier = []string{"Debian Project", "Ubuntu Developers"}[b2i(dist.ubuntu)]
	c.CPEs = []string{fmt.Sprintf("cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", name, name, ver)}
	return c
}

func (e *Estate) osComponent(im image) sbom.Component {
	d := distros[im.distro]
	return sbom.Component{LocalID: "os-" + d.id, Type: "operating-system", Key: sbom.ContentKey("operating-system", "", d.ns),
		Name: d.ns, Version: d.release, Licenses: "", Supplier: ""}
}

// component builds an application-ecosystem component from its name and version.
func (e *Estate) component(eco int, name, version, typ string) sbom.Component {
	var purl string
	switch eco {
	case ecoMaven:
		ns, n := name, name
		if i := strings.LastIndex(name, "/"); i >= 0 {
			ns, n = name[:i], name[i+1:]
		} else {
			ns = "com.example"
		}
		purl = fmt.Sprintf("pkg:maven/%s/%s@%s", ns, n, version)
	case ecoNPM:
		purl = fmt.Sprintf("pkg:npm/%s@%s", strings.Replace(name, "@", "%40", 1), version)
	default:
		purl = fmt.Sprintf("pkg:%s/%s@%s", ecoNames[eco], name, version)
	}
	return e.componentPurl(eco, purl, typ)
}

// componentPurl builds a component from a purl exactly as sbom.Builder would: canonical purl,
// key, ecosystem, namespace, name and version from the purl.
func (e *Estate) componentPurl(eco int, raw, typ string) sbom.Component {
	e.purlMu.Lock()
	c, ok := e.purls[raw]
	e.purlMu.Unlock()
	if !ok {
		p, err := sbom.ParsePurl(raw)
		if err != nil {
			panic(fmt.Sprintf("estate: generated an invalid purl %q: %v", raw, err))
		}
		c = canonical{purl: p.Canonical, key: p.Key, namespace: p.Namespace, name: p.Name, version: p.Version}
		e.purlMu.Lock()
		e.purls[raw] = c
		e.purlMu.Unlock()
	}
	return sbom.Component{LocalID: c.purl, Type: typ, Purl: c.purl, Key: c.key, Ecosystem: ecoNames[eco],
		Namespace: c.namespace, Name: c.name, Version: c.version}
}

var syllables = strings.Fields("ab ac al an ar ba be bi bo ca ce co da de di do el en er fa fi fo ga ge go ha he hi in ir ja jo ka ke ko la le li lo lu ma me mi mo na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi vo xa ya za ze zo")

// word returns an invented word of n syllables, different for different x below 76^n.
func word(x uint64, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(syllables[x%uint64(len(syllables))])
		x /= uint64(len(syllables))
	}
	return b.String()
}

func (e *Estate) rng(what string, i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(e.p.Seed, mix(uint64(len(what))<<32|uint64(what[0]), i)))
}

// mix hashes two integers (splitmix64 of their combination).
func mix(a, b uint64) uint64 {
	x := a*0x9e3779b97f4a7c15 ^ b
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func hexOf(seed uint64, n int) string {
	buf := make([]byte, 0, n+8)
	for len(buf) < n {
		seed = mix(seed, uint64(len(buf)))
		buf = binary.LittleEndian.AppendUint64(buf, seed)
	}
	return hex.EncodeToString(buf[:n])
}

func digest(parts ...any) string {
	sum := sha256.Sum256(fmt.Append(nil, parts...))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
