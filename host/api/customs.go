package api

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/ogmint/ogmint/host/store"
	"github.com/ogmint/ogmint/templates"
	"github.com/ogmint/ogmint/wasm/abi"
)

// Custom templates on the render path: a request names custom_<id>; the
// latest live version comes from the store (re-read at most every
// customTTL, so an update on another host shows within it), its parsed
// form and JSON from a cache bounded in bytes. Versions are immutable, so
// a cached version never goes stale; only "which version is latest" does.

// Defaults of the custom template cache.
const (
	DefaultCustomTTL      = 2 * time.Second
	DefaultCustomMaxBytes = 32 << 20
)

// customTemplate is one version of a custom template, parsed.
type customTemplate struct {
	t     *templates.Template
	json  []byte
	keyID string
	// users are the families it names that are not built-in: its owner's
	// uploaded fonts (fonts.go). bound is its JSON for the owner's fonts
	// as last bound (bindFonts).
	users []string
	mu    sync.Mutex
	bound *bound
}

type customKey struct {
	id      string
	version int
}

// latest is what the store said a template's latest version was, and when.
type latest struct {
	version int
	deleted bool
	at      time.Time
}

// customs caches custom templates for the render path.
type customs struct {
	store    store.Store
	set      *templates.Set // the built-in families
	ttl      time.Duration
	maxBytes int

	mu      sync.Mutex
	latest  map[string]latest
	parsed  map[customKey]*customTemplate
	order   []customKey // least recently used first
	bytes   int
	nowFunc func() time.Time
}

func newCustoms(st store.Store, set *templates.Set, ttl time.Duration, maxBytes int) *customs {
	if ttl <= 0 {
		ttl = DefaultCustomTTL
	}
	if maxBytes <= 0 {
		maxBytes = DefaultCustomMaxBytes
	}
	return &customs{store: st, set: set, ttl: ttl, maxBytes: maxBytes, latest: map[string]latest{},
		parsed: map[customKey]*customTemplate{}, nowFunc: time.Now}
}

// errNoCustom: no live custom template of that id.
var errNoCustom = errors.New("api: no such custom template")

// resolve returns the latest live version of custom template id, or
// errNoCustom.
func (c *customs) resolve(ctx context.Context, id string) (*customTemplate, error) {
	if c.store == nil {
		return nil, errNoCustom
	}
	now := c.nowFunc()
	c.mu.Lock()
	l, ok := c.latest[id]
	c.mu.Unlock()
	if !ok || now.Sub(l.at) >= c.ttl {
		t, err := c.store.Template(ctx, id, 0)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, errNoCustom
		case err != nil:
			return nil, err
		}
		l = latest{version: t.Version, deleted: !t.DeletedAt.IsZero(), at: now}
		c.mu.Lock()
		if len(c.latest) > 4096 { // bounded: drop the lot, they are re-read
			clear(c.latest)
		}
		c.latest[id] = l
		c.mu.Unlock()
		if l.deleted {
			return nil, errNoCustom
		}
		return c.add(id, t)
	}
	if l.deleted {
		return nil, errNoCustom
	}
	return c.version(ctx, id, l.version)
}

// version returns version v of custom template id (deleted or not).
func (c *customs) version(ctx context.Context, id string, v int) (*customTemplate, error) {
	k := customKey{id, v}
	c.mu.Lock()
	if ct, ok := c.parsed[k]; ok {
		c.touch(k)
		c.mu.Unlock()
		return ct, nil
	}
	c.mu.Unlock()
	t, err := c.store.Template(ctx, id, v)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errNoCustom
	case err != nil:
		return nil, err
	}
	return c.add(id, t)
}

// add parses a stored template and caches it.
func (c *customs) add(id string, st *store.Template) (*customTemplate, error) {
	t, err := parseStored(st.JSON)
	if err != nil {
		// Stored templates were validated when saved; a newer binary may
		// be stricter. Say which one, for the log.
		return nil, errors.New("api: stored template " + id + " version " + strconv.Itoa(st.Version) + " no longer validates: " + err.Error())
	}
	t.Name, t.Version = id, st.Version
	ct := &customTemplate{t: t, json: st.JSON, keyID: st.KeyID, users: uploadedFamilies(c.set, t)}
	k := customKey{id, st.Version}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.parsed[k]; ok {
		c.touch(k)
		return old, nil
	}
	c.parsed[k] = ct
	c.order = append(c.order, k)
	c.bytes += ct.cost()
	for c.bytes > c.maxBytes && len(c.order) > 1 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= c.parsed[old].cost()
		delete(c.parsed, old)
	}
	return ct, nil
}

// cost is what a cached template counts: the JSON and, about as much, the
// parsed form, and the JSON bound to its owner's fonts for one using them.
func (ct *customTemplate) cost() int {
	if len(ct.users) > 0 {
		return 3 * len(ct.json)
	}
	return 2 * len(ct.json)
}

// touch makes k the most recently used (c.mu held).
func (c *customs) touch(k customKey) {
	for i, o := range c.order {
		if o == k {
			c.order = append(append(c.order[:i:i], c.order[i+1:]...), k)
			return
		}
	}
}

// parseStored parses a stored template: it was validated with the
// server's limits when saved, which may since have been lowered.
func parseStored(doc []byte) (*templates.Template, error) {
	return templates.ParseWith(doc, templates.Options{Custom: true, Limits: templates.Limits{MaxBytes: abi.MaxTemplateBytes}})
}

// forget drops what is known of id's latest version (after an update or a
// delete on this host).
func (c *customs) forget(id string) {
	c.mu.Lock()
	delete(c.latest, id)
	c.mu.Unlock()
}
