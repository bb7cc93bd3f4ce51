package sheetstest

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"google.golang.org/api/sheets/v4"
)

// cellKey addresses a cell by zero-based row and column, as GridRange does.
type cellKey struct{ Row, Col int }

// sheetState is one tab of a spreadsheet. Cell data is never changed in
// place: a write stores a new *sheets.CellData, so a copy of the cells map is
// a copy of the sheet's contents (batchUpdate relies on that for atomicity).
type sheetState struct {
	Props     sheets.SheetProperties
	Cells     map[cellKey]*sheets.CellData
	Merges    []*sheets.GridRange
	Protected []*sheets.ProtectedRange
	Rows      map[int]*sheets.DimensionProperties
	Cols      map[int]*sheets.DimensionProperties
	Charts    []*sheets.EmbeddedChart
}

// metadataEntry is developer metadata with the Cloud project that created
// it (PROJECT visibility shows it to that project only).
type metadataEntry struct {
	M       *sheets.DeveloperMetadata
	Project string
}

// spreadsheetState is the content of a spreadsheet file.
type spreadsheetState struct {
	ID          string
	Props       sheets.SpreadsheetProperties
	Sheets      []*sheetState
	NamedRanges []*sheets.NamedRange
	Metadata    []*metadataEntry
	// version counts writes; the formula cache is valid for one version.
	version uint64
	calc    *calcCache
}

func (s *sheetState) rowCount() int { return int(s.Props.GridProperties.RowCount) }
func (s *sheetState) colCount() int { return int(s.Props.GridProperties.ColumnCount) }

// clone returns a copy of the spreadsheet that shares no mutable state with
// the original: cell data are shared (they are immutable), the rest is
// copied.
func (ss *spreadsheetState) clone() *spreadsheetState {
	c := &spreadsheetState{ID: ss.ID, version: ss.version}
	c.Props = cloneJSON(ss.Props)
	for _, sh := range ss.Sheets {
		c.Sheets = append(c.Sheets, sh.clone())
	}
	for _, nr := range ss.NamedRanges {
		c.NamedRanges = append(c.NamedRanges, cloneJSON(nr))
	}
	for _, m := range ss.Metadata {
		c.Metadata = append(c.Metadata, &metadataEntry{M: cloneJSON(m.M), Project: m.Project})
	}
	return c
}

func (s *sheetState) clone() *sheetState {
	c := &sheetState{
		Props: cloneJSON(s.Props),
		Cells: make(map[cellKey]*sheets.CellData, len(s.Cells)),
		Rows:  make(map[int]*sheets.DimensionProperties, len(s.Rows)),
		Cols:  make(map[int]*sheets.DimensionProperties, len(s.Cols)),
	}
	for k, v := range s.Cells {
		c.Cells[k] = v
	}
	for k, v := range s.Rows {
		c.Rows[k] = v
	}
	for k, v := range s.Cols {
		c.Cols[k] = v
	}
	for _, m := range s.Merges {
		c.Merges = append(c.Merges, cloneJSON(m))
	}
	for _, p := range s.Protected {
		c.Protected = append(c.Protected, cloneJSON(p))
	}
	for _, ch := range s.Charts {
		c.Charts = append(c.Charts, cloneJSON(ch))
	}
	return c
}

// cloneJSON deep-copies a value of the generated API types by a JSON round
// trip (they are plain data).
func cloneJSON[T any](v T) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func (ss *spreadsheetState) sheetByID(id int64) *sheetState {
	for _, sh := range ss.Sheets {
		if sh.Props.SheetId == id {
			return sh
		}
	}
	return nil
}

// sheetByTitle finds a sheet by title, exactly first and then without
// regard to case (Sheets matches titles in ranges case-insensitively).
func (ss *spreadsheetState) sheetByTitle(title string) *sheetState {
	for _, sh := range ss.Sheets {
		if sh.Props.Title == title {
			return sh
		}
	}
	for _, sh := range ss.Sheets {
		if strings.EqualFold(sh.Props.Title, title) {
			return sh
		}
	}
	return nil
}

// firstVisible is the sheet a range without a sheet name refers to.
func (ss *spreadsheetState) firstVisible() *sheetState {
	for _, sh := range ss.Sheets {
		if !sh.Props.Hidden {
			return sh
		}
	}
	if len(ss.Sheets) > 0 {
		return ss.Sheets[0]
	}
	return nil
}

func (ss *spreadsheetState) namedRange(name string) *sheets.NamedRange {
	for _, nr := range ss.NamedRanges {
		if strings.EqualFold(nr.Name, name) {
			return nr
		}
	}
	return nil
}

