package sheetstest

import (
	"net/http"
	"strings"
	"testing"

	"google.golang.org/api/sheets/v4"
)

// FuzzParseA1 checks that any range text parses or is refused without
// panicking, and that a range the emulator echoes reads back as itself.
func FuzzParseA1(f *testing.F) {
	for _, s := range []string{"Sheet1!A1:B2", "'O''Brien Dept'!A1:C3", "A:A", "1:2", "A5:A", "'My Sheet'", "Amounts", "ZZZ9999999", "'", "!", "A1:"} {
		f.Add(s)
	}
	ss := newSpreadsheet("fuzz", "fuzz")
	ss.Sheets = append(ss.Sheets, newSheet(&sheets.SheetProperties{SheetId: 1, Title: "O'Brien Dept"}))
	ss.NamedRanges = append(ss.NamedRanges, &sheets.NamedRange{NamedRangeId: "n", Name: "Amounts", Range: &sheets.GridRange{EndRowIndex: 3}})
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := parseA1(s); err != nil {
			return
		}
		r, err := resolveA1(ss, s, true)
		if err != nil {
			return
		}
		echo := formatA1(r.Sheet.Props.Title, r.Rect)
		again, err := resolveA1(ss, echo, true)
		if err != nil {
			t.Fatalf("%q echoed as %q, which does not parse: %v", s, echo, err)
		}
		if again.Sheet != r.Sheet || again.Rect != r.Rect {
			t.Fatalf("%q echoed as %q, which reads back as %v, not %v", s, echo, again.Rect, r.Rect)
		}
	})
}

// FuzzRequestBody sends arbitrary bodies to the write methods: the
// emulator answers every one with a status Google would use, never a
// panic (a 500 from the emulator's recovery).
func FuzzRequestBody(f *testing.F) {
	for _, s := range []string{
		`{"requests":[{"addSheet":{"properties":{"title":"x","sheetId":5}}}]}`,
		`{"requests":[{"updateCells":{"start":{"sheetId":0},"fields":"*","rows":[{"values":[{"userEnteredValue":{"formulaValue":"=A1"}}]}]}}]}`,
		`{"requests":[{"repeatCell":{"range":{"endRowIndex":3},"cell":{"userEnteredValue":{"formulaValue":"=B1+$C$1"}},"fields":"userEnteredValue"}}]}`,
		`{"valueInputOption":"USER_ENTERED","data":[{"range":"Sheet1!A1","values":[["=1/0","12%",true,null]]}]}`,
		`{"requests":[{"mergeCells":{"range":{"endRowIndex":2,"endColumnIndex":2},"mergeType":"MERGE_ALL"}}]}`,
		`{"requests":[{"setDataValidation":{"range":{"endRowIndex":2},"rule":{"condition":{"type":"ONE_OF_LIST","values":[{"userEnteredValue":"a"}]}}}}]}`,
		`{"dataFilters":[{"developerMetadataLookup":{"metadataKey":"k"}}]}`,
		`[]`, `{"requests":null}`, `{"requests":[{}]}`,
	} {
		f.Add(s)
	}
	s := MustNew(Options{Quotas: &Quotas{}, MaxBodyBytes: 1 << 16})
	ss, err := sheetsFor(f, s, finance).Spreadsheets.Create(&sheets.Spreadsheet{}).Do()
	if err != nil {
		f.Fatal(err)
	}
	client := s.ClientFor(finance)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{":batchUpdate", "/values:batchUpdate", "/values:batchGetByDataFilter", "/developerMetadata:search", "/values/Sheet1!A1:C3:append?valueInputOption=USER_ENTERED"} {
			resp, err := client.Post("http://emulator/v4/spreadsheets/"+ss.SpreadsheetId+path, "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= http.StatusInternalServerError {
				t.Fatalf("%s: status %d for %q", path, resp.StatusCode, body)
			}
		}
	})
}

// FuzzQueryAndMask feeds arbitrary text to the two small parsers of query
// parameters: Drive's q and the fields partial-response mask.
func FuzzQueryAndMask(f *testing.F) {
	for _, s := range []string{
		"'0AB' in parents and trashed = false",
		"name = 'O\\'Neil' or (mimeType != 'x' and not name contains 'y')",
		"sheets(properties(sheetId,title),data.rowData.values(userEnteredValue))",
		"files(id,name),nextPageToken", "*", "a/b/c", "((", "'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if q, err := parseDriveQuery(s); err == nil && q != nil {
			c := &call{user: identity{Email: "a@b.c"}}
			q.match(c, &file{ID: "x", Name: s, Owner: "a@b.c"})
		}
		if m, err := parseFieldsMask(s); err == nil {
			m.prune(map[string]any{"a": []any{map[string]any{"b": 1}}, "files": []any{}})
			m.selects("sheets", "data")
		}
	})
}
