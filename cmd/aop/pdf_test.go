package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/harvest"
	"aop/cmd/internal/keys"
	"aop/cmd/internal/lotest"
	"aop/engine"
)

// toPDFText converts workbooks with LibreOffice (one process) and returns
// each PDF's text by file base name.
func toPDFText(t *testing.T, files ...string) map[string]string {
	t.Helper()
	lotest.Require(t)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	out := t.TempDir()
	args := append([]string{"--headless", "--norestore", "-env:UserInstallation=file://" + filepath.Join(out, "profile"), "--convert-to", "pdf", "--outdir", out}, files...)
	cmd := exec.Command("soffice", args...)
	cmd.Env = append(os.Environ(), "HOME="+out)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	texts := map[string]string{}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".xlsx")
		pdf := filepath.Join(out, base+".pdf")
		_, err := os.Stat(pdf)
		require.NoError(t, err, "LibreOffice converted %s", f)
		text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
		require.NoError(t, err)
		require.NotEmpty(t, text, base)
		texts[base] = string(text)
	}
	return texts
}

// TestPDFShowsTheTotals converts every generated workbook, every filled and
// written-back workbook and the finance summary with LibreOffice: each
// converts cleanly and the totals in the PDF text are aop's totals.
func TestPDFShowsTheTotals(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversions: skipped with -short")
	}
	dir := demo(t)
	cycle := filepath.Join(dir, "cycle.yaml")
	cf, err := cyclefile.Load(cycle)
	require.NoError(t, err)
	c := cf.Cycle

	// Freshly generated workbooks: the seeded total of all lines is last
	// year's actuals.
	fresh := t.TempDir()
	code, out, errOut := aop(t, nil, "generate", "--cycle", cycle, "--out", fresh)
	require.Equal(t, 0, code, out+errOut)
	var files []string
	for _, d := range c.Leaves() {
		files = append(files, filepath.Join(fresh, "departments", d.ID+".xlsx"))
	}
	texts := toPDFText(t, files...)
	for _, d := range c.Leaves() {
		seeded := decimal.Zero
		for _, a := range c.AccountsFor(d.ID) {
			if p, ok := c.PriorActual(d.ID, a.Code); ok {
				seeded = seeded.Add(p)
			}
		}
		assert.Contains(t, texts[d.ID], engine.FormatMoney(seeded), "%s: seeded total of all lines", d.ID)
	}

	// Filled, consolidated and written back: LibreOffice computes the plan's
	// totals from the typed inputs, and the Summary tab shows aop's figures.
	key, err := keys.Load(func(string) string { return "" }, cf.SigningKeyFile)
	require.NoError(t, err)
	h, err := harvest.New(c, key)
	require.NoError(t, err)
	files = files[:0]
	for _, d := range c.Leaves() {
		files = append(files, filepath.Join(dir, "departments", d.ID+".xlsx"))
	}
	files = append(files, filepath.Join(dir, "summary.xlsx"))
	texts = toPDFText(t, files...)
	var subs []*engine.Submission
	for _, d := range c.Leaves() {
		r, err := h.File(context.Background(), filepath.Join(dir, "departments", d.ID+".xlsx"), d.ID)
		require.NoError(t, err)
		require.Equal(t, harvest.Valid, r.Status)
		subs = append(subs, r.Submission)
		all := decimal.Zero
		for _, l := range r.Submission.Lines {
			all = all.Add(l.Total())
			assert.Contains(t, texts[d.ID], engine.FormatMoney(l.Total()), "%s: line total of %s", d.ID, l.Account)
		}
		assert.Contains(t, texts[d.ID], engine.FormatMoney(all), "%s: total of all lines", d.ID)
	}
	k, err := engine.Consolidate(c, subs)
	require.NoError(t, err)
	for _, d := range c.Leaves() {
		plan, target, gap, has := k.Totals(d.ID, engine.COGS, engine.OpEx)
		require.True(t, has)
		for _, v := range []decimal.Decimal{plan, target, gap} {
			assert.Contains(t, texts[d.ID], engine.FormatMoney(v), "%s: Summary tab", d.ID)
		}
	}
	for _, types := range [][]engine.AccountType{{engine.Revenue}, {engine.COGS, engine.OpEx}} {
		plan, target, gap, _ := k.Totals("", types...)
		for _, v := range []decimal.Decimal{plan, target, gap} {
			assert.Contains(t, texts["summary"], engine.FormatMoney(v), "finance summary: company %v", types)
		}
	}
	for _, g := range k.Gaps() {
		assert.Contains(t, texts["summary"], engine.FormatMoney(g.Gap), "gap register: %s %s%s", g.Department, g.Account, g.Group)
	}
}
