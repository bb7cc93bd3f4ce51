package sheetstest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"
)

const (
	finance = "finance@example.com"
	head    = "head.sales@example.com"
	other   = "someone.else@example.com"
	svc     = "aop@aop-test.iam.gserviceaccount.com"
)

func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	require.NoError(t, err)
	return s
}

func sheetsFor(t testing.TB, s *Server, email string) *sheets.Service {
	t.Helper()
	svc, err := sheets.NewService(context.Background(), s.SheetsOptions(email)...)
	require.NoError(t, err)
	return svc
}

func driveFor(t *testing.T, s *Server, email string) *drive.Service {
	t.Helper()
	svc, err := drive.NewService(context.Background(), s.DriveOptions(email)...)
	require.NoError(t, err)
	return svc
}

// apiErr asserts err is a *googleapi.Error with the code and returns it.
func apiErr(t *testing.T, err error, code int) *googleapi.Error {
	t.Helper()
	require.Error(t, err)
	var ge *googleapi.Error
	require.True(t, errors.As(err, &ge), "want *googleapi.Error, got %T: %v", err, err)
	assert.Equal(t, code, ge.Code, "message: %s", ge.Message)
	return ge
}

// newBook creates a spreadsheet owned by finance with the given sheets.
func newBook(t *testing.T, s *Server, titles ...string) *sheets.Spreadsheet {
	t.Helper()
	req := &sheets.Spreadsheet{Properties: &sheets.SpreadsheetProperties{Title: "FY2026 Budget"}}
	for i, title := range titles {
		req.Sheets = append(req.Sheets, &sheets.Sheet{Properties: &sheets.SheetProperties{Title: title, SheetId: int64(i * 100)}})
	}
	ss, err := sheetsFor(t, s, finance).Spreadsheets.Create(req).Do()
	require.NoError(t, err)
	return ss
}

func TestCreateAndGet(t *testing.T) {
	s := newServer(t, Options{})
	api := sheetsFor(t, s, finance)
	created, err := api.Spreadsheets.Create(&sheets.Spreadsheet{
		Properties: &sheets.SpreadsheetProperties{Title: "FY2026 Budget - Finance", Locale: "en_US", TimeZone: "Europe/Berlin"},
		Sheets: []*sheets.Sheet{
			{Properties: &sheets.SheetProperties{Title: "Input", GridProperties: &sheets.GridProperties{RowCount: 200, ColumnCount: 14, FrozenRowCount: 1}}},
			{Properties: &sheets.SheetProperties{Title: "Summary", SheetId: 100, Index: 1, GridProperties: &sheets.GridProperties{RowCount: 50, ColumnCount: 8}}},
			{Properties: &sheets.SheetProperties{Title: "_meta", SheetId: 900, Index: 2, Hidden: true}},
		},
	}).Do()
	require.NoError(t, err)
	require.NotEmpty(t, created.SpreadsheetId)
	assert.Equal(t, "https://docs.google.com/spreadsheets/d/"+created.SpreadsheetId+"/edit", created.SpreadsheetUrl)
	require.Len(t, created.Sheets, 3)
	assert.Equal(t, int64(0), created.Sheets[0].Properties.SheetId)
	assert.Equal(t, int64(200), created.Sheets[0].Properties.GridProperties.RowCount)
	assert.Equal(t, int64(1000), created.Sheets[2].Properties.GridProperties.RowCount)
	assert.True(t, created.Sheets[2].Properties.Hidden)

	got, err := api.Spreadsheets.Get(created.SpreadsheetId).Fields("spreadsheetId,sheets.properties(sheetId,title)").Do()
	require.NoError(t, err)
	assert.Equal(t, created.SpreadsheetId, got.SpreadsheetId)
	assert.Nil(t, got.Properties)
	require.Len(t, got.Sheets, 3)
	assert.Equal(t, "Summary", got.Sheets[1].Properties.Title)
	assert.Nil(t, got.Sheets[1].Properties.GridProperties, "the mask prunes gridProperties")

	_, err = api.Spreadsheets.Get("nope").Do()
	apiErr(t, err, 404)
	_, err = api.Spreadsheets.Get(created.SpreadsheetId).Fields("sheets(nosuchfield)").Do()
	apiErr(t, err, 400)
}

