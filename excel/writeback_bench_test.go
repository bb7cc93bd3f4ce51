package excel

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"aop/engine/grid"
)

// BenchmarkWriteBack writes a protected summary tab back into the
// department-sized workbook of BenchmarkWrite (5 protected plan sheets of
// 200 rows × 20 columns and a hidden lists sheet, ~0.5 MB), replacing the
// previous summary each time: read, build, splice, temp file + fsync,
// history copy + fsync, rename. The Writer is shared, so the summary
// password is hashed once.
func BenchmarkWriteBack(b *testing.B) {
	w := NewWriter()
	dir := b.TempDir()
	path := filepath.Join(dir, "departments", "MKT.xlsx")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := w.WriteFile(path, benchWorkbook()); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	sheets := []*grid.Sheet{summarySheet("1234567.89")}
	opts := WriteBackOptions{HistoryDir: filepath.Join(dir, "history"), After: "Plan 1", Replace: []string{"Summary"}, Now: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WriteBack(path, sheets, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(info.Size())/1e6, "MB/file")
}

// BenchmarkSpliceSheets is the in-memory part of BenchmarkWriteBack:
// building the summary and splicing it into the package, without file I/O.
func BenchmarkSpliceSheets(b *testing.B) {
	w := NewWriter()
	path := filepath.Join(b.TempDir(), "MKT.xlsx")
	if err := w.WriteFile(path, benchWorkbook()); err != nil {
		b.Fatal(err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	sheets := []*grid.Sheet{summarySheet("1234567.89")}
	opts := WriteBackOptions{After: "Plan 1"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.spliceSheets(orig, sheets, opts, now); err != nil {
			b.Fatal(err)
		}
	}
}
