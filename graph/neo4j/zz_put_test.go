package neo4j_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sbomgraph/sbomgraph/graph"
	"github.com/sbomgraph/sbomgraph/graph/estate"
	"github.com/sbomgraph/sbomgraph/graph/neo4j"
)

func javaCPU() time.Duration {
	data, _ := os.ReadFile("/proc/" + os.Getenv("XPID") + "/stat")
	f := strings.Fields(string(data))
	var u, s int64
	fmt.Sscan(f[13], &u)
	fmt.Sscan(f[14], &s)
	return time.Duration(u+s) * 10 * time.Millisecond
}

func TestZZPut(t *testing.T) {
	s := openEmpty(t)
	ctx := context.Background()
	sums := map[string]time.Duration{}
	neo4j.Trace = func(q string, d time.Duration) { k := strings.Join(strings.Fields(q), " "); if len(k) > 60 { k = k[:60] }; sums[k] += d }
	e := estate.New(estate.Small)
	n := 0
	var total time.Duration
	comps := 0
	var cpu0 time.Duration
	for it := range e.All() {
		if n == 200 {
			cpu0 = javaCPU()
			total, comps = 0, 0
			clear(sums)
		}
		t0 := time.Now()
		v, _, err := s.Put(ctx, it.Ref, it.Doc, graph.PutOptions{Created: it.Created})
		if err != nil {
			t.Fatal(err)
		}
		total += time.Since(t0)
		comps += v.Components
		if n++; n == 400 {
			break
		}
	}
	m := time.Duration(200)
	t.Logf("last 200 puts: %d comps, %v per put, %.0f comps/s, java cpu %v per put", comps, total/m, float64(comps)/total.Seconds(), (javaCPU()-cpu0)/m)
	for k, d := range sums {
		t.Logf("%-60s %v", k, d/m)
	}
}
