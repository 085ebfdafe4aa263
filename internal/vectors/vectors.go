// Package vectors holds the V1 API test vectors shared by the Go host's tests
// (host/api/vectors_test.go) and the edge runtimes' tests (edge/test/): one
// JSON file, so the expectations are written once for every host.
package vectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
)

// Vector is one request and the response every host must give: the status,
// and for an error the JSON body's detail field names in order (nil: no
// details). Allow, when set, is the expected Allow header.
type Vector struct {
	Name    string            `json:"name"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Status  int               `json:"status"`
	Fields  []string          `json:"fields"`
	Allow   string            `json:"allow,omitempty"`
}

// File is the path of the V1 vectors.
func File() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "v1.json")
}

// V1 loads the V1 vectors.
func V1() ([]Vector, error) {
	b, err := os.ReadFile(File())
	if err != nil {
		return nil, err
	}
	var vs []Vector
	err = json.Unmarshal(b, &vs)
	return vs, err
}
