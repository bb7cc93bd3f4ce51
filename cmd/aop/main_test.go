package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/keys"
	"aop/cmd/internal/lotest"
	"aop/engine/grid"
	"aop/excel"
	"aop/excel/xlsxread"
	"aop/templates"
)

// aop runs the binary's code in process and returns its exit code, stdout
// and stderr.
func aop(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), append([]string{"aop"}, args...), getenv, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// demo runs `aop demo` into a temporary folder and returns the folder.
func demo(t *testing.T) string {
	dir, _ := demoOutput(t)
	return dir
}

func demoOutput(t *testing.T) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errOut := aop(t, nil, "demo", "--out", dir)
	require.Equal(t, 0, code, "demo failed:\n%s\n%s", out, errOut)
	return dir, out
}

// breakWorkbook copies a workbook and types words into an amount cell.
func breakWorkbook(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	require.NoError(t, os.WriteFile(dst, mustRead(t, src), 0o644))
	require.NoError(t, excel.EditFile(dst, []excel.Edit{{Sheet: "Plan", Cell: grid.MustRef("H7"), Value: grid.Str("about 40k")}}))
	return dst
}

func TestDemoRunsTheLoop(t *testing.T) {
	dir, out := demoOutput(t)
	// Round 1 reports the mistake; round 2 has it fixed; all consolidate.
	assert.Contains(t, out, `'Plan'!H7: error: amount for 6000 Salaries in May 2026 must be a number, got "about 40k"`)
	assert.Contains(t, out, "9 files: 8 valid, 1 with errors, 0 refused")
	assert.Contains(t, out, "1 files: 1 valid, 0 with errors, 0 refused")
	assert.Contains(t, out, "9 of 9 departments consolidated")
	// Customer Success proposes an initiative and gives a range of its plan.
	assert.Regexp(t, `Customer Success \(customer-success\): \d+ lines, \d+ hires, 2 assumptions, 1 initiative, 1 range; costs`, out)

	entries, err := os.ReadDir(filepath.Join(dir, "departments"))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Len(t, names, 9, "one workbook per planning department and nothing else: %v", names)
	for _, n := range names {
		assert.True(t, strings.HasSuffix(n, ".xlsx"), n)
		wb, err := xlsxread.ReadFile(context.Background(), filepath.Join(dir, "departments", n), xlsxread.Options{Limits: xlsxread.DefaultLimits()})
		require.NoError(t, err)
		require.NotNil(t, wb.Sheet("Summary"), "%s has its Summary tab", n)
	}
	history, err := os.ReadDir(filepath.Join(dir, "history"))
	require.NoError(t, err)
	assert.Len(t, history, 9, "the previous file of every workbook is kept beside the departments folder")
	_, err = os.Stat(filepath.Join(dir, "summary.xlsx"))
	require.NoError(t, err)

	// The written-back workbooks still harvest: Summary tabs are never read.
	cycle := filepath.Join(dir, "cycle.yaml")
	files, _ := filepath.Glob(filepath.Join(dir, "departments", "*.xlsx"))
	code, out, _ := aop(t, nil, append([]string{"harvest", "--cycle", cycle}, files...)...)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "9 files: 9 valid, 0 with errors, 0 refused")
	// A file with a mistake makes the harvest exit 1.
	code, out, _ = aop(t, nil, "harvest", "--cycle", cycle, breakWorkbook(t, filepath.Join(dir, "departments", "marketing.xlsx")))
	assert.Equal(t, 1, code, out)

	// generate works on the demo's cycle file as it is.
	regen := t.TempDir()
	code, out, errOut := aop(t, nil, "generate", "--cycle", cycle, "--out", regen, "--department", "sales")
	require.Equal(t, 0, code, out+errOut)
	_, err = os.Stat(filepath.Join(regen, "departments", "sales.xlsx"))
	require.NoError(t, err)
}

func TestHarvestJSON(t *testing.T) {
	dir := demo(t)
	cycle := filepath.Join(dir, "cycle.yaml")
	code, out, errOut := aop(t, nil, "harvest", "--cycle", cycle, "--json",
		filepath.Join(dir, "departments", "sales.xlsx"), breakWorkbook(t, filepath.Join(dir, "departments", "marketing.xlsx")))
	assert.Equal(t, 1, code, errOut)
	var doc struct {
		Cycle string `json:"cycle"`
		Files []struct {
			File     string `json:"file"`
			Status   string `json:"status"`
			Records  []map[string]any
			Findings []struct{ Sheet, Cell, Level, Message string }
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), "stdout is one JSON document")
	assert.Equal(t, "kestrel-fy2027", doc.Cycle)
	require.Len(t, doc.Files, 2)
	assert.Equal(t, "valid", doc.Files[0].Status)
	assert.NotEmpty(t, doc.Files[0].Records)
	rec := doc.Files[0].Records[0]
	for _, k := range []string{"sheet", "cell", "value"} {
		assert.Contains(t, rec, k)
	}
	amounts := 0
	for _, r := range doc.Files[0].Records {
		if r["kind"] == "amount" {
			amounts++
			assert.Contains(t, r, "account")
			assert.Contains(t, r, "period")
			assert.Contains(t, r, "amount")
		}
	}
	assert.Greater(t, amounts, 100)
	assert.Equal(t, "invalid", doc.Files[1].Status)
	found := false
	for _, f := range doc.Files[1].Findings {
		if f.Level == "error" && f.Sheet == "Plan" && f.Cell != "" && strings.Contains(f.Message, "about 40k") {
			found = true
		}
	}
	assert.True(t, found, "%+v", doc.Files[1].Findings)
}

