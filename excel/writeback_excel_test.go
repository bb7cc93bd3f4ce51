package excel

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"aop/engine/grid"
)

// excelFixture copies a workbook saved by Microsoft Excel from excelize's
// module (its test folder) into dir/departments, skipping the test when the
// module source is not available.
func excelFixture(t *testing.T, dir, name string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/xuri/excelize/v2").Output()
	if err != nil {
		t.Skipf("excelize module source not found: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "test", name))
	if err != nil {
		t.Skipf("Excel fixture not found: %v", err)
	}
	path := filepath.Join(dir, "departments", name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// TestWriteBackExcelFiles writes into workbooks saved by Excel: one with a
// chart, an image, comments and a table, and one with a calculation chain.
// Replacing a sheet removes the parts only it used.
func TestWriteBackExcelFiles(t *testing.T) {
	w := NewWriter()
	dir := t.TempDir()
	history := filepath.Join(dir, "history")
	book := excelFixture(t, dir, "Book1.xlsx")
	chain := excelFixture(t, dir, "CalcChain.xlsx")
	assert.Contains(t, partText(t, book, "docProps/app.xml"), "Microsoft Macintosh Excel")

	// Add a summary first: every part but the workbook's own is untouched.
	beforeParts := zipParts(t, book)
	require.NoError(t, w.WriteBack(book, []*grid.Sheet{summarySheet("1234567.89")}, WriteBackOptions{HistoryDir: history}))
	changed, removed, added := partChanges(beforeParts, zipParts(t, book))
	assert.Equal(t, []string{"[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/workbook.xml"}, changed)
	assert.Empty(t, removed)
	assert.Equal(t, []string{"xl/worksheets/sheet3.xml"}, added)
	f, err := excelize.OpenFile(book)
	require.NoError(t, err)
	assert.Equal(t, []string{"Summary", "Sheet1", "Sheet2"}, f.GetSheetList())
	assert.Equal(t, "Sheet1", f.GetSheetName(f.GetActiveSheetIndex()))
	comments, err := f.GetComments("Sheet1")
	require.NoError(t, err)
	assert.NotEmpty(t, comments)
	require.NoError(t, f.Close())

	// Replace Sheet1, which holds the chart, image, comments and table.
	s := summarySheet("42")
	s.Name = "Sheet1"
	beforeParts = zipParts(t, book)
	require.NoError(t, w.WriteBack(book, []*grid.Sheet{s}, WriteBackOptions{HistoryDir: history, Replace: []string{"Sheet1"}}))
	_, removed, _ = partChanges(beforeParts, zipParts(t, book))
	t.Logf("parts removed with Sheet1: %v", removed)
	assert.Contains(t, removed, "xl/worksheets/sheet1.xml")
	assert.Contains(t, removed, "xl/comments1.xml")
	assert.Contains(t, removed, "xl/tables/table1.xml")
	assert.NotContains(t, partText(t, book, "[Content_Types].xml"), "/xl/tables/table1.xml")
	f, err = excelize.OpenFile(book)
	require.NoError(t, err)
	assert.Equal(t, []string{"Summary", "Sheet1", "Sheet2"}, f.GetSheetList())
	v, err := f.GetCellValue("Sheet1", "B5")
	require.NoError(t, err)
	assert.Equal(t, "42.00", v)
	require.NoError(t, f.Close())

	// Replacing the only sheet of a workbook with a calculation chain drops
	// the chain, which listed the old sheet's formulas.
	s = summarySheet("7")
	s.Name = "Sheet1"
	require.NoError(t, w.WriteBack(chain, []*grid.Sheet{s}, WriteBackOptions{HistoryDir: history, Replace: []string{"sheet1"}}))
	parts := zipParts(t, chain)
	assert.NotContains(t, parts, "xl/calcChain.xml")
	assert.NotContains(t, partText(t, chain, "[Content_Types].xml"), "calcChain")
	assert.NotContains(t, partText(t, chain, "xl/_rels/workbook.xml.rels"), "calcChain")
	assert.Len(t, listDir(t, history), 3)

	if testing.Short() {
		return
	}
	bin := needTool(t, "soffice", "libreoffice-calc")
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	pdf := filepath.Join(dir, "pdf")
	soffice(t, bin, filepath.Join(dir, "profile"), "pdf", pdf, book, chain)
	for name, want := range map[string]string{"Book1": "1,234,567.89", "CalcChain": "7.00"} {
		text, err := exec.Command(pdftotext, "-layout", filepath.Join(pdf, name+".pdf"), "-").Output()
		require.NoError(t, err)
		assert.Contains(t, string(text), want, name)
	}
}
