package xlsxread

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// ratioFloor is the inflated size up to which a part's compression ratio is
// not checked: a part that small cannot hurt, and tiny repetitive parts
// legitimately compress well.
const ratioFloor = 1 << 20

// maxMetaPart bounds the small parts (relationships and workbook.xml);
// real ones are a few kilobytes.
const maxMetaPart = 16 << 20

// maxWholeInflate is the largest part inflated in one go (inflateWhole);
// larger ones are inflated in steps that look at the context between them.
const maxWholeInflate = 16 << 20

// cfbMagic starts every OLE compound file: legacy .xls/.doc files and
// password-encrypted OOXML packages.
const cfbMagic = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

// pkg is an opened .xlsx zip package.
type pkg struct {
	ctx   context.Context
	data  []byte // the whole file
	zr    *zip.Reader
	files map[string]*zip.File // by normalised name, see partKey
	lim   Limits
	total int64 // bytes inflated so far
	buf   []byte
	flate io.ReadCloser
	// sheets is the worksheet reader, whose buffers are kept for the next
	// file.
	sheets *sheetReader
	// inflater inflates whole parts; its tables are kept.
	inflater *inflater
}

// partKey normalises a zip entry or part name for lookup: backslashes become
// slashes (some writers use Windows separators), a leading slash is dropped
// and ASCII letters are lower-cased (OPC part names are case-insensitive).
func partKey(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = strings.TrimLeft(name, "/")
	return strings.ToLower(name)
}

