package server

import (
	"sync"
	"time"

	"github.com/sbomgraph/sbomgraph/graph/query"
)

// answers keeps the whole answers of recent Finds that did not fit in one page, so that their
// next pages are cut from the answer already computed instead of running the query again: on
// a large answer the query was most of what each page cost, and the pages of one answer now
// come from one snapshot of the store. A page whose answer is no longer kept (older than
// answerTTL, pushed out by newer ones, or asked of another server behind the same load
// balancer) runs the query again and continues after its token's position, as any page
// could before; first pages always run the query.
type answers struct {
	mu      sync.Mutex
	entries []answer // oldest first
}

type answer struct {
	fp  string // the request's fingerprint (see fingerprint)
	res *query.FindResult
	at  time.Time
}

const (
	// answerTTL is how long an answer serves next pages: long enough for a client to page
	// through it, short enough that a continuing client soon sees new versions again.
	answerTTL = 30 * time.Second
	// maxAnswers and maxAnswerMatches bound what is kept: a few hundred bytes per match.
	maxAnswers       = 16
	maxAnswerMatches = 200_000
)

// get returns the newest kept answer to the request with fingerprint fp, if it is fresh.
func (a *answers) get(fp string, now time.Time) (*query.FindResult, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.entries) - 1; i >= 0; i-- {
		if e := a.entries[i]; e.fp == fp && now.Sub(e.at) < answerTTL {
			return e.res, true
		}
	}
	return nil, false
}

// put keeps res, the answer to the request with fingerprint fp, computed at now; it pushes
// out stale answers, an older answer to the same request, and the oldest ones over the
// bounds.
func (a *answers) put(fp string, res *query.FindResult, now time.Time) {
	if len(res.Matches) > maxAnswerMatches {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	kept := make([]answer, 0, maxAnswers)
	total := len(res.Matches)
	for i := len(a.entries) - 1; i >= 0; i-- { // newest first, so the oldest go over the bounds
		e := a.entries[i]
		if e.fp == fp || now.Sub(e.at) >= answerTTL || len(kept) == maxAnswers-1 || total+len(e.res.Matches) > maxAnswerMatches {
			continue
		}
		kept = append(kept, e)
		total += len(e.res.Matches)
	}
	// kept is newest first; store oldest first, then the new answer.
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		kept[i], kept[j] = kept[j], kept[i]
	}
	a.entries = append(kept, answer{fp: fp, res: res, at: now})
}
