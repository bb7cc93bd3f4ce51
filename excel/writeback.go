package excel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"aop/engine/grid"
)

// WriteBackOptions controls WriteBack.
type WriteBackOptions struct {
	// HistoryDir receives a copy of the workbook as it was before the write,
	// named <base>-<timestamp><ext> (e.g. Sales-20261124T135000Z.xlsx, with
	// -2, -3, … added rather than overwriting a copy of the same second).
	// It is required, created when missing, and must not be the workbook's
	// own folder: pass a folder beside the department workbooks (DIR/history
	// for DIR/departments/*.xlsx), never among them.
	HistoryDir string
	// Now stamps the history copy and the new zip entries; zero means
	// time.Now().
	Now time.Time
	// After places the sheets that are added (not replaced) right after
	// this sheet, e.g. "Instructions"; empty places them first. A replaced
	// sheet always keeps its position. OrAfter, when the workbook has it,
	// is taken instead (the Actuals vs Plan tab goes after the Summary tab
	// when there is one, else after the instructions).
	After, OrAfter string
	// Replace lists the sheets that WriteBack may replace, e.g. "Summary".
	// A sheet to write whose name is taken by a sheet not in this list is
	// refused, so that a name clash never overwrites a department's input
	// sheet. Listing a name only allows replacing it: sheets are never
	// deleted.
	Replace []string
}

// writeBackFault, when set by a test, is called once the temporary file is
// written ("temp") and once the history copy is ("history", right before
// the rename), and fails the write when it returns an error.
var writeBackFault func(stage string) error

// WriteBack replaces (or adds) whole sheets of the existing workbook at path
// with the given grid sheets, leaving every other sheet (the department's
// inputs) exactly as it was.
//
// The workbook is edited as a package, not re-saved: the parts of the other
// sheets (cells, styles in use, validations, protection with its password
// hash, drawings, comments, …) are copied byte for byte, compressed data
// included. Only these parts change: the workbook part (its sheet list,
// the active and first tab, defined names local to a replaced sheet, which
// are dropped, and those of moved sheets, which are renumbered), its
// relationships, the content types, the styles part (the new sheets' cell
// formats are appended, reusing identical ones, so repeated write-backs do
// not grow it) and, when a sheet is replaced, the calculation chain, which
// is dropped for apps to rebuild. Parts used only by a replaced sheet are
// removed. docProps/app.xml, whose sheet list no app reads on open, is
// left as it was.
//
// The new sheets are written like Write writes them, protected with their
// grid.Protection (password hashed through the Writer's cache), and keep
// their own Visibility. The workbook's active tab stays on the sheet that
// was active (a replaced active sheet cannot become hidden). Only sheets
// are written: a grid sheet's formulas may use the workbook's defined
// names, but WriteBack adds none. Numbers are written as they are; in a
// workbook that uses the 1904 date system, date serials would show four
// years off.
//
// The write is atomic: the new workbook goes to a temporary file in the
// same folder, which is synced, and the previous file is copied into
// opts.HistoryDir (synced) before the temporary file is renamed over path.
// When anything fails, path is left untouched and neither the temporary
// file nor the history copy remains. WriteBacks to the same path within a
// process run one at a time; across processes the rename still keeps the
// file whole, but the last writer wins (an edit made by another process
// between the read and the rename is lost from path, though not from the
// history).
func (w *Writer) WriteBack(path string, sheets []*grid.Sheet, opts WriteBackOptions) error {
	abs, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("excel: write back %s: %w", path, err)
	}
	if abs, err = filepath.Abs(abs); err != nil {
		return fmt.Errorf("excel: write back %s: %w", path, err)
	}
	if err := checkHistoryDir(abs, opts.HistoryDir); err != nil {
		return fmt.Errorf("excel: write back %s: %w", path, err)
	}
	unlock := lockPath(abs)
	defer unlock()

	info, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("excel: write back %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("excel: write back %s: not a regular file", path)
	}
	orig, err := os.ReadFile(abs)
	if err != nil {
		return fmt.Errorf("excel: write back %s: %w", path, err)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	out, err := w.spliceSheets(orig, sheets, opts, now)
	if err != nil {
		return fmt.Errorf("excel: write back %s: %w", path, err)
	}
	if err := replaceWithHistory(abs, orig, out, info.Mode().Perm(), opts.HistoryDir, now); err != nil {
		return fmt.Errorf("excel: write back %s: %w", path, err)
	}
	return nil
}