// openPackage checks the file's kind and size and opens its zip directory.
func openPackage(ctx context.Context, data []byte, lim Limits) (*pkg, error) {
	if len(data) == 0 {
		return nil, &FileError{Problem: NotXLSX, Err: errors.New("the file is empty")}
	}
	if int64(len(data)) > lim.MaxFileSize {
		return nil, fail(TooLarge, "", "the file is %d bytes, more than the limit of %d", len(data), lim.MaxFileSize)
	}
	if bytes.HasPrefix(data, []byte(cfbMagic)) {
		return nil, classifyCFB(data)
	}
	if !bytes.HasPrefix(data, []byte("PK")) {
		return nil, &FileError{Problem: NotXLSX, Err: errors.New(sniff(data))}
	}
	if n, ok := declaredEntries(data); ok && n > uint64(lim.MaxEntries) {
		return nil, fail(TooLarge, "", "the zip declares %d entries, more than the limit of %d", n, lim.MaxEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, &FileError{Problem: Damaged, Err: err}
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, fail(TooLarge, "", "the zip has %d entries, more than the limit of %d", len(zr.File), lim.MaxEntries)
	}
	p := &pkg{ctx: ctx, data: data, zr: zr, lim: lim, files: make(map[string]*zip.File, len(zr.File))}
	if sp, ok := spares.Get().(*spare); ok {
		p.flate, p.buf, p.sheets, p.inflater = sp.flate, sp.buf, sp.sheets, sp.inflater
	}
	for _, f := range zr.File {
		k := partKey(f.Name)
		if _, dup := p.files[k]; !dup {
			p.files[k] = f
		}
	}
	return p, nil
}

// classifyCFB tells an encrypted OOXML package from a legacy binary file.
// Both are OLE compound files; an encrypted package holds the streams
// "EncryptionInfo" and "EncryptedPackage", whose names the directory
// stores in UTF-16LE. Looking for the names is enough to choose the advice:
// the file is refused either way.
func classifyCFB(data []byte) error {
	for _, name := range []string{"EncryptionInfo", "EncryptedPackage"} {
		if bytes.Contains(data, utf16le(name)) {
			return &FileError{Problem: Encrypted, Err: errors.New("the file is an encrypted OLE container")}
		}
	}
	return &FileError{Problem: LegacyFormat, Err: errors.New("the file is an OLE compound file, such as an Excel 97-2003 .xls, not an .xlsx zip package")}
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// sniff names what a non-zip file looks like, for the error detail.
func sniff(data []byte) string {
	head := data[:min(len(data), 512)]
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "it is a PDF document"
	case bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")):
		return "it is a UTF-16 text file"
	case bytes.HasPrefix(trimmed, []byte("<")):
		return "it is an XML or HTML file (perhaps an \"XML Spreadsheet 2003\" or a web page saved with an Excel name), not an .xlsx zip package"
	case bytes.HasPrefix(head, []byte("ID;P")):
		return "it is a SYLK file"
	case looksLikeText(head):
		return "it looks like a text or CSV file"
	}
	return "it is not a zip package"
}

func looksLikeText(b []byte) bool {
	if !utf8.Valid(b[:max(0, len(b)-3)]) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// declaredEntries reads the number of entries from the zip's end of central
// directory record (and its zip64 form), so that a file claiming too many
// entries is refused before archive/zip reads the directory.
func declaredEntries(data []byte) (uint64, bool) {
	const eocdLen = 22
	if len(data) < eocdLen {
		return 0, false
	}
	lo := max(0, len(data)-eocdLen-65535)
	i := bytes.LastIndex(data[lo:], []byte("PK\x05\x06"))
	if i < 0 {
		return 0, false
	}
	i += lo
	if i+eocdLen > len(data) {
		return 0, false
	}
	n := uint64(binary.LittleEndian.Uint16(data[i+10:]))
	if n != 0xffff {
		return n, true
	}
	// zip64: a locator sits just before the record and points at the zip64
	// end of central directory record, which holds the 64-bit count.
	loc := i - 20
	if loc < 0 || !bytes.HasPrefix(data[loc:], []byte("PK\x06\x07")) {
		return n, true
	}
	off := binary.LittleEndian.Uint64(data[loc+8:])
	if off > uint64(len(data)-56) || !bytes.HasPrefix(data[off:], []byte("PK\x06\x06")) {
		return n, true
	}
	return binary.LittleEndian.Uint64(data[off+32:]), true
}

// spares keeps what one read allocates for inflating and tokenizing
// between reads: an inflater (a 32 KiB window and its tables), the part
// buffer and the worksheet reader's buffers, which a harvest of many files
// need not allocate every time. Buffers larger than maxSpareBuf are left
// to the collector.
var spares sync.Pool

type spare struct {
	flate    io.ReadCloser
	buf      []byte
	sheets   *sheetReader
	inflater *inflater
}

const maxSpareBuf = 4 << 20

// release returns the package's inflater and buffers to the pool; nothing
// read from the package refers to them (cell text is copied out).
func (p *pkg) release() {
	if p.flate == nil && p.buf == nil && p.sheets == nil && p.inflater == nil {
		return
	}
	sp := &spare{flate: p.flate, sheets: p.sheets.spare(), inflater: p.inflater}
	if cap(p.buf) <= maxSpareBuf {
		sp.buf = p.buf[:0]
	}
	if sp.inflater != nil {
		sp.inflater.src = nil // the file's bytes are not kept
	}
	p.flate, p.buf, p.sheets, p.inflater = nil, nil, nil, nil
	spares.Put(sp)
}

// file returns the zip entry of a part name, or nil.
func (p *pkg) file(name string) *zip.File { return p.files[partKey(name)] }

// read inflates a part into the package's reusable buffer, which stays
// valid until the next call. It checks the declared sizes against the
// limits before inflating, counts the bytes while inflating (a part may
// never inflate to more than its header declares), and verifies the CRC-32
// recorded in the zip directory (a zero CRC counts as not recorded, as in
// archive/zip): a part that fails it is refused as Damaged, deliberately,
// since its data cannot be trusted.
func (p *pkg) read(f *zip.File, limit int64) ([]byte, error) {
	name := strings.ReplaceAll(f.Name, "\\", "/")
	declared := f.UncompressedSize64
	if declared > uint64(limit) {
		return nil, fail(TooLarge, name, "the part is %d bytes uncompressed, more than the limit of %d", declared, limit)
	}
	if uint64(p.total)+declared > uint64(p.lim.MaxTotalSize) {
		return nil, fail(TooLarge, name, "the parts read inflate to more than the limit of %d bytes", p.lim.MaxTotalSize)
	}
	if declared > ratioFloor && declared/max(f.CompressedSize64, 1) > uint64(p.lim.MaxRatio) {
		return nil, fail(TooLarge, name, "the part inflates %d times (%d to %d bytes), more than the limit of %d",
			declared/max(f.CompressedSize64, 1), f.CompressedSize64, declared, p.lim.MaxRatio)
	}
	// The compressed bytes are read straight from memory: a bytes.Reader is
	// an io.ByteReader, which spares flate a buffering layer.
	off, err := f.DataOffset()
	if err != nil {
		return nil, &FileError{Problem: Damaged, Part: name, Err: err}
	}
	if off < 0 || f.CompressedSize64 > uint64(len(p.data)) || off > int64(len(p.data))-int64(f.CompressedSize64) {
		return nil, fail(Damaged, name, "the part's data runs past the end of the file")
	}
	raw := bytes.NewReader(p.data[off : off+int64(f.CompressedSize64)])
	var r io.Reader
	switch f.Method {
	case zip.Store:
		r = raw
	case zip.Deflate:
		if p.flate == nil {
			p.flate = flate.NewReader(raw)
		} else if err := p.flate.(flate.Resetter).Reset(raw, nil); err != nil {
			return nil, &FileError{Problem: Damaged, Part: name, Err: err}
		}
		r = p.flate
	default:
		return nil, fail(Unsupported, name, "the part is compressed with method %d, which only some zip tools use", f.Method)
	}
	// Read at most one byte more than declared, to detect a part that
	// inflates to more than its header says. The buffer starts at what the
	// compressed size makes likely and grows with the data, so that a lying
	// header cannot make the reader allocate much more than it inflates.
	want := int(declared) + 1
	if cap(p.buf) < want {
		p.buf = make([]byte, 0, min(want, max(8*int(min(f.CompressedSize64, declared)), 64<<10)))
	}
	buf := p.buf[:cap(p.buf)]
	n, stalls := 0, 0
	if p.inflater == nil {
		p.inflater = &inflater{}
	}
	if f.Method == zip.Deflate && want <= len(buf) && declared <= maxWholeInflate &&
		p.inflater.inflate(buf[:declared], p.data[off:off+int64(f.CompressedSize64)]) {
		// The buffer held the whole part and it inflated in one go, its
		// final block ending exactly at the declared size. Otherwise the
		// loop inflates it the streaming way, which says what is wrong.
		n, want = int(declared), int(declared)
	}
	for n < want {
		if err := p.ctx.Err(); err != nil {
			return nil, err
		}
		if n == len(buf) {
			grown := make([]byte, min(want, 2*len(buf)))
			copy(grown, buf[:n])
			buf = grown
		}
		m, err := r.Read(buf[n:min(want, len(buf), n+1<<20)])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &FileError{Problem: Damaged, Part: name, Err: err}
		}
		if m == 0 {
			if stalls++; stalls > 100 {
				return nil, &FileError{Problem: Damaged, Part: name, Err: io.ErrNoProgress}
			}
		}
	}
	p.buf = buf[:0]
	if n > int(declared) {
		return nil, p.overflow(r, f, name, n, limit)
	}
	if n < int(declared) {
		return nil, fail(Damaged, name, "the part inflates to %d bytes, fewer than the %d its header declares", n, declared)
	}
	if f.CRC32 != 0 && crc32.ChecksumIEEE(buf[:n]) != f.CRC32 {
		return nil, fail(Damaged, name, "the part fails its CRC-32 check")
	}
	p.total += int64(n)
	return buf[:n], nil
}

// overflow handles a part that inflates to more than its header declares:
// either the file is damaged or the header lies to hide a zip bomb. The
// rest is inflated without being kept, and counted, up to the limits: past
// them the part is TooLarge, otherwise Damaged.
func (p *pkg) overflow(r io.Reader, f *zip.File, name string, n int, limit int64) error {
	bound := min(limit, p.lim.MaxTotalSize-p.total)
	if byRatio := int64(f.CompressedSize64) * int64(p.lim.MaxRatio); byRatio > ratioFloor {
		bound = min(bound, byRatio)
	}
	total := int64(n)
	sink := make([]byte, 32<<10)
	for stalls := 0; total <= bound; {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		m, err := r.Read(sink)
		total += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return &FileError{Problem: Damaged, Part: name, Err: err}
		}
		if m == 0 {
			if stalls++; stalls > 100 {
				return &FileError{Problem: Damaged, Part: name, Err: io.ErrNoProgress}
			}
		}
	}
	if total > bound {
		return fail(TooLarge, name, "the part inflates to more than %d bytes although its header declares %d (a zip bomb?)", bound, f.UncompressedSize64)
	}
	return fail(Damaged, name, "the part inflates to %d bytes, not the %d its header declares", total, f.UncompressedSize64)
}
