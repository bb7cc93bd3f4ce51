// Package xlsxread reads the cells of an .xlsx workbook into a grid.Workbook,
// quickly and safely enough for files uploaded by anyone.
//
// It reads only what a harvest needs: sheet names and visibility, the date
// system, workbook-scoped defined names, merged ranges, cell values (numbers
// kept as the exact decimal text stored in the file, never through float64)
// and, on request, formulas. Styles (Cell.Style stays nil), column widths,
// comments, charts and the rest are not read, and the parts that hold them
// are never inflated. Every XML part is read with a small hand-written byte
// tokenizer rather than encoding/xml, so that reading costs little more than
// inflating the zip parts; the commonest cells and strings skip even that
// (fastCell, plainString), and a part is inflated in one go straight into
// its buffer (inflateWhole). Whatever those shortcuts do not take, the
// general path reads, and fuzz targets check that both read the same.
//
// Safety: the file is checked and refused early when it is not an .xlsx
// package (an encrypted or legacy OLE file, an .xlsb, something else), and
// every limit in Limits is enforced while reading: sizes are checked before
// a part is inflated and the inflated bytes are counted as they come (a part
// may never inflate to more than its header declares), XML with a DOCTYPE or
// entity declaration is refused (no entity is ever expanded), and cells,
// references, formulas and shared strings are bounded. At most one inflated
// part is held at a time besides the shared strings. Every failure is a
// *FileError whose Problem says what went wrong; malformed input never
// panics.
//
// Decisions worth knowing:
//   - A part that fails its CRC-32 check is refused as Damaged, naming the
//     part: its data cannot be trusted, and a damaged upload is better sent
//     again than half-read (some readers ignore the checksum; this one does
//     not). Go's archive/zip would also fail such a part, but only at its
//     end and with a vague error.
//   - Line ends inside text follow XML: a raw "\r\n" (or a lone "\r") in a
//     part reads as "\n", as in Excel and every XML parser. A carriage return
//     that is part of the value is written by Excel as "_x000D_" and reads as
//     "\r" (excelmac2016-crlf-strings shows both: a typed line break stored
//     as a raw CR LF, and the formula "abc"&CHAR(13)&CHAR(10)&"def" whose
//     result is cached as "abc_x000D_" + LF).
//   - The OOXML escape "_xHHHH_" is decoded in all cell text, shared strings
//     and formulas; "_x005F_x000D_" reads as the literal text "_x000D_".
//   - Phonetic guide runs (<rPh>) are not part of a string's text.
//   - Cells of type d (ISO 8601 date text, written by a few tools but never
//     by Excel) are converted to date serial numbers in the workbook's date
//     system, which is what Excel shows after loading them; text that is
//     not a valid ISO date is kept as a string.
//   - Booleans read as "TRUE"/"FALSE"; errors as their code ("#DIV/0!").
//   - Chartsheets, dialog sheets and macro sheets are listed in
//     Workbook.Sheets, in tab order with their visibility, but hold no
//     cells, so that sheet positions match what a person sees.
//   - Text is kept exactly (xml:space is accepted, but an XML reader never
//     trims text anyway); an empty string is an empty cell.
//   - A number that is not a plain decimal ("1.5E-3" is one, "INF" and
//     "12abc" are not) is refused as Malformed rather than guessed at.
package xlsxread

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"aop/engine/grid"
)

// maxPart is the largest MaxPartSize allowed: offsets into a part are
// 32-bit.
const maxPart = 1 << 30

// Options controls what Read reads and the limits it enforces.
type Options struct {
	// Limits bounds the work and memory a file may cost; zero fields take
	// the DefaultLimits values.
	Limits Limits
	// Sheets, if not nil, selects the sheets to parse by name; others are
	// listed in the workbook (name, visibility) but their cells are not
	// read.
	Sheets func(name string) bool
	// Formulas keeps formula text (shared formulas translated to each
	// follower cell). Off, only cached values are read (faster).
	Formulas bool
}

