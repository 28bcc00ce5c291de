package differential_test

import (
	"encoding/json"
	"os"
	"testing"

	d "slicefix.dev/fixtures/differential"
)

// TestDifferential writes the per-(side, function, state) report to SLICEFIX_DIFF_REPORT; the vitest file judges
// it against the declared differences (the Go side only reports).
func TestDifferential(t *testing.T) {
	states, err := d.LoadStates()
	if err != nil {
		t.Fatal(err)
	}
	if len(states) == 0 {
		t.Fatal("no cluster states")
	}
	pairs, err := d.Compare(states, sides["before"], others())
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(pairs, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv("SLICEFIX_DIFF_REPORT"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func others() map[string][]d.Call {
	out := map[string][]d.Call{}
	for name, calls := range sides {
		if name != "before" {
			out[name] = calls
		}
	}
	return out
}
