package xlsxread

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deflated compresses n zero bytes as tightly as flate can (about 1030:1).
func deflated(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		m := min(n, len(chunk))
		_, err := w.Write(chunk[:m])
		require.NoError(t, err)
		n -= m
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// rawPart is a zip entry written with explicit (possibly lying) header
// fields.
type rawPart struct {
	name       string
	compressed []byte
	method     uint16
	size       uint64 // declared uncompressed size
	crc        uint32
}

// packageWith builds a one-sheet workbook whose worksheet is the given raw
// entry.
func packageWith(t testing.TB, sheet rawPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []entry{
		{name: "_rels/.rels", body: testRels},
		{name: "xl/workbook.xml", body: testWorkbook},
		{name: "xl/_rels/workbook.xml.rels", body: testWorkbookRels},
	} {
		w, err := zw.Create(e.name)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.body))
		require.NoError(t, err)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: sheet.name, Method: sheet.method, CRC32: sheet.crc,
		CompressedSize64: uint64(len(sheet.compressed)), UncompressedSize64: sheet.size,
	})
	require.NoError(t, err)
	_, err = w.Write(sheet.compressed)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// hostileCase is a crafted file and the Problem it must be refused with
// ("" for files that must read).
type hostileCase struct {
	name string
	data []byte
	opts Options
	want Problem
}

// TestHostileFiles feeds crafted files; each must fail with the right
// Problem. BenchmarkHostileFiles measures how quickly.
func TestHostileFiles(t *testing.T) {
	for _, tt := range hostileCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(context.Background(), tt.data, tt.opts)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, problemOf(err), "%v", err)
			t.Logf("%v", err)
		})
	}
}

// BenchmarkHostileFiles reads each crafted file: a bomb or a deep nesting
// costs no more than a small file.
func BenchmarkHostileFiles(b *testing.B) {
	for _, tt := range hostileCases(b) {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				Read(context.Background(), tt.data, tt.opts)
			}
		})
	}
}

