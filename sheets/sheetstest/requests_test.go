package sheetstest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"
)

func batch1(t *testing.T, api *sheets.Service, id string, reqs ...*sheets.Request) (*sheets.BatchUpdateSpreadsheetResponse, error) {
	t.Helper()
	return api.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Do()
}

func TestSheetPropertiesMasks(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "A", "B", "C")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	_, err := batch1(t, api, id,
		&sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
			Properties: &sheets.SheetProperties{SheetId: 100, Hidden: true, Title: "Hidden B",
				TabColorStyle:  &sheets.ColorStyle{RgbColor: &sheets.Color{Red: 1}},
				GridProperties: &sheets.GridProperties{FrozenRowCount: 2, RowCount: 50, ColumnCount: 5}},
			Fields: "hidden,title,tabColorStyle,gridProperties(frozenRowCount,rowCount,columnCount)"}},
		&sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
			Properties: &sheets.SheetProperties{SheetId: 200, Index: 0, ForceSendFields: []string{"Index"}}, Fields: "index"}},
	)
	require.NoError(t, err)
	got, err := api.Spreadsheets.Get(id).Fields("sheets.properties").Do()
	require.NoError(t, err)
	var titles []string
	for _, sh := range got.Sheets {
		titles = append(titles, sh.Properties.Title)
	}
	assert.Equal(t, []string{"C", "A", "Hidden B"}, titles)
	b := got.Sheets[2].Properties
	assert.True(t, b.Hidden)
	assert.Equal(t, int64(2), b.GridProperties.FrozenRowCount)
	assert.Equal(t, int64(50), b.GridProperties.RowCount)
	assert.Equal(t, 1.0, b.TabColorStyle.RgbColor.Red)

	// A field named in the mask but absent from the body is reset: this is
	// how hidden=false gets through the Go client's omitempty.
	_, err = batch1(t, api, id, &sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
		Properties: &sheets.SheetProperties{SheetId: 100}, Fields: "hidden"}})
	require.NoError(t, err)
	got, err = api.Spreadsheets.Get(id).Fields("sheets.properties(title,hidden)").Do()
	require.NoError(t, err)
	assert.False(t, got.Sheets[2].Properties.Hidden)

	for _, bad := range []*sheets.UpdateSheetPropertiesRequest{
		{Properties: &sheets.SheetProperties{SheetId: 0, Title: "C"}, Fields: "title"},
		{Properties: &sheets.SheetProperties{SheetId: 0, GridProperties: &sheets.GridProperties{FrozenRowCount: 5000}}, Fields: "gridProperties.frozenRowCount"},
		{Properties: &sheets.SheetProperties{SheetId: 0}, Fields: "nope"},
		{Properties: &sheets.SheetProperties{SheetId: 0}},
	} {
		_, err := batch1(t, api, id, &sheets.Request{UpdateSheetProperties: bad})
		apiErr(t, err, 400)
	}
	_, err = batch1(t, api, id, &sheets.Request{DeleteSheet: &sheets.DeleteSheetRequest{SheetId: 0}},
		&sheets.Request{DeleteSheet: &sheets.DeleteSheetRequest{SheetId: 100}},
		&sheets.Request{DeleteSheet: &sheets.DeleteSheetRequest{SheetId: 200}})
	ge := apiErr(t, err, 400)
	assert.Equal(t, "Invalid requests[2].deleteSheet: You can't remove all the sheets in a document.", ge.Message)
}