func (ss *spreadsheetState) namedRangeByID(id string) *sheets.NamedRange {
	for _, nr := range ss.NamedRanges {
		if nr.NamedRangeId == id {
			return nr
		}
	}
	return nil
}

// reindex renumbers sheet indexes after sheets were added, removed or
// moved.
func (ss *spreadsheetState) reindex() {
	for i, sh := range ss.Sheets {
		sh.Props.Index = int64(i)
	}
}

// touch marks the spreadsheet changed (the formula cache is dropped).
func (ss *spreadsheetState) touch() {
	ss.version++
	ss.calc = nil
}

func (ss *spreadsheetState) protectedByID(id int64) (*sheetState, int) {
	for _, sh := range ss.Sheets {
		for i, p := range sh.Protected {
			if p.ProtectedRangeId == id {
				return sh, i
			}
		}
	}
	return nil, -1
}

// Drive roles, weakest first.
var roleRank = map[string]int{
	"reader":        1,
	"commenter":     2,
	"writer":        3,
	"fileOrganizer": 4,
	"organizer":     5,
	"owner":         6,
}

const (
	mimeSpreadsheet = "application/vnd.google-apps.spreadsheet"
	mimeFolder      = "application/vnd.google-apps.folder"
)

// permission is one Drive sharing entry of a file.
type permission struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Role   string `json:"role"`
	Email  string `json:"emailAddress,omitempty"`
	Domain string `json:"domain,omitempty"`
}

// file is a Drive file: a spreadsheet, a folder or a shared drive's root.
type file struct {
	ID       string
	Name     string
	MimeType string
	Parents  []string
	// Owner is the owning user's email; empty for files in a shared drive,
	// which the drive owns.
	Owner    string
	DriveID  string
	Perms    []*permission
	Trashed  bool
	Created  time.Time
	Modified time.Time
	Sheet    *spreadsheetState
}

// sharedDrive is a shared drive: its members' roles apply to every file in
// it. Its id is also the id of its root folder.
type sharedDrive struct {
	ID      string
	Name    string
	Members map[string]string
}

func (f *file) permFor(email string) *permission {
	for _, p := range f.Perms {
		if p.Type == "user" || p.Type == "group" {
			if strings.EqualFold(p.Email, email) {
				return p
			}
		}
	}
	return nil
}

// roleOf is the strongest role a user has on a file: ownership, shared-drive
// membership, the file's own permissions and those of its folders.
func (s *Server) roleOf(email string, f *file) string {
	best := ""
	better := func(r string) {
		if roleRank[r] > roleRank[best] {
			best = r
		}
	}
	seen := map[string]bool{}
	for cur := f; cur != nil && !seen[cur.ID]; {
		seen[cur.ID] = true
		if cur.Owner != "" && strings.EqualFold(cur.Owner, email) {
			better("owner")
		}
		if cur.DriveID != "" {
			if d := s.st.Drives[cur.DriveID]; d != nil {
				for m, r := range d.Members {
					if strings.EqualFold(m, email) {
						better(r)
					}
				}
			}
		}
		for _, p := range cur.Perms {
			switch p.Type {
			case "user", "group":
				if strings.EqualFold(p.Email, email) {
					better(p.Role)
				}
			case "domain":
				if _, dom, ok := strings.Cut(email, "@"); ok && strings.EqualFold(dom, p.Domain) {
					better(p.Role)
				}
			case "anyone":
				better(p.Role)
			}
		}
		var next *file
		for _, pid := range cur.Parents {
			if pf := s.st.Files[pid]; pf != nil {
				next = pf
				break
			}
		}
		cur = next
	}
	return best
}

func canWrite(role string) bool { return roleRank[role] >= roleRank["writer"] }

// bypassesProtection reports whether the user owns the file outright; in a
// shared drive nobody does, since the drive owns its files.
func bypassesProtection(email string, f *file) bool {
	return f.DriveID == "" && f.Owner != "" && strings.EqualFold(f.Owner, email)
}

// canEditProtected reports whether a protected range lets the user edit
// it: warning-only protection lets everyone; otherwise only its editors
// (and the owner, checked by the caller).
func canEditProtected(p *sheets.ProtectedRange, email string) bool {
	if p.WarningOnly {
		return true
	}
	if p.Editors == nil {
		return false
	}
	if slices.ContainsFunc(p.Editors.Users, func(u string) bool { return strings.EqualFold(u, email) }) {
		return true
	}
	if slices.ContainsFunc(p.Editors.Groups, func(u string) bool { return strings.EqualFold(u, email) }) {
		return true
	}
	return false
}
