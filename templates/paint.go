package templates

// gradient checks a fill or background gradient.
func (c *checker) gradient(at pointer, g *Gradient) {
	switch g.Type {
	case "linear":
		if g.Center != nil {
			c.ps.check(at.key("center"), "only radial gradients have a center")
		}
		if g.Radius != 0 {
			c.ps.check(at.key("radius"), "only radial gradients have a radius")
		}
	case "radial":
		if g.Angle != nil {
			c.ps.check(at.key("angle"), "only linear gradients have an angle")
		}
	default:
		c.ps.check(at.key("type"), "%q: want linear or radial", g.Type)
	}
	if g.Angle != nil {
		between(c, at.key("angle"), *g.Angle, -360, 360)
	}
	if g.Center != nil {
		for i, v := range g.Center {
			between(c, at.key("center").index(i), v, 0, 1)
		}
	}
	if g.Radius < 0 || g.Radius > 4 {
		c.ps.check(at.key("radius"), "%v: want 0 < radius <= 4 (omitted = 1)", g.Radius)
	}
	stops := at.key("stops")
	if n := len(g.Stops); n < 2 || n > 8 {
		c.ps.check(stops, "%d stops; want 2-8", n)
	}
	for i, s := range g.Stops {
		if i == 8 {
			break
		}
		c.color(stops.index(i).key("color"), s.Color)
		between(c, stops.index(i).key("at"), s.At, 0, 1)
		if i > 0 && s.At < g.Stops[i-1].At {
			c.ps.check(stops.index(i).key("at"), "%v: before the previous stop's %v; stops go in order", s.At, g.Stops[i-1].At)
		}
		between(c, stops.index(i).key("opacity"), s.Opacity, 0, 1)
	}
}

// stroke checks an outline.
func (c *checker) stroke(at pointer, s *Stroke) {
	c.color(at.key("color"), s.Color)
	between(c, at.key("width"), s.Width, 0.5, 200)
	between(c, at.key("opacity"), s.Opacity, 0, 1)
	if n := len(s.Dash); n > 0 {
		zero := true
		for i, v := range s.Dash {
			if i == 8 {
				break
			}
			between(c, at.key("dash").index(i), v, 0, 1000)
			zero = zero && v == 0
		}
		switch {
		case n < 2 || n > 8:
			c.ps.check(at.key("dash"), "%d lengths; want 2-8", n)
		case zero:
			c.ps.check(at.key("dash"), "all lengths are 0; omit dash for a solid line")
		}
	}
	c.oneOf(at.key("cap"), s.Cap, "", "butt", "round", "square")
	c.oneOf(at.key("join"), s.Join, "", "miter", "round", "bevel")
}

// shadow checks a drop shadow.
func (c *checker) shadow(at pointer, s *Shadow) {
	for i, v := range s.Offset {
		between(c, at.key("offset").index(i), v, -200, 200)
	}
	between(c, at.key("blur"), s.Blur, 0, 100)
	c.color(at.key("color"), s.Color)
	between(c, at.key("opacity"), s.Opacity, 0, 1)
}