func TestCellRequests(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	num := func(f float64) *sheets.ExtendedValue { return &sheets.ExtendedValue{NumberValue: &f} }
	_, err := batch1(t, api, id,
		&sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{Fields: "userEnteredValue",
			Start: &sheets.GridCoordinate{RowIndex: 0, ColumnIndex: 0},
			Rows:  []*sheets.RowData{{Values: []*sheets.CellData{{UserEnteredValue: num(1)}, {UserEnteredValue: num(2)}}}, {Values: []*sheets.CellData{{UserEnteredValue: num(3)}, {UserEnteredValue: num(4)}}}}}},
		&sheets.Request{RepeatCell: &sheets.RepeatCellRequest{Fields: "userEnteredValue,userEnteredFormat.numberFormat",
			Range: &sheets.GridRange{StartRowIndex: 0, EndRowIndex: 2, StartColumnIndex: 2, EndColumnIndex: 3},
			Cell: &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{FormulaValue: googleString("=A1*$B$1")},
				UserEnteredFormat: &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: "NUMBER", Pattern: "#,##0.00"}}}}},
		&sheets.Request{MergeCells: &sheets.MergeCellsRequest{MergeType: "MERGE_ALL", Range: &sheets.GridRange{StartRowIndex: 3, EndRowIndex: 4, EndColumnIndex: 3}}},
		&sheets.Request{UpdateDimensionProperties: &sheets.UpdateDimensionPropertiesRequest{Fields: "pixelSize",
			Range: &sheets.DimensionRange{Dimension: "COLUMNS", StartIndex: 1, EndIndex: 2}, Properties: &sheets.DimensionProperties{PixelSize: 240}}},
	)
	require.NoError(t, err)
	r, err := api.Spreadsheets.Values.Get(id, "Plan!A1:C2").ValueRenderOption("FORMULA").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{1.0, 2.0, "=A1*$B$1"}, {3.0, 4.0, "=A2*$B$1"}}, r.Values, "repeatCell moves relative references")
	r, err = api.Spreadsheets.Values.Get(id, "Plan!C1:C2").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"2.00"}, {"6.00"}}, r.Values)
	got, err := api.Spreadsheets.Get(id).Ranges("Plan!A1:C4").Fields("sheets(merges,data(columnMetadata(pixelSize),rowData.values(userEnteredFormat.numberFormat,formattedValue)))").Do()
	require.NoError(t, err)
	sh := got.Sheets[0]
	require.Len(t, sh.Merges, 1)
	assert.Equal(t, int64(3), sh.Merges[0].StartRowIndex)
	assert.Equal(t, []int64{100, 240, 100}, []int64{sh.Data[0].ColumnMetadata[0].PixelSize, sh.Data[0].ColumnMetadata[1].PixelSize, sh.Data[0].ColumnMetadata[2].PixelSize})
	assert.Equal(t, "#,##0.00", sh.Data[0].RowData[0].Values[2].UserEnteredFormat.NumberFormat.Pattern)
	assert.Equal(t, "6.00", sh.Data[0].RowData[1].Values[2].FormattedValue)

	// updateCells with a range clears what the rows do not cover.
	_, err = batch1(t, api, id, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{Fields: "userEnteredValue",
		Range: &sheets.GridRange{EndRowIndex: 2, EndColumnIndex: 2},
		Rows:  []*sheets.RowData{{Values: []*sheets.CellData{{UserEnteredValue: num(9)}}}}}})
	require.NoError(t, err)
	r, err = api.Spreadsheets.Values.Get(id, "Plan!A1:B2").ValueRenderOption("UNFORMATTED_VALUE").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{9.0}}, r.Values)
	_, err = batch1(t, api, id, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{Fields: "userEnteredValue",
		Range: &sheets.GridRange{EndRowIndex: 1, EndColumnIndex: 1},
		Rows:  []*sheets.RowData{{Values: []*sheets.CellData{{UserEnteredValue: num(1)}}}, {Values: []*sheets.CellData{{UserEnteredValue: num(2)}}}}}})
	ge := apiErr(t, err, 400)
	assert.Contains(t, ge.Message, "beyond the last requested row")
}

func googleString(s string) *string { return &s }

