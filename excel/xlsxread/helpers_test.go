package xlsxread

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"aop/engine/grid"
)

// fixturesDir returns the shared real-world fixtures folder, skipping the
// test when it is missing (a developer without shared/), except in CI.
func fixturesDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures folder %s is missing: %v", dir, err)
		}
		t.Skipf("fixtures folder %s is missing (%v); skipping", dir, err)
	}
	return dir
}

// realFixture returns the path of one real-world .xlsx fixture.
func realFixture(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(fixturesDir(t, "xlsx-real"), name)
}

// readFixture reads a real fixture with the given options.
func readFixture(t testing.TB, name string, opts Options) *grid.Workbook {
	t.Helper()
	wb, err := ReadFile(context.Background(), realFixture(t, name), opts)
	require.NoError(t, err, name)
	return wb
}

// problemOf returns the Problem of a *FileError, or "".
func problemOf(err error) Problem {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe.Problem
	}
	return ""
}

// entry is one zip entry of a package built by a test.
type entry struct {
	name string
	body string
	// store writes the body uncompressed instead of deflated.
	store bool
	// method, when not zero, writes the body as is under that compression
	// method number (for methods archive/zip cannot write).
	method uint16
}

// buildZip writes entries into a zip.
func buildZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.method != 0 {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: e.method, CRC32: crc32.ChecksumIEEE([]byte(e.body)),
				CompressedSize64: uint64(len(e.body)), UncompressedSize64: uint64(len(e.body))})
			require.NoError(t, err)
			_, err = w.Write([]byte(e.body))
			require.NoError(t, err)
			continue
		}
		m := zip.Deflate
		if e.store {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: m})
		require.NoError(t, err)
		_, err = w.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

const (
	testRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	testWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	testWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
)

// sheetXML wraps sheetData content in a worksheet.
func sheetXML(data string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + data + `</sheetData></worksheet>`
}

// sstXML wraps <si> elements in a shared string table.
func sstXML(items string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + items + `</sst>`
}

// minimalXLSX builds a one-sheet workbook with the given worksheet XML and
// shared strings XML (omitted when empty).
func minimalXLSX(t testing.TB, sheet, sst string) []byte {
	t.Helper()
	entries := []entry{
		{name: "_rels/.rels", body: testRels},
		{name: "xl/workbook.xml", body: testWorkbook},
		{name: "xl/_rels/workbook.xml.rels", body: testWorkbookRels},
		{name: "xl/worksheets/sheet1.xml", body: sheet},
	}
	if sst != "" {
		entries = append(entries, entry{name: "xl/sharedStrings.xml", body: sst})
	}
	return buildZip(t, entries...)
}

// readSheet reads a one-sheet workbook built from sheet XML and shared
// strings and returns its sheet.
func readSheet(t testing.TB, sheet, sst string, opts Options) (*grid.Sheet, error) {
	t.Helper()
	wb, err := Read(context.Background(), minimalXLSX(t, sheet, sst), opts)
	if err != nil {
		return nil, err
	}
	return wb.Sheets[0], nil
}
