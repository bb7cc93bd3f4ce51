package xlsxread

import (
	"archive/zip"
	"bytes"
	stdflate "compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/flate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inflateSamples returns data of every kind a part holds: text that
// compresses well, random bytes, runs, and the empty part.
func inflateSamples() map[string][]byte {
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 70000)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	var xml bytes.Buffer
	for i := range 3000 {
		fmt.Fprintf(&xml, `<row r="%d"><c r="A%d" s="5" t="s"><v>%d</v></c><c r="B%d"><v>%d.%02d</v></c></row>`, i+1, i+1, rng.IntN(50), i+1, rng.IntN(1e6), rng.IntN(100))
	}
	return map[string][]byte{
		"empty":  nil,
		"byte":   {'x'},
		"xml":    xml.Bytes(),
		"random": random,
		"run":    bytes.Repeat([]byte("a"), 100000),
		"mixed":  append(append([]byte{}, xml.Bytes()[:20000]...), random[:20000]...),
	}
}

// TestInflateWhole inflates what the standard library's and klauspost's
// compressors write at every level, also with one inflater whose tables
// serve every stream in turn, and checks that a destination of any other
// size is refused.
func TestInflateWhole(t *testing.T) {
	var shared inflater
	for name, data := range inflateSamples() {
		for _, level := range []int{stdflate.HuffmanOnly, stdflate.NoCompression, 1, 5, 9} {
			for lib, compress := range map[string]func([]byte, int) []byte{"std": compressStd, "klauspost": compressKlauspost} {
				z := compress(data, level)
				where := fmt.Sprintf("%s level %d %s", name, level, lib)
				dst := make([]byte, len(data))
				require.True(t, inflateWhole(dst, z), where)
				require.True(t, bytes.Equal(dst, data), where)
				clear(dst)
				require.True(t, shared.inflate(dst, z), where+": shared tables")
				require.True(t, bytes.Equal(dst, data), where+": shared tables")
				assert.False(t, inflateWhole(make([]byte, len(data)+1), z), where+": one byte more")
				if len(data) > 0 {
					assert.False(t, inflateWhole(make([]byte, len(data)-1), z), where+": one byte less")
					assert.False(t, inflateWhole(dst, z[:len(z)-1]), where+": truncated")
				}
			}
		}
	}
}

func compressStd(data []byte, level int) []byte {
	var b bytes.Buffer
	w, _ := stdflate.NewWriter(&b, level)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func compressKlauspost(data []byte, level int) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, level)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// FuzzInflate feeds arbitrary streams to inflateWhole and to the streaming
// inflater the reader falls back to: whatever inflateWhole accepts, the
// streaming inflater must read the same way, to the same bytes.
func FuzzInflate(f *testing.F) {
	for _, data := range inflateSamples() {
		if len(data) > 5000 {
			data = data[:5000]
		}
		f.Add(compressStd(data, 1))
		f.Add(compressKlauspost(data, stdflate.HuffmanOnly))
		f.Add(compressStd(data, stdflate.NoCompression))
	}
	f.Add([]byte{0x03, 0x00})                   // an empty fixed block
	f.Add([]byte{0x01, 0x00, 0x00, 0xff, 0xff}) // an empty stored block
	f.Fuzz(func(t *testing.T, z []byte) {
		want, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), 1<<20))
		for _, size := range []int{len(want) - 1, len(want), len(want) + 1} {
			if size < 0 {
				continue
			}
			dst := make([]byte, size)
			if !inflateWhole(dst, z) {
				continue
			}
			if err != nil {
				t.Fatalf("inflated %d bytes where the streaming inflater fails: %v", size, err)
			}
			if !bytes.Equal(dst, want) {
				t.Fatalf("inflated %d bytes, not the %d the streaming inflater reads", size, len(want))
			}
		}
	})
}

// BenchmarkInflate inflates the sheet of the benchmark workbook in one go
// and the streaming way.
func BenchmarkInflate(b *testing.B) {
	_, data := benchWorkbook(b)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(b, err)
	var z []byte
	size := 0
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			off, err := f.DataOffset()
			require.NoError(b, err)
			z, size = data[off:off+int64(f.CompressedSize64)], int(f.UncompressedSize64)
		}
	}
	require.NotNil(b, z)
	dst := make([]byte, size)
	b.Run("whole", func(b *testing.B) {
		b.SetBytes(int64(size))
		var d inflater
		for b.Loop() {
			if !d.inflate(dst, z) {
				b.Fatal("not inflated")
			}
		}
	})
	b.Run("streaming", func(b *testing.B) {
		b.SetBytes(int64(size))
		r := flate.NewReader(bytes.NewReader(z))
		for b.Loop() {
			if err := r.(flate.Resetter).Reset(bytes.NewReader(z), nil); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(r, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
}
