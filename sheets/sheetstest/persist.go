package sheetstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"google.golang.org/api/sheets/v4"
)

// savedState is the JSON form of the state in Options.File.
type savedState struct {
	Format  string                  `json:"format"`
	Seed    int64                   `json:"seed"`
	Counter uint64                  `json:"counter"`
	Secret  []byte                  `json:"secret"`
	Keys    map[string]*issuedKey   `json:"keys"`
	Drives  map[string]*sharedDrive `json:"drives"`
	Files   []*savedFile            `json:"files"`
}

const stateFormat = "aop-sheetstest/1"

type savedFile struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	MimeType    string            `json:"mimeType"`
	Parents     []string          `json:"parents,omitempty"`
	Owner       string            `json:"owner,omitempty"`
	DriveID     string            `json:"driveId,omitempty"`
	Perms       []*permission     `json:"permissions,omitempty"`
	Trashed     bool              `json:"trashed,omitempty"`
	Created     time.Time         `json:"created"`
	Modified    time.Time         `json:"modified"`
	Spreadsheet *savedSpreadsheet `json:"spreadsheet,omitempty"`
}

type savedSpreadsheet struct {
	Properties  sheets.SpreadsheetProperties `json:"properties"`
	Sheets      []*savedSheet                `json:"sheets"`
	NamedRanges []*sheets.NamedRange         `json:"namedRanges,omitempty"`
	Metadata    []*savedMetadata             `json:"developerMetadata,omitempty"`
}

type savedMetadata struct {
	Metadata *sheets.DeveloperMetadata `json:"metadata"`
	Project  string                    `json:"project"`
}

type savedSheet struct {
	Properties sheets.SheetProperties              `json:"properties"`
	Cells      []savedCell                         `json:"cells,omitempty"`
	Merges     []*sheets.GridRange                 `json:"merges,omitempty"`
	Protected  []*sheets.ProtectedRange            `json:"protectedRanges,omitempty"`
	Rows       map[int]*sheets.DimensionProperties `json:"rows,omitempty"`
	Cols       map[int]*sheets.DimensionProperties `json:"columns,omitempty"`
	Charts     []*sheets.EmbeddedChart             `json:"charts,omitempty"`
}

type savedCell struct {
	Row  int              `json:"r"`
	Col  int              `json:"c"`
	Cell *sheets.CellData `json:"cell"`
}

func (s *Server) snapshot() *savedState {
	st := s.st
	out := &savedState{Format: stateFormat, Seed: st.Seed, Counter: st.Counter, Secret: st.Secret, Keys: st.Keys, Drives: st.Drives}
	ids := make([]string, 0, len(st.Files))
	for id := range st.Files {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		f := st.Files[id]
		sf := &savedFile{ID: f.ID, Name: f.Name, MimeType: f.MimeType, Parents: f.Parents, Owner: f.Owner, DriveID: f.DriveID,
			Perms: f.Perms, Trashed: f.Trashed, Created: f.Created, Modified: f.Modified}
		if ss := f.Sheet; ss != nil {
			sp := &savedSpreadsheet{Properties: ss.Props, NamedRanges: ss.NamedRanges}
			for _, m := range ss.Metadata {
				sp.Metadata = append(sp.Metadata, &savedMetadata{Metadata: m.M, Project: m.Project})
			}
			for _, sh := range ss.Sheets {
				ssh := &savedSheet{Properties: sh.Props, Merges: sh.Merges, Protected: sh.Protected, Rows: sh.Rows, Cols: sh.Cols, Charts: sh.Charts}
				for k, cd := range sh.Cells {
					ssh.Cells = append(ssh.Cells, savedCell{Row: k.Row, Col: k.Col, Cell: cd})
				}
				sort.Slice(ssh.Cells, func(i, j int) bool {
					a, b := ssh.Cells[i], ssh.Cells[j]
					if a.Row != b.Row {
						return a.Row < b.Row
					}
					return a.Col < b.Col
				})
				sp.Sheets = append(sp.Sheets, ssh)
			}
			sf.Spreadsheet = sp
		}
		out.Files = append(out.Files, sf)
	}
	return out
}

func restore(saved *savedState) (*state, error) {
	if saved.Format != stateFormat {
		return nil, fmt.Errorf("sheetstest: state file format %q, want %q", saved.Format, stateFormat)
	}
	st := &state{Files: map[string]*file{}, Drives: saved.Drives, Keys: saved.Keys, Secret: saved.Secret, Seed: saved.Seed, Counter: saved.Counter}
	if st.Drives == nil {
		st.Drives = map[string]*sharedDrive{}
	}
	if st.Keys == nil {
		st.Keys = map[string]*issuedKey{}
	}
	for _, sf := range saved.Files {
		f := &file{ID: sf.ID, Name: sf.Name, MimeType: sf.MimeType, Parents: sf.Parents, Owner: sf.Owner, DriveID: sf.DriveID,
			Perms: sf.Perms, Trashed: sf.Trashed, Created: sf.Created, Modified: sf.Modified}
		if sp := sf.Spreadsheet; sp != nil {
			ss := &spreadsheetState{ID: sf.ID, Props: sp.Properties, NamedRanges: sp.NamedRanges}
			for _, m := range sp.Metadata {
				ss.Metadata = append(ss.Metadata, &metadataEntry{M: m.Metadata, Project: m.Project})
			}
			for _, ssh := range sp.Sheets {
				sh := newSheet(&ssh.Properties)
				sh.Merges, sh.Protected, sh.Charts = ssh.Merges, ssh.Protected, ssh.Charts
				if ssh.Rows != nil {
					sh.Rows = ssh.Rows
				}
				if ssh.Cols != nil {
					sh.Cols = ssh.Cols
				}
				for _, c := range ssh.Cells {
					sh.Cells[cellKey{c.Row, c.Col}] = c.Cell
				}
				ss.Sheets = append(ss.Sheets, sh)
			}
			ss.reindex()
			f.Sheet = ss
		}
		st.Files[f.ID] = f
	}
	return st, nil
}

// load reads Options.File when it exists.
func (s *Server) load() error {
	b, err := os.ReadFile(s.opts.File)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var saved savedState
	if err := json.Unmarshal(b, &saved); err != nil {
		return fmt.Errorf("sheetstest: %s: %w", s.opts.File, err)
	}
	st, err := restore(&saved)
	if err != nil {
		return err
	}
	s.st = st
	return nil
}

// saveLocked writes the state atomically: a temporary file in the same
// directory, then a rename over the old one.
func (s *Server) saveLocked() error {
	b, err := json.Marshal(s.snapshot())
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.opts.File)
	tmp, err := os.CreateTemp(dir, ".sheetstest-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.opts.File)
}

// Save writes the state to Options.File now.
func (s *Server) Save() error {
	if s.opts.File == "" {
		return errors.New("sheetstest: no state file configured")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked()
}
