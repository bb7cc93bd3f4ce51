package excel

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine/grid"
	"aop/engine/grid/gridtest"
)

// needTool returns the path of an external program, skipping the test when
// it is missing, except on CI, where the test fails.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := name + " not found (apt-get install " + pkg + ")"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// totalWorkbook is a small sheet whose total is a formula; its cached value
// is what a viewer that does not recalculate shows.
func totalWorkbook() *grid.Workbook {
	wb := grid.New()
	s := wb.AddSheet("Total")
	money := &grid.Style{NumFmt: "#,##0.00"}
	s.SetValue(grid.MustRef("A1"), grid.Str("Travel"))
	s.Set(grid.MustRef("B1"), grid.Cell{Value: grid.NumText("1000000"), Style: money})
	s.SetValue(grid.MustRef("A2"), grid.Str("Training"))
	s.Set(grid.MustRef("B2"), grid.Cell{Value: grid.NumText("234567.89"), Style: money})
	s.SetValue(grid.MustRef("A3"), grid.Str("Total"))
	s.Set(grid.MustRef("B3"), grid.Cell{Formula: "SUM(B1:B2)", Value: grid.NumText("1234567.89"), Style: money})
	// A probe whose cached value disagrees with its formula: it tells
	// whether LibreOffice shows cached values or recalculates on load.
	s.SetValue(grid.MustRef("A5"), grid.Str("Probe"))
	s.Set(grid.MustRef("B5"), grid.Cell{Formula: "B3*0+1", Value: grid.NumText("987654.32"), Style: money})
	s.ColWidths = map[int]float64{1: 12, 2: 18}
	s.Protection = &grid.Protection{Password: "pw"}
	return wb
}

// TestLibreOffice converts written workbooks to PDF with LibreOffice, which
// must open every conformance workbook cleanly and print the cached total.
func TestLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow")
	}
	soffice := needTool(t, "soffice", "libreoffice-calc")
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	dir := t.TempDir()
	w := NewWriter()
	files := []string{filepath.Join(dir, "Total.xlsx")}
	require.NoError(t, w.WriteFile(files[0], totalWorkbook()))
	for _, c := range gridtest.Cases() {
		p := filepath.Join(dir, c.Name+".xlsx")
		require.NoError(t, w.WriteFile(p, c.Build()))
		files = append(files, p)
	}
	out := filepath.Join(dir, "pdf")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{
		"-env:UserInstallation=file://" + filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", out,
	}, files...)
	cmd := exec.CommandContext(ctx, soffice, args...)
	log, err := cmd.CombinedOutput()
	require.NoError(t, err, "soffice: %s", log)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".xlsx")
		info, err := os.Stat(filepath.Join(out, name+".pdf"))
		if assert.NoError(t, err, "LibreOffice did not convert %s: %s", name, log) {
			assert.Positive(t, info.Size(), name)
		}
	}
	text, err := exec.CommandContext(ctx, pdftotext, "-layout", filepath.Join(out, "Total.pdf"), "-").Output()
	require.NoError(t, err)
	assert.Contains(t, string(text), "1,234,567.89", "the formula total must show its cached value")
	switch {
	case strings.Contains(string(text), "987,654.32"):
		t.Log("LibreOffice shows cached formula values (no recalculation on load)")
	case strings.Contains(string(text), "1.00"):
		t.Log("LibreOffice recalculated the formulas on load")
	default:
		t.Errorf("probe value not found in PDF text:\n%s", text)
	}
}