func hostileCases(t testing.TB) []hostileCase {
	const sheetPart = "xl/worksheets/sheet1.xml"
	bomb32 := deflated(t, 32<<20)
	bomb4 := deflated(t, 4<<20)
	goodSheet := []byte(sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`))
	var goodDeflated bytes.Buffer
	fw, _ := flate.NewWriter(&goodDeflated, flate.DefaultCompression)
	fw.Write(goodSheet)
	fw.Close()

	tooManyEntries := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := 0; i < 30; i++ {
			w, _ := zw.Create(fmt.Sprintf("f%d", i))
			w.Write([]byte("x"))
		}
		zw.Close()
		return buf.Bytes()
	}
	lyingEntryCount := func() []byte {
		data := minimalXLSX(t, string(goodSheet), "")
		i := bytes.LastIndex(data, []byte("PK\x05\x06"))
		binary.LittleEndian.PutUint16(data[i+8:], 60000)
		binary.LittleEndian.PutUint16(data[i+10:], 60000)
		return data
	}
	cfb := func(streams ...string) []byte {
		b := append([]byte(cfbMagic), make([]byte, 4096)...)
		for _, s := range streams {
			b = append(b, utf16le(s)...)
		}
		return b
	}
	billionLaughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`
	external := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	random[0] = 'x'

	return []hostileCase{
		{"empty file", nil, Options{}, NotXLSX},
		{"random bytes", random, Options{}, NotXLSX},
		{"text file", []byte("Line,Amount\nRent,100\n"), Options{}, NotXLSX},
		{"PDF", []byte("%PDF-1.7\n..."), Options{}, NotXLSX},
		{"HTML disguised as a workbook", []byte("<html><table><tr><td>1</td></tr></table></html>"), Options{}, NotXLSX},
		{"encrypted OOXML in CFB", cfb("EncryptionInfo", "EncryptedPackage"), Options{}, Encrypted},
		{"legacy xls in CFB", cfb("Workbook", "SummaryInformation"), Options{}, LegacyFormat},
		{"zip header only", []byte("PK\x03\x04"), Options{}, Damaged},
		{"file over the limit", minimalXLSX(t, string(goodSheet), ""), Options{Limits: Limits{MaxFileSize: 64}}, TooLarge},
		{"too many entries", tooManyEntries(), Options{Limits: Limits{MaxEntries: 20}}, TooLarge},
		{"entry count in the directory end lies", lyingEntryCount(), Options{}, TooLarge},
		{"bomb whose header lies about its size", packageWith(t, rawPart{name: sheetPart, compressed: bomb32, method: zip.Deflate, size: 1000}), Options{}, TooLarge},
		{"bomb whose header lies, small part limit", packageWith(t, rawPart{name: sheetPart, compressed: bomb4, method: zip.Deflate, size: 1000}), Options{Limits: Limits{MaxPartSize: 1 << 20}}, TooLarge},
		{"bomb by declared ratio", packageWith(t, rawPart{name: sheetPart, compressed: bomb32, method: zip.Deflate, size: 32 << 20}), Options{}, TooLarge},
		{"declared size over the part limit", packageWith(t, rawPart{name: sheetPart, compressed: bomb32, method: zip.Deflate, size: 200 << 20}), Options{}, TooLarge},
		{"declared 10 GiB", packageWith(t, rawPart{name: sheetPart, compressed: bomb32, method: zip.Deflate, size: 10 << 30}), Options{}, TooLarge},
		{"wrong CRC", packageWith(t, rawPart{name: sheetPart, compressed: goodDeflated.Bytes(), method: zip.Deflate, size: uint64(len(goodSheet)), crc: 0xdeadbeef}), Options{}, Damaged},
		{"shorter than declared", packageWith(t, rawPart{name: sheetPart, compressed: goodDeflated.Bytes(), method: zip.Deflate, size: uint64(len(goodSheet)) + 10, crc: crc32.ChecksumIEEE(goodSheet)}), Options{}, Damaged},
		{"longer than declared by a little", packageWith(t, rawPart{name: sheetPart, compressed: goodDeflated.Bytes(), method: zip.Deflate, size: uint64(len(goodSheet)) - 10, crc: crc32.ChecksumIEEE(goodSheet)}), Options{}, Damaged},
		{"corrupt deflate data", packageWith(t, rawPart{name: sheetPart, compressed: []byte("\xff\xff\xff\xff garbage"), method: zip.Deflate, size: 100, crc: 1}), Options{}, Damaged},
		{"billion laughs in a sheet", minimalXLSX(t, billionLaughs+`<worksheet><sheetData><row><c t="str"><v>&lol3;</v></c></row></sheetData></worksheet>`, ""), Options{}, Malformed},
		{"external entity in a sheet", minimalXLSX(t, external+`<worksheet><sheetData><row><c t="str"><v>&xxe;</v></c></row></sheetData></worksheet>`, ""), Options{}, Malformed},
		{"DOCTYPE in shared strings", minimalXLSX(t, string(goodSheet), billionLaughs+`<sst><si><t>&lol3;</t></si></sst>`), Options{}, Malformed},
		{"DOCTYPE in workbook.xml", buildZip(t,
			entry{name: "_rels/.rels", body: testRels},
			entry{name: "xl/workbook.xml", body: strings.Replace(testWorkbook, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, billionLaughs, 1)},
		), Options{}, Malformed},
		{"DOCTYPE in relationships", buildZip(t, entry{name: "_rels/.rels", body: external + `<Relationships/>`}), Options{}, Malformed},
		{"huge row number", minimalXLSX(t, sheetXML(`<row r="4294967297"><c><v>1</v></c></row>`), ""), Options{}, Malformed},
		{"cell count over the limit", minimalXLSX(t, sheetXML(strings.Repeat(`<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>`, 1000)), ""), Options{Limits: Limits{MaxCells: 2999}}, TooLarge},
		{"shared formula expansion", minimalXLSX(t, sheetXML(`<row r="1"><c r="A1"><f t="shared" ref="A1:A20000" si="0">`+strings.Repeat("A1+", 6000)+`1</f><v>1</v></c></row>`+
			strings.Repeat(`<row><c><f t="shared" si="0"/><v>1</v></c></row>`, 20000)), ""), Options{Formulas: true, Limits: Limits{MaxTotalSize: 4 << 20}}, TooLarge},
		{"formula longer than Excel allows", minimalXLSX(t, sheetXML(`<row r="1"><c r="A1"><f>`+strings.Repeat("A1+", 10000)+`1</f><v>1</v></c></row>`), ""), Options{Formulas: true}, Malformed},
		{"deep nesting", minimalXLSX(t, `<worksheet>`+strings.Repeat("<a>", 200000)+strings.Repeat("</a>", 200000)+`</worksheet>`, ""), Options{}, ""},
		{"deep nesting unclosed", minimalXLSX(t, `<worksheet>`+strings.Repeat("<a>", 200000), ""), Options{}, Malformed},
	}
}

// TestTruncatedFiles cuts real files at several offsets: every cut must be
// refused as Damaged (or NotXLSX when too little is left to be a zip).
func TestTruncatedFiles(t *testing.T) {
	for _, name := range []string{"excel2013-hidden-sheets.xlsx", "excelmac2011-richtext-stress.xlsx"} {
		data, err := os.ReadFile(realFixture(t, name))
		require.NoError(t, err)
		n := len(data)
		for _, cut := range []int{1, 2, 3, 4, 30, 100, n / 4, n / 2, 3 * n / 4, n - 200, n - 100, n - 22, n - 10, n - 1} {
			t.Run(fmt.Sprintf("%s/%d", name, cut), func(t *testing.T) {
				_, err := Read(context.Background(), data[:cut], Options{Formulas: true})
				require.Error(t, err)
				want := Damaged
				if cut < 2 {
					want = NotXLSX
				}
				assert.Equal(t, want, problemOf(err), "%v", err)
			})
		}
	}
}
