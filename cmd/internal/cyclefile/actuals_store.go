package cyclefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"aop/engine/actuals"
)

// The actuals a cycle has imported are kept in a folder (by default
// "actuals" beside the cycle file), one JSON file per period named after
// it ("FY2027-P03.json", "FY2022.json"). Importing a period again replaces
// its file and moves the earlier one into the folder's history/ with the
// time of its replacement, so no import is ever lost.

// ActualsRecord is one period's stored actuals with where they came from.
type ActualsRecord struct {
	// Cycle is the cycle's id; a folder holds the actuals of one cycle.
	Cycle      string    `json:"cycle"`
	ImportedAt time.Time `json:"imported_at"`
	// Sources names the files (and their mappings) the period came from.
	Sources []ActualsSource `json:"sources"`
	*actuals.Set
}

// ActualsSource is a file an import read.
type ActualsSource struct {
	File    string `json:"file"`
	Sheet   string `json:"sheet,omitempty"`
	Mapping string `json:"mapping"`
	Rows    int    `json:"rows"`
	// Kept marks a source of an earlier import whose amounts or indicators
	// a later import of the same period kept.
	Kept bool `json:"kept,omitempty"`
}

// DefaultActualsDir returns the folder a cycle's actuals are kept in when
// none is given: "actuals" beside the cycle file.
func DefaultActualsDir(cyclePath string) string {
	return filepath.Join(filepath.Dir(cyclePath), "actuals")
}

// MaxActualsFileSize is the largest stored period file LoadActuals reads.
const MaxActualsFileSize = 256 << 20

// SaveActuals writes a period's actuals into dir, replacing the period's
// current file; the replaced file is moved to dir/history and its new path
// returned ("" when the period is new). The file is written under a
// temporary name and renamed, so a reader never sees half of it.
func SaveActuals(dir string, rec ActualsRecord) (replaced string, err error) {
	if rec.Set == nil {
		return "", errors.New("no actuals to save")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot create the actuals folder: %w", err)
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return "", err
	}
	name := rec.Period.String()
	path := filepath.Join(dir, name+".json")
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("cannot write the actuals of %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return "", fmt.Errorf("cannot write the actuals of %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("cannot write the actuals of %s: %w", name, err)
	}
	if _, err := os.Stat(path); err == nil {
		hist := filepath.Join(dir, "history")
		if err := os.MkdirAll(hist, 0o755); err != nil {
			return "", fmt.Errorf("cannot create the actuals history folder: %w", err)
		}
		stamp := rec.ImportedAt.UTC().Format("20060102T150405.000Z")
		replaced = filepath.Join(hist, name+"."+stamp+".json")
		for n := 2; fileExists(replaced); n++ {
			replaced = filepath.Join(hist, fmt.Sprintf("%s.%s-%d.json", name, stamp, n))
		}
		if err := os.Rename(path, replaced); err != nil {
			return "", fmt.Errorf("cannot keep the earlier actuals of %s in history: %w", name, err)
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return replaced, fmt.Errorf("cannot write the actuals of %s: %w", name, err)
	}
	return replaced, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// LoadActuals reads the current actuals of a cycle from dir (not its
// history): a missing folder is an empty book. A file of another cycle, or
// one whose name is not the period it holds, is refused.
func LoadActuals(dir, cycleID string) (*actuals.Book, []ActualsRecord, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return actuals.NewBook(), nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the actuals folder: %w", err)
	}
	var recs []ActualsRecord
	var sets []*actuals.Set
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		p, err := actuals.ParsePeriod(name)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: the file's name is not a period such as FY2027-P03.json; move it out of the actuals folder", path)
		}
		if info, err := e.Info(); err == nil && info.Size() > MaxActualsFileSize {
			return nil, nil, fmt.Errorf("%s: larger than %d MiB", path, MaxActualsFileSize>>20)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		var rec ActualsRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		switch {
		case rec.Set == nil:
			return nil, nil, fmt.Errorf("%s: holds no actuals", path)
		case rec.Cycle != cycleID:
			return nil, nil, fmt.Errorf("%s: holds actuals of cycle %q, not %q; keep each cycle's actuals in its own folder", path, rec.Cycle, cycleID)
		case rec.Period != p:
			return nil, nil, fmt.Errorf("%s: holds the actuals of %s; name it %s.json", path, rec.Period, rec.Period)
		}
		recs = append(recs, rec)
		sets = append(sets, rec.Set)
	}
	slices.SortFunc(recs, func(a, b ActualsRecord) int { return actuals.Compare(a.Period, b.Period) })
	return actuals.NewBook(sets...), recs, nil
}
