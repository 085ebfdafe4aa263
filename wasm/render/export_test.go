package render

// ForgetFitSteps forgets every stack's last chosen step, so that the next
// card's stacks search without a guess.
func ForgetFitSteps(r *Renderer) {
	for _, st := range r.states.list {
		st.fitSteps = nil
	}
}

// FirstFit is firstFit, for tests.
var FirstFit = firstFit

// Substitute is substitute, for tests.
var Substitute = substitute
