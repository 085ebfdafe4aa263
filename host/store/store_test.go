package store

import (
	"regexp"
	"testing"
	"time"
)

func TestNewDeliveryID(t *testing.T) {
	re := regexp.MustCompile(`^msg_[0-9A-HJKMNP-TV-Z]{26}$`)
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		id := NewDeliveryID(t0.Add(time.Duration(i) * time.Millisecond))
		if !re.MatchString(id) {
			t.Fatalf("bad id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if id[:14] < prev[:min(len(prev), 14)] {
			t.Fatalf("ids not time ordered: %s after %s", id, prev)
		}
		prev = id
	}
	// The timestamp part is the standard ULID encoding of t0 (1741392000000 ms).
	if got := NewDeliveryID(t0)[4:14]; got != "01JNSGTD00" {
		t.Errorf("timestamp part %s, want 01JNSGTD00", got)
	}
}
