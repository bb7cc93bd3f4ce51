package main

import (
	"context"
	"fmt"
	"os"
	"slices"

	"aop/cmd/internal/config"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/store"
	"aop/engine"
	"aop/engine/grid"
	"aop/engine/review"
	"aop/sheets"
	"aop/templates"
)

// summaryTabID is the sheet id of a department spreadsheet's Summary tab:
// fixed, and clear of the rendered sheets' ids, so that adding it twice
// fails instead of adding a copy.
const summaryTabID = sheets.FirstSheetID + 900

// actualsTabID is the sheet id of the Actuals vs Plan tab, likewise.
const actualsTabID = sheets.FirstSheetID + 901

// sheetsBooks is the service's Google side, plan.Spreadsheets: the
// templates render a department's workbook as for an .xlsx round, and the
// sheets driver moves it into and out of the department's spreadsheet.
type sheetsBooks struct {
	books  *xlsxBooks
	client *sheets.Client
}

var _ plan.Spreadsheets = (*sheetsBooks)(nil)

// newSheetsBooks connects to Google (or the emulator at
// google.endpoint) as the configured service account. Its requests keep
// within google.quotas, booked in slots: the database's on PostgreSQL,
// so that every instance shares them, the process's otherwise.
func newSheetsBooks(ctx context.Context, g config.Google, books *xlsxBooks, st *store.Store) (*sheetsBooks, error) {
	key, err := os.ReadFile(g.CredentialsFile)
	if err != nil {
		return nil, fmt.Errorf("google.credentials_file: %w", err)
	}
	acct, err := sheets.ServiceAccount(ctx, key, g.ImpersonateUser, nil)
	if err != nil {
		return nil, err
	}
	var slots sheets.Slots = sheets.NewMemorySlots()
	if st.Dialect() == store.Postgres {
		slots = st
	}
	q := sheets.Quotas{ReadsPerUser: g.Quotas.ReadsPerUser, WritesPerUser: g.Quotas.WritesPerUser,
		ReadsPerProject: g.Quotas.ReadsPerProject, WritesPerProject: g.Quotas.WritesPerProject}
	client, err := sheets.New(ctx, sheets.Options{HTTPClient: acct.Client, Endpoint: g.Endpoint, Editor: acct.Email,
		Folder: g.SharedDrive, Template: g.Template, Pacer: sheets.NewPacer(slots, q)})
	if err != nil {
		return nil, err
	}
	return &sheetsBooks{books: books, client: client}, nil
}

// workbook renders a department's workbook for its spreadsheet, input
// cells open: what Create renders (locked, when w is) and what the lock
// and the structure check compare with.
func (g *sheetsBooks) workbook(c *engine.Cycle, w plan.Workbook) (*grid.Workbook, *templates.Department, error) {
	h, err := g.books.harvester(c)
	if err != nil {
		return nil, nil, err
	}
	wb, err := h.Template.Generate(w.Department, w.Round, g.books.key)
	if err != nil {
		return nil, nil, err
	}
	if err := h.Template.SetWebhook(wb, w.Sheet, w.Secret); err != nil {
		return nil, nil, err
	}
	return wb, h.Template, nil
}

// metadata identifies a department's spreadsheet (developer metadata):
// the add-on reads the sheet id from it, and the structure check that it
// is unchanged.
func metadata(c *engine.Cycle, t *templates.Department, w plan.Workbook) map[string]string {
	return map[string]string{"aop.cycle": c.ID, "aop.round": w.Round, "aop.department": w.Department,
		"aop.sheet": w.Sheet, "aop.template": fmt.Sprintf("%s@%d", t.Spec().ID, t.Spec().Version)}
}

func (g *sheetsBooks) Create(ctx context.Context, c *engine.Cycle, w plan.Workbook, name, owner string, resume bool) (string, string, error) {
	wb, t, err := g.workbook(c, w)
	if err != nil {
		return "", "", err
	}
	meta := metadata(c, t, w)
	if w.Locked {
		lock(wb)
	}
	s, err := g.client.Create(ctx, sheets.NewSpreadsheet{Name: name, Workbook: wb, Metadata: meta, Share: owner, Resume: resume})
	if err != nil {
		return "", "", err
	}
	return s.ID, s.URL, nil
}

func (g *sheetsBooks) SetLocked(ctx context.Context, c *engine.Cycle, w plan.Workbook, id string) error {
	wb, _, err := g.workbook(c, w)
	if err != nil {
		return err
	}
	return g.client.SetLocked(ctx, id, wb, w.Locked)
}

func (g *sheetsBooks) Check(ctx context.Context, c *engine.Cycle, w plan.Workbook, id string) ([]string, error) {
	wb, t, err := g.workbook(c, w)
	if err != nil {
		return nil, err
	}
	return g.client.Check(ctx, id, wb, metadata(c, t, w), w.Locked)
}

func (g *sheetsBooks) Fetch(ctx context.Context, c *engine.Cycle, w plan.Workbook, id string) ([]byte, error) {
	h, err := g.books.harvester(c)
	if err != nil {
		return nil, err
	}
	names, err := h.Template.HarvestSheets(w.Department)
	if err != nil {
		return nil, err
	}
	if w.Actuals {
		names = append(names, templates.ActualsSheetName)
	}
	return g.client.Harvest(ctx, id, names)
}

func (g *sheetsBooks) FetchActuals(ctx context.Context, id string) ([]byte, error) {
	return g.client.Harvest(ctx, id, []string{templates.ActualsSheetName})
}

func (g *sheetsBooks) WriteSummary(ctx context.Context, c *engine.Cycle, k *engine.Consolidation, dept, id, asOf string, create bool) error {
	h, err := g.books.harvester(c)
	if err != nil {
		return err
	}
	sheet, err := h.Template.DepartmentSummary(k, dept, g.books.key, asOf)
	if err != nil {
		return err
	}
	return g.client.WriteTab(ctx, id, sheets.Tab{ID: summaryTabID, Sheet: sheet, Index: afterInstructions(h.Template, dept)}, create)
}

// afterInstructions is the place of a tab aop adds to a department's
// spreadsheet: right after the instructions, as in an .xlsx workbook.
func afterInstructions(t *templates.Department, dept string) int {
	names, err := t.Sheets(dept)
	if err != nil {
		return 0
	}
	return slices.Index(names, t.Spec().Sheets.Instructions) + 1
}

func (g *sheetsBooks) WriteActuals(ctx context.Context, c *engine.Cycle, r *review.Report, dept, id, asOf string, create bool) error {
	sheet, t, err := g.books.actualsTab(c, r, dept, asOf)
	if err != nil {
		return err
	}
	return g.client.WriteTab(ctx, id, sheets.Tab{ID: actualsTabID, Sheet: sheet, Index: afterInstructions(t, dept), Inputs: true}, create)
}
