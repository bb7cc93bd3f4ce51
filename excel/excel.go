// Package excel is the .xlsx driver: it writes grid workbooks with excelize
// and reads the files it wrote back into grids.
//
// Formulas are written together with their cached results (grid.Cell.Value),
// so apps that do not recalculate on load (LibreOffice with its default
// settings, PDF converters, quick-look viewers) show the engine's numbers.
// Sheet passwords are stored as salted SHA-512 hashes; a Writer caches the
// hash of each password so that writing many workbooks hashes it only once.
package excel

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"aop/engine/grid"
)

// Writer writes grid workbooks as .xlsx files. The zero Writer is ready to
// use and safe for concurrent use; reuse one Writer for many workbooks so
// that each sheet password is hashed once, not once per sheet.
type Writer struct {
	mu     sync.Mutex
	hashes map[string]*passwordHash
	// flaters pools deflate compressors across parts and workbooks.
	flaters sync.Pool
}

// NewWriter returns a Writer with an empty password-hash cache.
func NewWriter() *Writer { return &Writer{} }

// Write writes wb as an .xlsx file to out. Nothing is written to out when
// the workbook cannot be built.
func (w *Writer) Write(out io.Writer, wb *grid.Workbook) error {
	var buf bytes.Buffer
	if err := w.writeTo(&buf, wb); err != nil {
		return err
	}
	if _, err := buf.WriteTo(out); err != nil {
		return fmt.Errorf("excel: write workbook: %w", err)
	}
	return nil
}

// WriteFile writes wb as an .xlsx file at path. It writes a temporary file in
// the same directory, syncs it and renames it over path, so path never holds
// a half-written workbook.
func (w *Writer) WriteFile(path string, wb *grid.Workbook) (err error) {
	var buf bytes.Buffer
	if err := w.writeTo(&buf, wb); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("excel: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = buf.WriteTo(tmp); err != nil {
		return fmt.Errorf("excel: write %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("excel: write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("excel: sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("excel: close %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("excel: rename into %s: %w", path, err)
	}
	// Make the rename durable; some file systems cannot sync a directory,
	// and the file itself is complete either way.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Write writes wb as an .xlsx file to out with a fresh Writer. Use a shared
// Writer when writing many workbooks with sheet passwords.
func Write(out io.Writer, wb *grid.Workbook) error { return new(Writer).Write(out, wb) }

// WriteFile atomically writes wb as an .xlsx file at path with a fresh
// Writer. Use a shared Writer when writing many workbooks with sheet
// passwords.
func WriteFile(path string, wb *grid.Workbook) error { return new(Writer).WriteFile(path, wb) }
