package sheets_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/drive/v3"

	"aop/engine/grid"
	"aop/sheets"
	"aop/sheets/sheetstest"
)

// roundResult is what a simulated round did.
type roundResult struct {
	took     time.Duration
	failed   []string
	stats    sheetstest.Stats
	ids      []string
	minimum  time.Duration
	requests map[sheets.Kind]int
}

// runRound runs a Sheets round for n departments with 8 workers, the way
// the service does: create each spreadsheet (copy, render, share), check
// its structure once, harvest it, and write its Summary tab. Everything
// runs on the virtual clock of a synctest bubble: the pacer, the backoff
// and the emulator's quota windows share it.
func runRound(t *testing.T, n int, faults sheetstest.Faults) roundResult {
	q := sheetstest.Quotas{ReadPerUser: 60, WritePerUser: 60, ReadPerProject: 300, WritePerProject: 300}
	e := newEnv(t, sheetstest.Options{Quotas: &q, Faults: faults, Seed: 7}, sheets.Options{
		Pacer: sheets.NewPacer(sheets.NewMemorySlots(), sheets.Quotas{ReadsPerUser: 60, WritesPerUser: 60, ReadsPerProject: 300, WritesPerProject: 300})})
	e.emu.ResetStats()
	wb := plan(40)
	ctx := t.Context()
	var mu sync.Mutex
	res := roundResult{ids: make([]string, n)}
	start := time.Now()
	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range work {
				dept := fmt.Sprintf("dept-%03d", i)
				err := department(ctx, e, wb, dept, &res.ids[i])
				if err != nil {
					mu.Lock()
					res.failed = append(res.failed, dept+": "+err.Error())
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	res.took = time.Since(start)
	res.stats = e.emu.Stats()
	res.requests = map[sheets.Kind]int{}
	for method, count := range res.stats.Requests {
		if !strings.HasPrefix(method, "oauth2.") { // the service account's token
			res.requests[kindOf(method)] += count
		}
	}
	perMinute := func(k sheets.Kind) time.Duration {
		return time.Duration(res.requests[k]) * time.Minute / 60
	}
	res.minimum = max(perMinute(sheets.Read), perMinute(sheets.Write))

	// What the spreadsheets hold, read without faults.
	require.NoError(t, e.emu.SetFaults(sheetstest.Faults{}))
	ds, err := drive.NewService(ctx, e.emu.DriveOptions(e.seeded.ServiceAccount)...)
	require.NoError(t, err)
	var files []*drive.File
	require.NoError(t, ds.Files.List().Q(fmt.Sprintf("'%s' in parents and trashed = false", e.seeded.DriveID)).
		SupportsAllDrives(true).IncludeItemsFromAllDrives(true).PageSize(1000).Fields("files(id,name)").
		Pages(ctx, func(l *drive.FileList) error { files = append(files, l.Files...); return nil }))
	names := map[string]int{}
	for _, f := range files {
		names[f.Name]++
	}
	for i := range n {
		name := fmt.Sprintf("FY27 plan dept-%03d", i)
		assert.Equal(t, 1, names[name], "one spreadsheet %s", name)
	}
	for _, i := range []int{0, n / 3, n - 1} {
		got, err := e.client.ReadBack(ctx, res.ids[i])
		require.NoError(t, err)
		var titles []string
		for _, s := range got.Sheets {
			titles = append(titles, s.Name)
		}
		assert.Equal(t, []string{"Plan", "Summary", "Identity"}, titles, "department %d: no tab twice", i)
		assert.Len(t, got.Names, 1, "department %d: no named range twice", i)
		v, _ := got.Sheet("Summary").Value(grid.R(2, 2)).Decimal()
		assert.Equal(t, "4800", v.String(), "department %d: the summary holds the plan's total", i)
	}
	return res
}

// department is one department's part of the round.
func department(ctx context.Context, e *env, wb *grid.Workbook, dept string, id *string) error {
	meta := map[string]string{"aop.department": dept, "aop.round": "1"}
	s, err := e.client.Create(ctx, sheets.NewSpreadsheet{Name: "FY27 plan " + dept, Workbook: wb, Metadata: meta,
		Share: dept + "@kestrel.example"})
	if err != nil {
		return err
	}
	*id = s.ID
	problems, err := e.client.Check(ctx, s.ID, wb, meta, false)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("structure: %s", strings.Join(problems, "; "))
	}
	data, err := e.client.Harvest(ctx, s.ID, []string{"Plan", "Identity"})
	if err != nil {
		return err
	}
	got, err := sheets.DecodeValues(data)
	if err != nil {
		return err
	}
	if got.Sheet("Plan") == nil {
		return fmt.Errorf("harvest: no Plan sheet")
	}
	sum := grid.New().AddSheet("Summary")
	sum.SetValue(grid.R(1, 1), grid.Str("Summary of "+dept))
	sum.SetValue(grid.R(2, 1), grid.Str("Plan total"))
	sum.SetValue(grid.R(2, 2), grid.NumText("4800"))
	return e.client.WriteTab(ctx, s.ID, sheets.Tab{ID: 900, Sheet: sum, Index: 1}, true)
}

func kindOf(method string) sheets.Kind {
	switch {
	case strings.HasPrefix(method, "drive."):
		return sheets.Drive
	case slices.Contains([]string{"sheets.spreadsheets.get", "sheets.spreadsheets.values.get", "sheets.spreadsheets.values.batchGet",
		"sheets.spreadsheets.developerMetadata.get", "sheets.spreadsheets.developerMetadata.search",
		"sheets.spreadsheets.getByDataFilter", "sheets.spreadsheets.values.batchGetByDataFilter"}, method):
		return sheets.Read
	default:
		return sheets.Write
	}
}

// TestRoundOf500DepartmentsKeepsTheQuota is the acceptance test of the
// quota: 500 departments against 60 reads and 60 writes a minute take
// within 1.1× of the least time the quota allows, with no 429 but the
// injected ones; with a fifth of the requests failing (429, 500, 503,
// timeouts, some after the write was applied) the round still completes
// and nothing is made twice.
func TestRoundOf500DepartmentsKeepsTheQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("500 departments: a few seconds of real time")
	}
	for _, tc := range []struct {
		name   string
		faults sheetstest.Faults
	}{
		{"clean", sheetstest.Faults{}},
		{"faults", sheetstest.Faults{Rate: 0.2, Seed: 11, Kinds: sheetstest.AllFaultKinds}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				res := runRound(t, 500, tc.faults)
				assert.Empty(t, res.failed, "no department fails")
				assert.Empty(t, res.stats.QuotaExceeded, "no 429 but the injected ones")
				ratio := float64(res.took) / float64(res.minimum)
				t.Logf("%s: %d reads, %d writes, %d Drive calls in %s (virtual); the quota's minimum is %s: %.3f×; faults %v (%d after the write was applied)",
					tc.name, res.requests[sheets.Read], res.requests[sheets.Write], res.requests[sheets.Drive],
					res.took.Round(time.Second), res.minimum.Round(time.Second), ratio, res.stats.Faults, res.stats.FaultsAfterApply)
				if tc.faults.Rate == 0 {
					assert.LessOrEqual(t, ratio, 1.1, "within 1.1× of the quota's minimum time")
					assert.Equal(t, 1000, res.requests[sheets.Write], "per department: the render and the summary: %v", res.stats.Requests)
					assert.Equal(t, 1000, res.requests[sheets.Read], "per department: the structure check and the harvest")
					assert.Equal(t, 1000, res.requests[sheets.Drive], "per department: the copy and the share")
				} else {
					assert.NotEmpty(t, res.stats.Faults, "faults were injected")
				}
			})
		})
	}
}
