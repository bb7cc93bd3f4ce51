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

// soffice runs LibreOffice headless with a private profile, converting
// files to format (e.g. "pdf") into outDir.
func soffice(t *testing.T, bin, profile, format, outDir string, files ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{
		"-env:UserInstallation=file://" + filepath.ToSlash(profile),
		"--headless", "--norestore", "--convert-to", format, "--outdir", outDir,
	}, files...)
	log, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	require.NoError(t, err, "soffice: %s", log)
	for _, f := range files {
		ext := format
		if i := strings.IndexByte(ext, ':'); i >= 0 {
			ext = ext[:i]
		}
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)) + "." + ext
		info, err := os.Stat(filepath.Join(outDir, name))
		if assert.NoError(t, err, "LibreOffice did not convert %s: %s", f, log) {
			assert.Positive(t, info.Size())
		}
	}
}

// TestWriteBackLibreOffice writes back into a workbook that LibreOffice
// saved (the cmd/internal/lotest helper is internal to cmd, so LibreOffice
// is run here directly, with the same "Calc MS Excel 2007 XML" filter), and
// checks that LibreOffice opens both that result and a write-back into our
// own file, printing the summary's total.
func TestWriteBackLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversion is slow")
	}
	bin := needTool(t, "soffice", "libreoffice-calc")
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	w := NewWriter()
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	native := filepath.Join(dir, "native", "MKT.xlsx")
	require.NoError(t, os.MkdirAll(filepath.Dir(native), 0o755))
	require.NoError(t, w.WriteFile(native, deptWorkbook(40)))

	// Re-save our workbook through LibreOffice, as a department would.
	resaved := filepath.Join(dir, "lo")
	soffice(t, bin, profile, "xlsx:Calc MS Excel 2007 XML", resaved, native)
	lo := filepath.Join(dir, "departments", "MKT-lo.xlsx")
	require.NoError(t, os.MkdirAll(filepath.Dir(lo), 0o755))
	data, err := os.ReadFile(filepath.Join(resaved, "MKT.xlsx"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(lo, data, 0o644))
	assert.Contains(t, partText(t, lo, "docProps/app.xml"), "LibreOffice")

	before, err := Inspect(lo)
	require.NoError(t, err)
	beforeParts := zipParts(t, lo)
	history := filepath.Join(dir, "history")
	opts := WriteBackOptions{HistoryDir: history, After: "Instructions", Replace: []string{"Summary"}}
	require.NoError(t, w.WriteBack(lo, []*grid.Sheet{summarySheet("1")}, opts))
	require.NoError(t, w.WriteBack(lo, []*grid.Sheet{summarySheet("1234567.89")}, opts))
	after := checkKeptInputs(t, before, beforeParts, lo, "Summary")
	assert.Equal(t, []string{"Instructions", "Summary", "Plan", "Staff", "Lists", "Meta"}, sheetNames(after))
	assert.Equal(t, "1234567.89", after.Sheet("Summary").Value(grid.MustRef("B5")).Text)
	t.Logf("LibreOffice keeps Meta as %q", sheetStates(t, lo)["Meta"])
	require.NoError(t, w.WriteBack(native, []*grid.Sheet{summarySheet("1234567.89")}, opts))

	// LibreOffice opens both results and prints the summary's total.
	pdf := filepath.Join(dir, "pdf")
	soffice(t, bin, profile, "pdf", pdf, lo, native)
	for _, name := range []string{"MKT-lo", "MKT"} {
		text, err := exec.Command(pdftotext, "-layout", filepath.Join(pdf, name+".pdf"), "-").Output()
		require.NoError(t, err)
		assert.Contains(t, string(text), "1,234,567.89", name)
		assert.Contains(t, string(text), "Summary (read-only)", name)
		assert.Contains(t, string(text), "Line item 40", name)
	}

	// And reads them back whole: saved again by LibreOffice, the summary and
	// the inputs are there.
	again := filepath.Join(dir, "again")
	soffice(t, bin, profile, "xlsx:Calc MS Excel 2007 XML", again, lo)
	reread, err := Inspect(filepath.Join(again, "MKT-lo.xlsx"))
	require.NoError(t, err)
	assert.Equal(t, sheetNames(after), sheetNames(reread))
	// A second LibreOffice save gives unstyled cells an explicit General
	// format; that is LibreOffice's doing, not the write-back's.
	var diffs []string
	for _, d := range gridtest.Diff(without(after, "Summary"), without(reread, "Summary"), gridtest.Capabilities{VeryHiddenAsHidden: true}) {
		if !strings.HasSuffix(d, `number format: want "", got "General"`) {
			diffs = append(diffs, d)
		}
	}
	assert.Empty(t, diffs)
	s := reread.Sheet("Summary")
	require.NotNil(t, s)
	assert.Equal(t, "1234567.89", s.Value(grid.MustRef("B5")).Text)
	assert.NotNil(t, s.Protection)
}
