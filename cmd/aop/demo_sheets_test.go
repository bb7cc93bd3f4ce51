package main

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/engine"
)

// TestDemoInGoogleSheets runs the demo against the emulated Google
// Sheets: every department costs three requests to create, one to harvest
// and one to write back, and what comes out of the spreadsheets is what
// the department heads typed, to the cent.
func TestDemoInGoogleSheets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errOut := aop(t, nil, "demo", "--backend", "sheets-emulator", "--out", dir)
	require.Equal(t, 0, code, "demo failed:\n%s\n%s", out, errOut)

	rows := regexp.MustCompile(`(?m)^\s+([a-z-]+)\s+(\d+)\s+(\d+)\s+(\d+)$`).FindAllStringSubmatch(out, -1)
	require.Len(t, rows, 9, "a row of requests per planning department:\n%s", out)
	for _, r := range rows {
		assert.Equal(t, []string{"3", "1", "1"}, r[2:], "department %s: create, harvest, write-back", r[1])
	}
	assert.Contains(t, out, "the sheet refused it", "the amount cell's validation refuses words")
	assert.Contains(t, out, "9 plans")

	// The oracle: the plans the heads typed, consolidated without Sheets.
	f, err := cyclefile.Load(filepath.Join(dir, "cycle.yaml"))
	require.NoError(t, err)
	var subs []*engine.Submission
	for _, d := range f.Cycle.Leaves() {
		subs = append(subs, demoSubmission(f.Cycle, d.ID))
	}
	k, err := engine.Consolidate(f.Cycle, subs)
	require.NoError(t, err)
	plan, target, _, _ := k.Totals("", engine.COGS, engine.OpEx)
	assert.Contains(t, out, "costs planned "+money(plan)+" against a target of "+money(target))
}
