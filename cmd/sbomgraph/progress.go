package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
)

// progress draws a one-line progress bar on a terminal. It is safe for concurrent use and
// does nothing when off.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	total int
	n     int
}

// newProgress returns a bar over total steps written to w: mode "always", "never", or
// "auto" (only when w is a terminal).
func newProgress(w io.Writer, mode string, total int) *progress {
	on := mode == "always"
	if mode == "auto" {
		on = isTerminal(w)
	}
	return &progress{w: w, on: on && total > 1, total: total}
}

const barWidth = 30

// step records one finished item and redraws the bar.
func (p *progress) step(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if !p.on {
		return
	}
	fill := barWidth * p.n / p.total
	name = filepath.Base(name)
	if len(name) > 40 {
		name = name[:37] + "..."
	}
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d %s", strings.Repeat("#", fill), strings.Repeat(".", barWidth-fill), p.n, p.total, name)
}

// done clears the bar.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