func TestDataValidation(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	rule := func(typ string, strict bool, vals ...string) *sheets.DataValidationRule {
		c := &sheets.BooleanCondition{Type: typ}
		for _, v := range vals {
			c.Values = append(c.Values, &sheets.ConditionValue{UserEnteredValue: v})
		}
		return &sheets.DataValidationRule{Condition: c, Strict: strict, ShowCustomUi: true}
	}
	set := func(r *sheets.GridRange, dv *sheets.DataValidationRule) error {
		_, err := batch1(t, api, id, &sheets.Request{SetDataValidation: &sheets.SetDataValidationRequest{Range: r, Rule: dv}})
		return err
	}
	require.NoError(t, set(&sheets.GridRange{StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 1, EndColumnIndex: 2}, rule("ONE_OF_LIST", true, "OPEX", "CAPEX")))
	require.NoError(t, set(&sheets.GridRange{StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 2, EndColumnIndex: 3}, rule("NUMBER_GREATER_THAN_EQ", true, "0")))
	require.NoError(t, set(&sheets.GridRange{StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 3, EndColumnIndex: 4}, rule("DATE_BETWEEN", true, "2026-01-01", "2026-12-31")))
	require.NoError(t, set(&sheets.GridRange{StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 4, EndColumnIndex: 5}, rule("BOOLEAN", false)))
	require.NoError(t, set(&sheets.GridRange{StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 5, EndColumnIndex: 6}, rule("CUSTOM_FORMULA", true, "=F2>0")))
	require.NoError(t, set(&sheets.GridRange{StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 6, EndColumnIndex: 7}, rule("ONE_OF_RANGE", true, "=Plan!A20:A22")))

	for _, bad := range []*sheets.DataValidationRule{
		rule("TEXT_STARTS_WITH", true, "x"),
		rule("NUMBER_BETWEEN", true, "1"),
		rule("NUMBER_GREATER", true, "abc"),
		rule("ONE_OF_RANGE", true, "Nope!A1:A3"),
		rule("CUSTOM_FORMULA", true, "F2>0"),
	} {
		apiErr(t, set(&sheets.GridRange{EndRowIndex: 1}, bad), 400)
	}
	// TEXT_LENGTH is an Excel rule, not a Sheets condition type.
	client := s.ClientFor(finance)
	resp, err := client.Post("http://e/v4/spreadsheets/"+id+":batchUpdate", "application/json", strings.NewReader(
		`{"requests":[{"setDataValidation":{"range":{},"rule":{"condition":{"type":"TEXT_LENGTH"}}}}]}`))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, string(b), `Invalid value at 'requests[0].set_data_validation.rule.condition.type' (type.googleapis.com/google.apps.sheets.v4.ConditionType), \"TEXT_LENGTH\"`)

	// A person typing is held to strict rules; the API is not.
	require.NoError(t, s.EditAs(finance, id, "Plan!B2:D2", [][]any{{"capex", "1,000", "2026-03-31"}}))
	for _, v := range [][]any{{"Other"}, {nil, "-5"}, {nil, nil, "2025-12-31"}} {
		err := s.EditAs(finance, id, "Plan!B3", [][]any{v})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "violates the data validation rules")
	}
	_, err = api.Spreadsheets.Values.Update(id, "Plan!B3", &sheets.ValueRange{Values: [][]any{{"Other"}}}).ValueInputOption("USER_ENTERED").Do()
	require.NoError(t, err)
	got, err := api.Spreadsheets.Get(id).Ranges("Plan!B2:C2").Fields("sheets.data.rowData.values.dataValidation").Do()
	require.NoError(t, err)
	assert.Equal(t, "ONE_OF_LIST", got.Sheets[0].Data[0].RowData[0].Values[0].DataValidation.Condition.Type)
	// Clearing: no rule.
	require.NoError(t, set(&sheets.GridRange{StartRowIndex: 1, EndRowIndex: 10, StartColumnIndex: 1, EndColumnIndex: 2}, nil))
	require.NoError(t, s.EditAs(finance, id, "Plan!B4", [][]any{{"anything"}}))
}

func TestEditOverHTTP(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan")
	body, _ := json.Marshal(map[string]any{"user": finance, "spreadsheetId": book.SpreadsheetId, "range": "Plan!A1:B1", "values": [][]any{{"=2*3", 4.5}}})
	resp, err := s.Client().Post("http://e/_emulator/edit", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	vals, err := s.ReadAs(finance, book.SpreadsheetId, "Plan!A1:B1")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"6", "4.5"}}, vals)
	body, _ = json.Marshal(map[string]any{"user": other, "spreadsheetId": book.SpreadsheetId, "range": "Plan!A1", "values": [][]any{{1}}})
	resp, err = s.Client().Post("http://e/_emulator/edit", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode)
}

