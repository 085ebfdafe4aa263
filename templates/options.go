package templates

// Options say how ParseWith checks a template.
type Options struct {
	// Custom marks a user's template: Name is a free display name (0..64
	// characters, no control characters) and Version may be 0 (the server
	// assigns versions). Otherwise the built-ins' rules apply: Name matches
	// ^[a-z][a-z0-9_-]{0,31}$ and Version is at least 1.
	Custom bool
	// Limits bound the document; a zero field takes DefaultLimits' value.
	Limits Limits
}

// Limits bound what a template may cost to check, store and draw.
type Limits struct {
	MaxBytes       int // the JSON document
	MaxElements    int // top-level elements
	MaxChildren    int // children of one stack (stacks do not nest)
	MaxAssetBytes  int // one asset, decoded from base64
	MaxAssetsBytes int // all assets together, decoded
	MaxAssetPixels int // width × height of one asset
}

// DefaultLimits are the limits of every template unless Options say otherwise.
var DefaultLimits = Limits{
	MaxBytes:       2 << 20,
	MaxElements:    64,
	MaxChildren:    16,
	MaxAssetBytes:  512 << 10,
	MaxAssetsBytes: 1536 << 10,
	MaxAssetPixels: 4_000_000,
}

// orDefault returns l with each zero field set to DefaultLimits' value.
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	for _, f := range []struct{ v, def *int }{
		{&l.MaxBytes, &d.MaxBytes}, {&l.MaxElements, &d.MaxElements}, {&l.MaxChildren, &d.MaxChildren},
		{&l.MaxAssetBytes, &d.MaxAssetBytes}, {&l.MaxAssetsBytes, &d.MaxAssetsBytes}, {&l.MaxAssetPixels, &d.MaxAssetPixels},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return l
}

// Parse decodes and checks one built-in template file (ParseWith with the
// built-ins' rules and DefaultLimits). Its error is a *ValidationError.
func Parse(data []byte) (*Template, error) { return ParseWith(data, Options{}) }

// ParseWith decodes and checks a template, reporting every problem (up to
// MaxProblems) at once as a *ValidationError. On success the template's
// Params and its texts' placeholders are filled in.
func ParseWith(data []byte, o Options) (*Template, error) {
	o.Limits = o.Limits.orDefault()
	ps := &problems{}
	if len(data) > o.Limits.MaxBytes {
		ps.add("", "%d bytes; at most %d", len(data), o.Limits.MaxBytes)
		return nil, ps.err()
	}
	t, ok := decode(data, ps, o.Limits)
	if ok {
		c := &checker{ps: ps, o: o, t: t, used: map[string]bool{}, assetsUsed: map[string]bool{}}
		c.template()
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return t, nil
}
