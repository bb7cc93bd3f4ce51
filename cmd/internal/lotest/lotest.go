// Package lotest drives a real LibreOffice from tests: it opens workbooks,
// types into cells as a person would, and saves them as .xlsx. Tests that
// use it skip with a message when LibreOffice or its Python bridge is
// missing, except in CI (CI=true), where they fail.
package lotest

import (
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

//go:embed lofill.py
var script []byte

// Python is Debian's interpreter, which has the UNO bridge (python3-uno).
const Python = "/usr/bin/python3"

// Edit is one cell typed in LibreOffice. Type is entered like keyboard
// input ("1234.5" becomes a number, "22%" a percentage); Text, when set, is
// entered as text whatever it looks like.
type Edit struct {
	Sheet string `json:"sheet"`
	Cell  string `json:"cell"`
	Type  string `json:"type,omitempty"`
	Text  string `json:"text,omitempty"`
}

// MarshalJSON writes an edit so that an explicit empty Type is kept when no
// Text is given.
func (e Edit) MarshalJSON() ([]byte, error) {
	m := map[string]string{"sheet": e.Sheet, "cell": e.Cell}
	if e.Text != "" {
		m["text"] = e.Text
	} else {
		m["type"] = e.Type
	}
	return json.Marshal(m)
}

// Job opens Input, applies Edits and saves the result as Output.
type Job struct {
	Input  string `json:"input"`
	Output string `json:"output"`
	Edits  []Edit `json:"edits"`
}

// Require skips the test when LibreOffice cannot run here, or fails it in
// CI.
func Require(t testing.TB) {
	t.Helper()
	_, err := exec.LookPath("soffice")
	if err == nil {
		err = exec.Command(Python, "-c", "import uno").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("LibreOffice with python3-uno is required in CI: %v", err)
		}
		t.Skipf("LibreOffice with python3-uno is not installed (apt-get install libreoffice-calc-nogui python3-uno): %v", err)
	}
}

// Run performs the jobs in one LibreOffice process.
func Run(t testing.TB, jobs []Job) {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	jobsFile := filepath.Join(dir, "jobs.json")
	data, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jobsFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	scriptFile := filepath.Join(dir, "lofill.py")
	if err := os.WriteFile(scriptFile, script, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Python, scriptFile, jobsFile)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice fill failed: %v\n%s", err, out)
	}
}