// Limits bounds what a file may cost to read. A file that exceeds one is
// refused with a TooLarge *FileError; a zero field means the default.
type Limits struct {
	// MaxFileSize is the largest file accepted, in bytes.
	MaxFileSize int64
	// MaxPartSize is the largest inflated size of one part (a worksheet,
	// the shared strings), in bytes; at most 1 GiB.
	MaxPartSize int64
	// MaxTotalSize is the largest inflated size of all parts read, in bytes;
	// it also bounds the text of shared formulas copied to their follower
	// cells (with Options.Formulas).
	MaxTotalSize int64
	// MaxEntries is the largest number of zip entries.
	MaxEntries int
	// MaxCells is the largest number of non-empty cells in all sheets read;
	// it also bounds the merged ranges and shared formulas of each sheet.
	MaxCells int
	// MaxSharedStrings is the largest number of shared strings.
	MaxSharedStrings int
	// MaxRatio is the largest inflated:compressed ratio of a part; parts
	// that inflate to 1 MiB or less are not checked.
	MaxRatio int
}

// DefaultLimits returns limits that let through every real workbook seen in
// testing with a wide margin (the largest real part, 57 MB of sheet XML,
// compresses 121:1) while refusing zip bombs: a 50 MiB file, 128 MiB per
// part, 256 MiB in all, 10,000 zip entries, 5,000,000 cells, 2,000,000
// shared strings and a 1000:1 compression ratio.
func DefaultLimits() Limits {
	return Limits{
		MaxFileSize:      50 << 20,
		MaxPartSize:      128 << 20,
		MaxTotalSize:     256 << 20,
		MaxEntries:       10000,
		MaxCells:         5000000,
		MaxSharedStrings: 2000000,
		MaxRatio:         1000,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxPartSize <= 0 {
		l.MaxPartSize = d.MaxPartSize
	}
	l.MaxPartSize = min(l.MaxPartSize, maxPart)
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxCells <= 0 {
		l.MaxCells = d.MaxCells
	}
	if l.MaxSharedStrings <= 0 {
		l.MaxSharedStrings = d.MaxSharedStrings
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

// ReadFile reads the .xlsx file at path. It checks the file's size before
// reading it and refuses one larger than Limits.MaxFileSize. Errors opening
// or reading the file are returned as the os package gives them; problems
// with its content are *FileError.
func ReadFile(ctx context.Context, path string, opts Options) (*grid.Workbook, error) {
	lim := opts.Limits.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("xlsxread: %s is not a regular file", path)
	}
	if st.Size() > lim.MaxFileSize {
		return nil, fail(TooLarge, "", "the file is %d bytes, more than the limit of %d", st.Size(), lim.MaxFileSize)
	}
	// The file may grow after Stat: never read more than the limit allows
	// (Read refuses the one byte too many).
	var buf bytes.Buffer
	buf.Grow(int(st.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, lim.MaxFileSize+1)); err != nil {
		return nil, err
	}
	return Read(ctx, buf.Bytes(), opts)
}

// Read reads an .xlsx workbook from its bytes. Sheets come in workbook (tab)
// order. It returns a *FileError when the file cannot be read, or the
// context's error once ctx is cancelled.
func Read(ctx context.Context, data []byte, opts Options) (*grid.Workbook, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts.Limits = opts.Limits.withDefaults()
	p, err := openPackage(ctx, data, opts.Limits)
	if err != nil {
		return nil, err
	}
	defer p.release()
	return p.readWorkbook(opts)
}

// sheetEntry is a sheet listed by workbook.xml.
type sheetEntry struct {
	sheet *grid.Sheet
	part  string // worksheet part, or "" for sheets without cells
	parse bool
}

func (p *pkg) readWorkbook(opts Options) (*grid.Workbook, error) {
	wbPart, err := p.officeDocument()
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(strings.ToLower(wbPart), ".bin") {
		return nil, &FileError{Problem: Unsupported, Part: wbPart,
			Err: errors.New("it is an Excel Binary Workbook (.xlsb)")}
	}
	f := p.file(wbPart)
	if f == nil {
		return nil, p.notWorkbook()
	}
	b, err := p.read(f, min(p.lim.MaxPartSize, maxMetaPart))
	if err != nil {
		return nil, err
	}
	x, err := parseWorkbook(p.ctx, b, wbPart)
	if err != nil {
		return nil, err
	}
	rels, err := p.readRels(wbPart)
	if err != nil {
		return nil, err
	}
	if len(x.sheets) > p.lim.MaxEntries {
		return nil, fail(TooLarge, wbPart, "the workbook lists %d sheets", len(x.sheets))
	}

	wb := grid.New()
	wb.Date1904 = x.date1904
	for _, n := range x.names {
		if n.local || n.name == "" || strings.HasPrefix(strings.ToLower(n.name), "_xlnm.") {
			continue
		}
		wb.AddName(n.name, n.formula)
	}

	entries := make([]sheetEntry, 0, len(x.sheets))
	seenName := make(map[string]bool, len(x.sheets))
	seenPart := make(map[string]bool, len(x.sheets))
	anyParse := false
	for _, xs := range x.sheets {
		if xs.name == "" {
			return nil, fail(Malformed, wbPart, "a sheet has no name")
		}
		if key := strings.ToLower(xs.name); seenName[key] {
			return nil, fail(Malformed, wbPart, "two sheets are named %q", clip([]byte(xs.name)))
		} else {
			seenName[key] = true
		}
		s := wb.AddSheet(xs.name)
		switch xs.state {
		case "hidden":
			s.Visibility = grid.Hidden
		case "veryHidden":
			s.Visibility = grid.VeryHidden
		}
		e := sheetEntry{sheet: s}
		r, ok := rels[xs.rid]
		if !ok {
			return nil, fail(Malformed, wbPart, "sheet %q refers to relationship %q, which does not exist", clip([]byte(xs.name)), clip([]byte(xs.rid)))
		}
		if r.kind == "worksheet" {
			key := partKey(r.target)
			if seenPart[key] {
				return nil, fail(Malformed, wbPart, "two sheets share the part %s", clip([]byte(r.target)))
			}
			seenPart[key] = true
			e.part = r.target
			e.parse = opts.Sheets == nil || opts.Sheets(xs.name)
			anyParse = anyParse || e.parse
		}
		entries = append(entries, e)
	}

	var sst []string
	if anyParse {
		if sst, err = p.readSharedStrings(rels, wbPart); err != nil {
			return nil, err
		}
	}
	cells := 0
	r := p.sheets
	if r == nil {
		r = &sheetReader{s: newScanner(p.ctx, nil, "")}
		p.sheets = r
	}
	r.s.ctx, r.s.done = p.ctx, p.ctx.Done()
	r.sst, r.formulas, r.date1904 = sst, opts.Formulas, wb.Date1904
	r.cells, r.maxCells = &cells, p.lim.MaxCells
	r.expand, r.maxExpand = p.lim.MaxTotalSize, p.lim.MaxTotalSize
	for _, e := range entries {
		if !e.parse {
			continue
		}
		f := p.file(e.part)
		if f == nil {
			return nil, fail(Malformed, e.part, "the part of sheet %q is missing", clip([]byte(e.sheet.Name)))
		}
		b, err := p.read(f, p.lim.MaxPartSize)
		if err != nil {
			return nil, err
		}
		if err := r.read(b, e.part, e.sheet); err != nil {
			return nil, err
		}
	}
	return wb, nil
}

// readSharedStrings reads the shared string table named by the workbook's
// relationships (or xl/sharedStrings.xml when no relationship names one).
func (p *pkg) readSharedStrings(rels map[string]rel, wbPart string) ([]string, error) {
	name := ""
	for _, r := range sortedRels(rels) {
		if r.kind == "sharedStrings" {
			name = r.target
			break
		}
	}
	if name == "" {
		name = "xl/sharedStrings.xml"
	}
	f := p.file(name)
	if f == nil {
		return nil, nil
	}
	b, err := p.read(f, p.lim.MaxPartSize)
	if err != nil {
		return nil, err
	}
	return parseSharedStrings(p.ctx, b, name, p.lim.MaxSharedStrings)
}
