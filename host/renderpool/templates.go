package renderpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/ogmint/ogmint/wasm/abi"
)

// Custom templates are handed to an instance on demand (abi step 1d): when
// the module answers abi.StatusNeedTemplate, the pool looks the template up
// (the one the context carries, see WithTemplate, else
// Config.Templates) and hands it over, then calls the module again.
//
// User font families (abi step 1e) travel with the templates that name
// them: when ogmint_template_add answers abi.StatusNeedFamilies, the pool
// asks the context's FamilySource (WithFamilies, else Config.Families) for
// each family named, hands them over and adds the template again.

// TemplateSource returns the JSON of custom template name at version, or
// an error wrapping ErrTemplateNotFound.
type TemplateSource func(ctx context.Context, name string, version int) ([]byte, error)

// ErrTemplateNotFound: no template of that name and version.
var ErrTemplateNotFound = errors.New("renderpool: custom template not found")

// FamilySource returns user font family name (abi.UserFamilyPrefix…)
// packed for ogmint_font (fonts.Family.Pack under that name), or an error
// wrapping ErrFamilyNotFound.
type FamilySource func(ctx context.Context, name string) ([]byte, error)

// ErrFamilyNotFound: no user font family of that name (its fonts were
// deleted since the template was bound to them).
var ErrFamilyNotFound = errors.New("renderpool: user font family not found")

type familiesKey struct{}

// WithFamilies returns a context whose renders take the user font
// families the module asks for from src, before Config.Families.
func WithFamilies(ctx context.Context, src FamilySource) context.Context {
	return context.WithValue(ctx, familiesKey{}, src)
}

// familyFor finds a user font family the module asked for.
func (p *Pool) familyFor(ctx context.Context, name string) ([]byte, error) {
	if src, ok := ctx.Value(familiesKey{}).(FamilySource); ok && src != nil {
		return src(ctx, name)
	}
	if p.cfg.Families == nil {
		return nil, fmt.Errorf("%w: %s", ErrFamilyNotFound, name)
	}
	return p.cfg.Families(ctx, name)
}

type templateKey struct{}

// givenTemplate is a template carried by a context.
type givenTemplate struct {
	name    string
	version int
	json    []byte
}

// WithTemplate returns a context whose renders use json as custom template
// name at version (a preview, a file-based template, a template just read
// from the store), before Config.Templates is asked.
func WithTemplate(ctx context.Context, name string, version int, json []byte) context.Context {
	return context.WithValue(ctx, templateKey{}, givenTemplate{name, version, json})
}

// templateFor finds the JSON of the custom template the module asked for.
func (p *Pool) templateFor(ctx context.Context, name string, version int) ([]byte, error) {
	if g, ok := ctx.Value(templateKey{}).(givenTemplate); ok && g.name == name && g.version == version {
		return g.json, nil
	}
	if p.cfg.Templates == nil {
		return nil, fmt.Errorf("%w: %s version %d", ErrTemplateNotFound, name, version)
	}
	return p.cfg.Templates(ctx, name, version)
}

// callWithTemplate calls fn (fnRender or fnValidate) with the request of n
// bytes; when the module lacks the custom template the query names, it is
// handed over and fn called again.
func (p *Pool) callWithTemplate(ctx context.Context, in *instance, fn int, n uint32, query []byte) (uint32, error) {
	st, err := in.call(ctx, fn, n)
	if err != nil || abi.Status(st) != abi.StatusNeedTemplate {
		return st, err
	}
	q, _ := url.ParseQuery(string(query))
	name := q.Get("template")
	version, _ := strconv.Atoi(q.Get("tv"))
	doc, err := p.templateFor(ctx, name, version)
	if errors.Is(err, ErrTemplateNotFound) {
		return 0, &ModuleError{Status: abi.StatusNotFound, Body: notFoundBody(name)}
	}
	if err != nil {
		return 0, err
	}
	if err := p.addTemplate(ctx, in, doc); err != nil {
		return 0, err
	}
	st, err = in.call(ctx, fn, n)
	if err == nil && abi.Status(st) == abi.StatusNeedTemplate {
		return 0, &ModuleError{Status: abi.StatusInternal, Body: []byte(`{"error":"the render module asked for a template twice in one request"}`)}
	}
	return st, err
}

// notFoundBody is the module's error body for an unknown custom template.
func notFoundBody(name string) []byte {
	msg, _ := json.Marshal("no custom template " + strconv.Quote(name))
	return []byte(`{"error":"template not found","details":[{"field":"template","message":` + string(msg) + `}]}`)
}

// addTemplate writes json into the module's template buffer and adds it,
// handing over the user font families it asks for (abi step 1e); a
// template the module refuses is a *ModuleError (abi.StatusInvalid, its
// validation error).
func (p *Pool) addTemplate(ctx context.Context, in *instance, json []byte) error {
	n := uint32(len(json))
	ptr, err := in.call(ctx, fnTemplate, n)
	if err != nil {
		return err
	}
	if ptr == 0 {
		return &ModuleError{Status: abi.StatusInvalid,
			Body: []byte(fmt.Sprintf(`{"error":"invalid template","details":[{"field":"template","message":"%d bytes; at most %d"}]}`, n, abi.MaxTemplateBytes))}
	}
	if !in.mem.Write(ptr, json) {
		return in.trap("%s returned %#x: %d bytes out of memory range", abi.ExportTemplate, ptr, n)
	}
	st, err := in.call(ctx, fnTemplateAdd, n)
	if err != nil {
		return err
	}
	if abi.Status(st) == abi.StatusNeedFamilies {
		if err := p.handFamilies(ctx, in); err != nil {
			return err
		}
		if st, err = in.call(ctx, fnTemplateAdd, n); err != nil {
			return err
		}
		if abi.Status(st) == abi.StatusNeedFamilies {
			return &ModuleError{Status: abi.StatusInternal, Body: []byte(`{"error":"the render module asked for font families twice for one template"}`)}
		}
	}
	if st := abi.Status(st); st != abi.StatusOK {
		return in.statusError(ctx, st)
	}
	return nil
}

// handFamilies hands over the user font families the module named (the
// output buffer after abi.StatusNeedFamilies, one a line).
func (p *Pool) handFamilies(ctx context.Context, in *instance) error {
	out, err := in.output(ctx)
	if err != nil {
		return err
	}
	names := strings.Split(string(out), "\n") // a copy: out aliases memory the calls below reuse
	for _, name := range names {
		if !strings.HasPrefix(name, abi.UserFamilyPrefix) {
			return in.trap("%s asked for family %q, not a user family", abi.ExportTemplateAdd, name)
		}
		packed, err := p.familyFor(ctx, name)
		if errors.Is(err, ErrFamilyNotFound) {
			return &ModuleError{Status: abi.StatusInvalid, Body: familyNotFoundBody(name)}
		}
		if err != nil {
			return err
		}
		if err := in.addFont(ctx, name, packed); err != nil {
			return err
		}
		p.userFamilies.Add(1)
		in.users = true
	}
	return nil
}

// familyNotFoundBody is the error body for a user family that is gone.
func familyNotFoundBody(name string) []byte {
	msg, _ := json.Marshal("the font family " + name + " the template was bound to is gone (its font was deleted); try again")
	return []byte(`{"error":"invalid template","details":[{"field":"template","message":` + string(msg) + `}]}`)
}