func TestValuesRoundTrip(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Input", "O'Brien Dept")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	_, err := api.Spreadsheets.Values.BatchUpdate(id, &sheets.BatchUpdateValuesRequest{
		ValueInputOption: "USER_ENTERED",
		Data: []*sheets.ValueRange{
			{Range: "Input!A1:C2", Values: [][]any{{"Line item", "Jan", "Feb"}, {"Travel", 1200.5, "=B2*2"}}},
			{Range: "'O''Brien Dept'!B5", Values: [][]any{{42}}},
		},
	}).Do()
	require.NoError(t, err)
	resp, err := api.Spreadsheets.Values.BatchGet(id).Ranges("Input!A1:D10", "'O''Brien Dept'!A1:C9").
		ValueRenderOption("FORMULA").Do()
	require.NoError(t, err)
	require.Len(t, resp.ValueRanges, 2)
	assert.Equal(t, "Input!A1:D10", resp.ValueRanges[0].Range)
	assert.Equal(t, [][]any{{"Line item", "Jan", "Feb"}, {"Travel", 1200.5, "=B2*2"}}, resp.ValueRanges[0].Values)
	assert.Equal(t, "'O''Brien Dept'!A1:C9", resp.ValueRanges[1].Range)
	assert.Equal(t, [][]any{{}, {}, {}, {}, {"", 42.0}}, resp.ValueRanges[1].Values)
}

func TestDriveCopyAndSharing(t *testing.T) {
	s := newServer(t, Options{})
	seed, err := s.Seed(SeedOptions{ServiceAccount: svc})
	require.NoError(t, err)
	dsvc := driveFor(t, s, svc)
	cp, err := dsvc.Files.Copy(seed.TemplateID, &drive.File{Name: "FY2026 - Sales", Parents: []string{seed.DriveID}}).
		SupportsAllDrives(true).Fields("id,name,parents,webViewLink,mimeType").Do()
	require.NoError(t, err)
	assert.Equal(t, "FY2026 - Sales", cp.Name)
	assert.Equal(t, []string{seed.DriveID}, cp.Parents)

	// The head cannot see the file until it is shared.
	_, err = sheetsFor(t, s, head).Spreadsheets.Get(cp.Id).Do()
	apiErr(t, err, 403)
	_, err = dsvc.Permissions.Create(cp.Id, &drive.Permission{Type: "user", Role: "writer", EmailAddress: head}).
		SendNotificationEmail(false).SupportsAllDrives(true).Do()
	require.NoError(t, err)
	_, err = sheetsFor(t, s, head).Spreadsheets.Values.Update(cp.Id, "Sheet1!A1", &sheets.ValueRange{Values: [][]any{{"hello"}}}).
		ValueInputOption("RAW").Do()
	require.NoError(t, err)

	// Without supportsAllDrives the shared-drive file is invisible.
	_, err = dsvc.Files.Get(cp.Id).Do()
	apiErr(t, err, 404)
	// A service account cannot copy into its own My Drive.
	_, err = dsvc.Files.Copy(seed.TemplateID, &drive.File{Name: "x"}).SupportsAllDrives(true).Do()
	ge := apiErr(t, err, 403)
	assert.Contains(t, ge.Message, "Service Accounts do not have storage quota")
}

func TestFormulasEvaluateLazily(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Input", "Summary")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	_, err := api.Spreadsheets.Values.BatchUpdate(id, &sheets.BatchUpdateValuesRequest{
		ValueInputOption: "USER_ENTERED",
		Data: []*sheets.ValueRange{
			{Range: "Input!A1:A3", Values: [][]any{{10}, {"20"}, {"=A1+A2"}}},
			{Range: "Summary!A1:B2", Values: [][]any{{"=SUM(Input!A1:A3)", "=B2"}, {"=1/0", "=B1"}}},
		},
	}).Do()
	require.NoError(t, err)
	get := func(render string) [][]any {
		r, err := api.Spreadsheets.Values.Get(id, "Summary!A1:B2").ValueRenderOption(render).Do()
		require.NoError(t, err)
		return r.Values
	}
	assert.Equal(t, [][]any{{60.0, "#REF!"}, {"#DIV/0!", "#REF!"}}, get("UNFORMATTED_VALUE"))
	assert.Equal(t, [][]any{{"=SUM(Input!A1:A3)", "=B2"}, {"=1/0", "=B1"}}, get("FORMULA"))
	// A write drops the cached results.
	_, err = api.Spreadsheets.Values.Update(id, "Input!A1", &sheets.ValueRange{Values: [][]any{{15}}}).ValueInputOption("RAW").Do()
	require.NoError(t, err)
	assert.Equal(t, "70", get("FORMATTED_VALUE")[0][0])
}