func TestInsertAndDeleteRows(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan", "Summary")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	_, err := api.Spreadsheets.Values.BatchUpdate(id, &sheets.BatchUpdateValuesRequest{ValueInputOption: "USER_ENTERED", Data: []*sheets.ValueRange{
		{Range: "Plan!A1:B4", Values: [][]any{{"Travel", 10}, {"Laptops", 20}, {"Rent", 30}, {"Total", "=SUM(B1:B3)"}}},
		{Range: "Summary!A1:B1", Values: [][]any{{"=Plan!B4", "=Plan!B2*2"}}},
	}}).Do()
	require.NoError(t, err)
	_, err = batch1(t, api, id,
		&sheets.Request{CreateDeveloperMetadata: &sheets.CreateDeveloperMetadataRequest{DeveloperMetadata: &sheets.DeveloperMetadata{
			MetadataKey: "aop.line", MetadataValue: "rent", Visibility: "DOCUMENT",
			Location: &sheets.DeveloperMetadataLocation{DimensionRange: &sheets.DimensionRange{Dimension: "ROWS", StartIndex: 2, EndIndex: 3}}}}},
		&sheets.Request{AddNamedRange: &sheets.AddNamedRangeRequest{NamedRange: &sheets.NamedRange{Name: "Amounts",
			Range: &sheets.GridRange{StartRowIndex: 0, EndRowIndex: 3, StartColumnIndex: 1, EndColumnIndex: 2}}}},
	)
	require.NoError(t, err)

	// The head inserts a line above Rent, as in the UI, and fills it in.
	require.NoError(t, s.BatchUpdateAs(finance, id, &sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{
		Range: &sheets.DimensionRange{Dimension: "ROWS", StartIndex: 2, EndIndex: 3}, InheritFromBefore: true}}))
	require.NoError(t, s.EditAs(finance, id, "Plan!A3:B3", [][]any{{"Training", "5"}}))
	r, err := api.Spreadsheets.Values.BatchGet(id).Ranges("Plan!A1:B5", "Summary!A1:B1").ValueRenderOption("FORMULA").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"Travel", 10.0}, {"Laptops", 20.0}, {"Training", 5.0}, {"Rent", 30.0}, {"Total", "=SUM(B1:B4)"}}, r.ValueRanges[0].Values)
	assert.Equal(t, [][]any{{"=Plan!B5", "=Plan!B2*2"}}, r.ValueRanges[1].Values)
	found, err := api.Spreadsheets.Values.BatchGetByDataFilter(id, &sheets.BatchGetValuesByDataFilterRequest{
		DataFilters: []*sheets.DataFilter{{DeveloperMetadataLookup: &sheets.DeveloperMetadataLookup{MetadataValue: "rent"}}},
	}).Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"Rent", "30"}}, found.ValueRanges[0].ValueRange.Values, "row metadata moves with its row")
	got, err := api.Spreadsheets.Get(id).Fields("namedRanges,sheets.properties.gridProperties").Do()
	require.NoError(t, err)
	assert.Equal(t, int64(4), got.NamedRanges[0].Range.EndRowIndex, "the named range grew")
	assert.Equal(t, int64(1001), got.Sheets[0].Properties.GridProperties.RowCount)

	// Deleting Laptops: references to it become #REF!, the total shrinks.
	_, err = batch1(t, api, id, &sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{
		Range: &sheets.DimensionRange{Dimension: "ROWS", StartIndex: 1, EndIndex: 2}}})
	require.NoError(t, err)
	r, err = api.Spreadsheets.Values.BatchGet(id).Ranges("Plan!B4", "Summary!A1:B1").ValueRenderOption("FORMULA").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"=SUM(B1:B3)"}}, r.ValueRanges[0].Values)
	assert.Equal(t, [][]any{{"=Plan!B4", "=#REF!*2"}}, r.ValueRanges[1].Values)
	r, err = api.Spreadsheets.Values.BatchGet(id).Ranges("Plan!B4", "Summary!A1:B1").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"45"}}, r.ValueRanges[0].Values)
	assert.Equal(t, [][]any{{"45", "#REF!"}}, r.ValueRanges[1].Values)

	// A protected sheet refuses inserted rows from its non-editors.
	_, err = batch1(t, api, id, &sheets.Request{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{
		Range: &sheets.GridRange{SheetId: 100}, Editors: &sheets.Editors{Users: []string{finance}}}}})
	require.NoError(t, err)
	require.NoError(t, s.shareForTest(id, head, "writer"))
	err = s.BatchUpdateAs(head, id, &sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{
		Range: &sheets.DimensionRange{SheetId: 100, Dimension: "ROWS", StartIndex: 1, EndIndex: 2}}})
	assert.True(t, IsProtectedError(err), "%v", err)

	// values.append with INSERT_ROWS pushes what follows the table down.
	_, err = api.Spreadsheets.Values.Append(id, "Plan!A1:B1", &sheets.ValueRange{Values: [][]any{{"Hosting", 7}}}).
		ValueInputOption("USER_ENTERED").InsertDataOption("INSERT_ROWS").Do()
	require.NoError(t, err)
	r, err = api.Spreadsheets.Values.BatchGet(id).Ranges("Plan!A1:B6").ValueRenderOption("FORMULA").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"Travel", 10.0}, {"Training", 5.0}, {"Rent", 30.0}, {"Total", "=SUM(B1:B3)"}, {"Hosting", 7.0}}, r.ValueRanges[0].Values)
}

