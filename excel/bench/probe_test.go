package bench

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"aop/excel"
	"aop/templates"
)

func TestProbe(t *testing.T) {
	c := benchCycle()
	tpl, err := templates.NewDepartment(c)
	if err != nil { t.Fatal(err) }
	dir := t.TempDir()
	path := filepath.Join(dir, "x.xlsx")
	s := time.Now()
	wb, err := tpl.Generate(leafID(0), "", benchKey)
	if err != nil { t.Fatal(err) }
	t.Log("render", time.Since(s), cells(wb))
	s = time.Now()
	w := excel.NewWriter()
	if err := w.WriteFile(path, wb); err != nil { t.Fatal(err) }
	t.Log("write", time.Since(s))
	s = time.Now()
	in, _ := tpl.Inputs(submission(c, 0))
	edits := make([]excel.Edit, len(in))
	for j, x := range in { edits[j] = excel.Edit{Sheet: x.Sheet, Cell: x.Cell, Value: x.Value} }
	if err := excel.EditFile(path, edits); err != nil { t.Fatal(err) }
	t.Log("edit", time.Since(s), len(edits))
	data, _ := os.ReadFile(path)
	t.Log("size", len(data))
	for range 3 {
	s = time.Now()
	_, n, err := harvestCount(tpl, data, leafID(0))
	t.Log("harvest", time.Since(s), n, err)
	}
}