func TestExitCodes(t *testing.T) {
	dir := demo(t)
	cycle := filepath.Join(dir, "cycle.yaml")
	notXLSX := filepath.Join(t.TempDir(), "budget.xlsx")
	require.NoError(t, os.WriteFile(notXLSX, []byte("not a workbook"), 0o644))
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no files", []string{"harvest", "--cycle", cycle}, 2, "at least one workbook"},
		{"missing file", []string{"harvest", "--cycle", cycle, "nope.xlsx"}, 2, "does not exist"},
		{"missing cycle flag", []string{"harvest", "x.xlsx"}, 2, "cycle"},
		{"missing cycle file", []string{"harvest", "--cycle", "nope.yaml", notXLSX}, 2, "does not exist"},
		{"unknown command", []string{"frobnicate"}, 2, ""},
		{"not a workbook", []string{"harvest", "--cycle", cycle, notXLSX}, 1, "not an excel workbook"},
		{"wrong department", []string{"harvest", "--cycle", cycle, "--department", "sales", filepath.Join(dir, "departments", "finance.xlsx")}, 1, "belongs to department Finance"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := aop(t, nil, tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			assert.Contains(t, strings.ToLower(out+errOut), strings.ToLower(tc.want))
		})
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	dir := demo(t)
	cycle := filepath.Join(dir, "cycle.yaml")
	other, err := keys.Create(filepath.Join(t.TempDir(), "other.key"))
	require.NoError(t, err)
	code, out, _ := aop(t, map[string]string{keys.EnvVar: hexKey(other)}, "harvest", "--cycle", cycle, filepath.Join(dir, "departments", "sales.xlsx"))
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "signed with another key")
}

func hexKey(k []byte) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(k))
	for _, c := range k {
		b = append(b, digits[c>>4], digits[c&15])
	}
	return string(b)
}

// TestLibreOfficeResavedDemoWorkbook: a demo workbook opened and saved by
// LibreOffice harvests the same as before.
func TestLibreOfficeResavedDemoWorkbook(t *testing.T) {
	lotest.Require(t)
	dir := demo(t)
	src := filepath.Join(dir, "departments", "engineering.xlsx")
	out := filepath.Join(t.TempDir(), "engineering.xlsx")
	lotest.Run(t, []lotest.Job{{Input: src, Output: out}})
	cycle := filepath.Join(dir, "cycle.yaml")
	_, before, _ := aop(t, nil, "harvest", "--cycle", cycle, "--json", src)
	code, after, errOut := aop(t, nil, "harvest", "--cycle", cycle, "--json", out)
	require.Equal(t, 0, code, after+errOut)
	var a, b struct {
		Files []struct {
			Records []struct{ Sheet, Cell, Amount string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(before), &a))
	require.NoError(t, json.Unmarshal([]byte(after), &b))
	require.Len(t, b.Files[0].Records, len(a.Files[0].Records))
	for i := range a.Files[0].Records {
		assert.Equal(t, a.Files[0].Records[i], b.Files[0].Records[i])
	}
}

// aop demo --with-actuals closes the demo year month by month on the
// local files: the early warning comes before revenue misses, the
// downside trigger fires with its playbook, and every workbook carries
// its Actuals vs Plan tab of the last close, still harvesting cleanly.
func TestDemoWithActuals(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := aop(t, nil, "demo", "--out", dir, "--with-actuals")
	require.Equal(t, 0, code, out+errOut)
	assert.Regexp(t, `Apr 2026 \(FY2027-P03\) +YTD revenue 101\.0% of plan .*early warning: stage_2_to_close_conversion \(sales\) 25% short while results are on plan`, out)
	assert.Regexp(t, `Aug 2026 \(FY2027-P07\) .*TRIGGER revenue-slump fired → playbook downside-response: freeze hiring, pause Apollo, cut discretionary opex 10%`, out)
	assert.Equal(t, 1, strings.Count(out, "TRIGGER"), "the trigger fires once")
	files, _ := filepath.Glob(filepath.Join(dir, "departments", "*.xlsx"))
	require.Len(t, files, 9)
	for _, f := range files {
		wb, err := xlsxread.ReadFile(context.Background(), f, xlsxread.Options{Limits: xlsxread.DefaultLimits()})
		require.NoError(t, err)
		tab := wb.Sheet(templates.ActualsSheetName)
		require.NotNil(t, tab, "%s has its Actuals vs Plan tab", f)
		assert.Equal(t, "Jan 2027 (FY2027-P12)", tab.Cell(grid.R(3, 2)).Value.Text, f)
	}
	periods, _ := filepath.Glob(filepath.Join(dir, "actuals", "FY2027-P*.json"))
	assert.Len(t, periods, 12, "a period file a month")
	assert.Regexp(t, `Sales explains account \d+ in its tab \(T\d+\)`, out)
	book, err := os.ReadFile(filepath.Join(dir, "close.xlsx"))
	require.NoError(t, err)
	assert.Contains(t, xlsxText(t, book), demoExplanation, "finance's close workbook shows what sales said")
	sales, err := xlsxread.ReadFile(context.Background(), filepath.Join(dir, "departments", "sales.xlsx"), xlsxread.Options{Limits: xlsxread.DefaultLimits()})
	require.NoError(t, err)
	found := false
	for _, c := range sales.Sheet(templates.ActualsSheetName).All() {
		found = found || c.Value.Text == demoExplanation
	}
	assert.True(t, found, "and so does the sales tab, written again")
	code, out, _ = aop(t, nil, append([]string{"harvest", "--cycle", filepath.Join(dir, "cycle.yaml")}, files...)...)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "9 files: 9 valid, 0 with errors, 0 refused")
}