// shareForTest gives email a role on a file directly (tests).
func (s *Server) shareForTest(fileID, email, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.st.Files[fileID]
	if f == nil {
		return fmt.Errorf("sheetstest: no file %s", fileID)
	}
	f.Perms = append(f.Perms, &permission{ID: permissionID(strings.ToLower(email)), Type: "user", Role: role, Email: email})
	return nil
}

func TestClearKeepsFormats(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	_, err := api.Spreadsheets.Values.Update(id, "Plan!A1:C2", &sheets.ValueRange{Values: [][]any{{"a", "12%", 3}, {"d", "e", "f"}}}).ValueInputOption("USER_ENTERED").Do()
	require.NoError(t, err)
	cl, err := api.Spreadsheets.Values.Clear(id, "Plan!B1:B2", &sheets.ClearValuesRequest{}).Do()
	require.NoError(t, err)
	assert.Equal(t, "Plan!B1:B2", cl.ClearedRange)
	bc, err := api.Spreadsheets.Values.BatchClear(id, &sheets.BatchClearValuesRequest{Ranges: []string{"Plan!C2", "Plan!A2"}}).Do()
	require.NoError(t, err)
	assert.Equal(t, []string{"Plan!C2", "Plan!A2"}, bc.ClearedRanges)
	r, err := api.Spreadsheets.Values.Get(id, "Plan!A1:C2").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"a", "", "3"}}, r.Values)
	_, err = api.Spreadsheets.Values.Update(id, "Plan!B1", &sheets.ValueRange{Values: [][]any{{0.5}}}).ValueInputOption("RAW").Do()
	require.NoError(t, err)
	r, err = api.Spreadsheets.Values.Get(id, "Plan!B1").Do()
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"50%"}}, r.Values, "clearing kept the percent format")
}

func TestFieldsMaskForms(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Plan")
	api := sheetsFor(t, s, finance)
	id := book.SpreadsheetId
	_, err := api.Spreadsheets.Values.Update(id, "Plan!A1:B1", &sheets.ValueRange{Values: [][]any{{"x", "=1+1"}}}).ValueInputOption("USER_ENTERED").Do()
	require.NoError(t, err)
	for _, mask := range []string{
		"sheets(properties,data.rowData.values(userEnteredValue,effectiveValue))",
		"spreadsheetId,namedRanges,developerMetadata,sheets(properties,merges,protectedRanges,developerMetadata,data(startRow,startColumn,columnMetadata(pixelSize),rowData(values(userEnteredValue,effectiveValue,userEnteredFormat,dataValidation))))",
		"sheets/properties/title,sheets/data/rowData/values/formattedValue",
		"sheets.properties.sheetId, spreadsheetUrl",
		"*",
	} {
		t.Run(mask, func(t *testing.T) {
			got, err := api.Spreadsheets.Get(id).Ranges("Plan!A1:B2").Fields(googleapiField(mask)).Do()
			require.NoError(t, err)
			require.Len(t, got.Sheets, 1)
		})
	}
	got, err := api.Spreadsheets.Get(id).Ranges("Plan!A1:B2").Fields("sheets.data.rowData.values.effectiveValue").Do()
	require.NoError(t, err)
	cell := got.Sheets[0].Data[0].RowData[0].Values[1]
	assert.Nil(t, cell.UserEnteredValue)
	assert.Equal(t, 2.0, *cell.EffectiveValue.NumberValue)
	for _, bad := range []string{"sheets(", "sheets(properties", "sheets.nope", "nope", "sheets..x"} {
		_, err := api.Spreadsheets.Get(id).Fields(googleapiField(bad)).Do()
		apiErr(t, err, 400)
	}
}

func googleapiField(s string) googleapi.Field { return googleapi.Field(s) }