// WriteBackBytes is WriteBack on a workbook held in memory: it returns the
// workbook with the sheets replaced or added, and leaves keeping the
// previous bytes to the caller (opts.HistoryDir is not used).
func (w *Writer) WriteBackBytes(orig []byte, sheets []*grid.Sheet, opts WriteBackOptions) ([]byte, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	out, err := w.spliceSheets(orig, sheets, opts, now)
	if err != nil {
		return nil, fmt.Errorf("excel: write back: %w", err)
	}
	return out, nil
}

// checkHistoryDir refuses a missing history folder and one that is the
// workbook's own folder.
func checkHistoryDir(workbook, historyDir string) error {
	if historyDir == "" {
		return errors.New("no history folder: WriteBackOptions.HistoryDir is required")
	}
	hist, err := filepath.Abs(historyDir)
	if err != nil {
		return err
	}
	dir := filepath.Dir(workbook)
	same := filepath.Clean(hist) == filepath.Clean(dir)
	if !same {
		hi, err1 := os.Stat(hist)
		di, err2 := os.Stat(dir)
		same = err1 == nil && err2 == nil && os.SameFile(hi, di)
	}
	if same {
		return fmt.Errorf("history folder %s is the workbook's own folder: pass a folder beside the workbooks, not among them", historyDir)
	}
	return nil
}

// pathLocks serialises WriteBacks to one file within the process.
var pathLocks = struct {
	sync.Mutex
	m map[string]*pathLock
}{m: make(map[string]*pathLock)}

type pathLock struct {
	sync.Mutex
	users int
}

// lockPath locks the file at an absolute path and returns the unlock.
func lockPath(p string) (unlock func()) {
	pathLocks.Lock()
	l := pathLocks.m[p]
	if l == nil {
		l = &pathLock{}
		pathLocks.m[p] = l
	}
	l.users++
	pathLocks.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		pathLocks.Lock()
		if l.users--; l.users == 0 {
			delete(pathLocks.m, p)
		}
		pathLocks.Unlock()
	}
}

// replaceWithHistory writes data to a synced temporary file beside path,
// copies orig into historyDir and renames the temporary file over path.
// On failure it removes what it created and leaves path alone.
func replaceWithHistory(path string, orig, data []byte, perm fs.FileMode, historyDir string, now time.Time) (err error) {
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	var history string
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
			if history != "" {
				_ = os.Remove(history)
			}
		}
	}()
	if err = writeSynced(tmp, data, perm); err != nil {
		return err
	}
	if err = fault("temp"); err != nil {
		return err
	}
	if history, err = writeHistory(historyDir, base, orig, perm, now); err != nil {
		return fmt.Errorf("history copy: %w", err)
	}
	if err = fault("history"); err != nil {
		return err
	}
	if err = os.Rename(tmpName, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

func fault(stage string) error {
	if writeBackFault == nil {
		return nil
	}
	return writeBackFault(stage)
}

// writeSynced writes data to f, sets its permissions, syncs and closes it.
func writeSynced(f *os.File, data []byte, perm fs.FileMode) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// writeHistory stores data as <base>-<timestamp><ext> in dir, adding -2,
// -3, … instead of overwriting an existing copy, and returns its path.
func writeHistory(dir, base string, data []byte, perm fs.FileMode, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext) + "-" + now.UTC().Format("20060102T150405Z")
	for n := 1; n <= 10000; n++ {
		name := stem
		if n > 1 {
			name += "-" + strconv.Itoa(n)
		}
		p := filepath.Join(dir, name+ext)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := writeSynced(f, data, perm); err != nil {
			_ = f.Close()
			_ = os.Remove(p)
			return "", err
		}
		syncDir(dir)
		return p, nil
	}
	return "", fmt.Errorf("too many history copies named %s in %s", stem, dir)
}

// syncDir makes renames and new entries in dir durable where the file
// system supports syncing a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
