package excel

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// spinCount is the number of SHA-512 rounds of a sheet password hash; Excel
// writes 100000.
const spinCount = 100000

// passwordHash is the salted SHA-512 hash of one sheet password, computed
// once per Writer.
type passwordHash struct {
	once       sync.Once
	salt, hash string // base64
	err        error
}

// attrs returns the sheetProtection attributes that carry the hash.
func (p *passwordHash) attrs() string {
	return fmt.Sprintf(` algorithmName="SHA-512" hashValue="%s" saltValue="%s" spinCount="%d"`, p.hash, p.salt, spinCount)
}

// passwordHash returns the cached hash of password, computing it with a new
// random salt on first use. Excelize's ProtectSheet would hash with a fresh
// salt on every call, which costs ~85 ms per protected sheet.
func (w *Writer) passwordHash(password string) (*passwordHash, error) {
	w.mu.Lock()
	if w.hashes == nil {
		w.hashes = make(map[string]*passwordHash)
	}
	h, ok := w.hashes[password]
	if !ok {
		h = &passwordHash{}
		w.hashes[password] = h
	}
	w.mu.Unlock()
	h.once.Do(func() {
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			h.err = fmt.Errorf("password salt: %w", err)
			return
		}
		h.salt = base64.StdEncoding.EncodeToString(salt)
		h.hash = base64.StdEncoding.EncodeToString(hashPassword(password, salt, spinCount))
	})
	return h, h.err
}

// hashPassword is the ISO/IEC 29500 password hash with SHA-512: the hash of
// salt and the UTF-16LE password, rehashed spins times with the round number
// appended as a little-endian uint32.
func hashPassword(password string, salt []byte, spins int) []byte {
	units := utf16.Encode([]rune(password))
	b := make([]byte, 0, len(salt)+2*len(units))
	b = append(b, salt...)
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	sum := sha512.Sum512(b)
	var buf [sha512.Size + 4]byte
	for i := 0; i < spins; i++ {
		copy(buf[:], sum[:])
		binary.LittleEndian.PutUint32(buf[sha512.Size:], uint32(i))
		sum = sha512.Sum512(buf[:])
	}
	return sum[:]
}

// partEdit rewrites one part of the package as excelize writes it.
type partEdit func(part []byte) ([]byte, error)

// zipRewriter is the zip writer handed to excelize: it passes parts through
// to a zip.Writer, except parts with an edit, which it buffers, rewrites and
// then writes. Excelize cannot set a precomputed password hash or a literal
// chart series name, so the driver fixes those parts here.
type zipRewriter struct {
	zw       *zip.Writer
	edits    map[string]partEdit
	editFor  func(name string) partEdit // edits matched by name pattern
	done     map[string]bool
	pending  string
	pendingE partEdit
	buf      bytes.Buffer
}

// newZipRewriter returns a zipRewriter writing to w. It deflates at
// BestSpeed: about a third of the writing time at the default level, for
// files a little larger.
func newZipRewriter(w io.Writer, pool *sync.Pool, edits map[string]partEdit, editFor func(string) partEdit) *zipRewriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fw, ok := pool.Get().(*flate.Writer); ok {
			fw.Reset(out)
			return &pooledFlate{Writer: fw, pool: pool}, nil
		}
		fw, err := flate.NewWriter(out, flate.BestSpeed)
		if err != nil {
			return nil, err
		}
		return &pooledFlate{Writer: fw, pool: pool}, nil
	})
	return &zipRewriter{zw: zw, edits: edits, editFor: editFor, done: make(map[string]bool)}
}

// pooledFlate returns its compressor, which costs about 1 MB to allocate,
// to the Writer's pool when the zip entry is closed.
type pooledFlate struct {
	*flate.Writer
	pool *sync.Pool
}

func (p *pooledFlate) Close() error {
	err := p.Writer.Close()
	p.pool.Put(p.Writer)
	return err
}

// Create starts a part.
func (z *zipRewriter) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	e := z.edits[name]
	if e == nil && z.editFor != nil {
		e = z.editFor(name)
	}
	if e == nil {
		return z.zw.Create(name)
	}
	z.pending, z.pendingE = name, e
	z.buf.Reset()
	return &z.buf, nil
}

// AddFS adds the files of fsys.
func (z *zipRewriter) AddFS(fsys fs.FS) error {
	if err := z.finish(); err != nil {
		return err
	}
	return z.zw.AddFS(fsys)
}

// Close writes the last part and the zip directory. It fails when a part
// that needed an edit was never written.
func (z *zipRewriter) Close() error {
	if err := z.finish(); err != nil {
		return err
	}
	var missing []string
	for name := range z.edits {
		if !z.done[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("parts %s were not written", strings.Join(missing, ", "))
	}
	return z.zw.Close()
}

func (z *zipRewriter) finish() error {
	if z.pending == "" {
		return nil
	}
	name, e := z.pending, z.pendingE
	z.pending, z.pendingE = "", nil
	out, err := e(z.buf.Bytes())
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", name, err)
	}
	fw, err := z.zw.Create(name)
	if err != nil {
		return err
	}
	if _, err := fw.Write(out); err != nil {
		return err
	}
	z.done[name] = true
	return nil
}

// insertProtectionHash adds the password hash attributes to the sheet's
// single sheetProtection element.
func insertProtectionHash(attrs string) partEdit {
	return func(part []byte) ([]byte, error) {
		const tag = "<sheetProtection"
		i := bytes.Index(part, []byte(tag))
		if i < 0 || bytes.Contains(part[i+len(tag):], []byte(tag)) {
			return nil, fmt.Errorf("want exactly one %s element", tag)
		}
		i += len(tag)
		if bytes.HasPrefix(part[i:], []byte(" algorithmName=")) || bytes.Contains(part[i:min(len(part), i+512)], []byte("hashValue=")) {
			return nil, fmt.Errorf("sheetProtection already has a password hash")
		}
		out := make([]byte, 0, len(part)+len(attrs))
		out = append(out, part[:i]...)
		out = append(out, attrs...)
		return append(out, part[i:]...), nil
	}
}

// protectionOptions are the locks of a protected sheet: users may select
// any cell and resize columns, nothing else but editing unlocked cells.
func protectionOptions() *excelize.SheetProtectionOptions {
	return &excelize.SheetProtectionOptions{
		SelectLockedCells:   true,
		SelectUnlockedCells: true,
		FormatColumns:       true,
	}
}
