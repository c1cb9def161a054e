// Package cache holds the bounded in-process cache the store backends share: a concurrent map
// of immutable, reloadable values.
package cache

import "sync"

// Map is a bounded concurrent map. When full it forgets an arbitrary half of its entries: the
// values it holds are immutable and reloadable, so forgetting only costs a reload.
type Map[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
}

// New returns a Map that holds about n entries (at least 16).
func New[K comparable, V any](n int) *Map[K, V] {
	return &Map[K, V]{m: make(map[K]V), max: max(n, 16)}
}

// Get returns the value cached for k.
func (c *Map[K, V]) Get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// Put caches v for k.
func (c *Map[K, V]) Put(k K, v V) {
	c.mu.Lock()
	c.putLocked(k, v)
	c.mu.Unlock()
}

// PutAll caches every entry of m, under one lock.
func (c *Map[K, V]) PutAll(m map[K]V) {
	c.mu.Lock()
	for k, v := range m {
		c.putLocked(k, v)
	}
	c.mu.Unlock()
}

// Lookup sets out[i] to the value cached for keys[i], under one lock, and returns the indexes
// of the keys it has no value for. out must be as long as keys.
func (c *Map[K, V]) Lookup(keys []K, out []V) (missing []int) {
	c.mu.RLock()
	for i, k := range keys {
		if v, ok := c.m[k]; ok {
			out[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	c.mu.RUnlock()
	return missing
}

// Delete forgets k.
func (c *Map[K, V]) Delete(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// Clear forgets every entry.
func (c *Map[K, V]) Clear() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// Len is how many entries the Map holds now.
func (c *Map[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// Cap is how many entries the Map holds before it forgets some.
func (c *Map[K, V]) Cap() int { return c.max }

func (c *Map[K, V]) putLocked(k K, v V) {
	if len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			if len(c.m) <= c.max/2 {
				break
			}
		}
	}
	c.m[k] = v
}
