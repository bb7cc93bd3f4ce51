package templates

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
	"aop/engine/grid"
)

// TestIsCanonicalNumber checks the shortcut against decimal's own
// formatting on texts a reader meets.
func TestIsCanonicalNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "-1", "10", "0.5", "-0.5", "0.50", "00", "01", "1.", ".5", "1e3", "1E-2", "12345678901234567890.25",
		"-12.3400", "+1", "", "-", "1.2.3", "0.0", "100", "3.14159"} {
		d, err := decimal.NewFromString(s)
		want := err == nil && d.String() == s
		assert.Equal(t, want, isCanonicalNumber(s), "%q", s)
	}
}

// asRead is a workbook as the xlsx reader returns it: values only, no
// styles, no formula text (formula cells hold their cached results).
func asRead(wb *grid.Workbook) *grid.Workbook {
	out := grid.New()
	for _, s := range wb.Sheets {
		r := out.AddSheet(s.Name)
		r.Visibility = s.Visibility
		for at, c := range s.All() {
			r.SetValue(at, c.Value)
		}
	}
	return out
}

// TestFastStructureCheck checks that a filled workbook, as read from a
// file, passes the fast check (its own fixed cells hash to the signed
// digest) for every department, and that a changed fixed cell or a value
// typed outside the inputs fails it, leaving the slow check to name the
// cell.
func TestFastStructureCheck(t *testing.T) {
	c := testCycle()
	tpl := newTemplate(t, c)
	for _, d := range c.Departments {
		wb := generate(t, tpl, d.ID)
		typeInto(wb, mustInputs(t, tpl, &engine.Submission{Cycle: c.ID, Department: d.ID, Lines: []engine.Line{
			{Account: tpl.cycle.AccountsFor(d.ID)[0].Code, Description: "typed", Months: [12]decimal.Decimal{dec("12.5")}},
		}}))
		got := asRead(wb)
		sh, err := tpl.shapeFor(d.ID)
		require.NoError(t, err)
		digest, ok := sh.digest(got)
		require.True(t, ok, d.ID)
		signed := got.Sheet("_aop").Value(grid.R(idStructure, 2)).Text
		assert.Equal(t, signed, digest, "%s: the fast check misses a filled workbook", d.ID)
		_, err = tpl.Verify(got, d.ID, testKey)
		require.NoError(t, err)

		for _, edit := range []struct{ sheet, cell string }{{"Plan", "B4"}, {"Plan", "Z30"}, {"Instructions", "A1"}} {
			bad := asRead(wb)
			bad.Sheet(edit.sheet).SetValue(grid.MustRef(edit.cell), grid.Str("changed"))
			digest, _ := sh.digest(bad)
			assert.NotEqual(t, signed, digest, "%s: %s!%s changed but the fast check passes", d.ID, edit.sheet, edit.cell)
			_, err := tpl.Verify(bad, d.ID, testKey)
			var ie *IdentityError
			require.ErrorAs(t, err, &ie, "%s %s!%s", d.ID, edit.sheet, edit.cell)
			assert.Equal(t, ChangedLayout, ie.Problem)
			assert.Equal(t, edit.cell, ie.Cell)
		}
	}
}

func mustInputs(t *testing.T, tpl *Department, s *engine.Submission) []Input {
	t.Helper()
	in, err := tpl.Inputs(s)
	require.NoError(t, err)
	return in
}

// TestWebhookRowsKeepTheSignature: the webhook's sheet id and secret sit on
// the identity sheet outside what is signed, so a workbook carrying them
// verifies, and they read back.
func TestWebhookRowsKeepTheSignature(t *testing.T) {
	c := testCycle()
	tpl := newTemplate(t, c)
	d := c.Leaves()[0].ID
	wb := generate(t, tpl, d)
	sheet, secret := tpl.Webhook(wb)
	assert.Empty(t, sheet+secret)
	require.NoError(t, tpl.SetWebhook(wb, "r7."+d, "s3cret"))
	got := asRead(wb)
	_, err := tpl.Verify(got, d, testKey)
	require.NoError(t, err)
	sheet, secret = tpl.Webhook(got)
	assert.Equal(t, "r7."+d, sheet)
	assert.Equal(t, "s3cret", secret)
}
