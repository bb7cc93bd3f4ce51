package xlsxread

import (
	"encoding/binary"
	"math/bits"
	"sync"
)

// inflateWhole inflates a raw DEFLATE stream (RFC 1951) held whole in
// memory straight into dst, which must be exactly as long as the part's
// header declares. Since the output is all in memory, it needs no window
// and copies nothing twice, which makes it about twice as fast as a
// streaming inflater. It reports false for anything but a valid stream
// that ends with its final block exactly at the end of dst (bad data, a
// stream that ends early or would write more, a Huffman code the streaming
// inflater would refuse); the caller then inflates the part again the
// streaming way, which decides what is wrong. It never reads or writes out
// of bounds, whatever src holds.
func inflateWhole(dst, src []byte) bool {
	var d inflater
	return d.inflate(dst, src)
}

// inflate is inflateWhole with the tables of d, which it reuses.
func (d *inflater) inflate(dst, src []byte) bool {
	*d = inflater{src: src, lit: d.lit, dist: d.dist, lengths: d.lengths}
	out := 0
	for {
		d.refill()
		final := d.buf&1 == 1
		kind := d.buf >> 1 & 3
		d.consume(3)
		ok := false
		switch kind {
		case 0:
			out, ok = d.stored(dst, out)
		case 1:
			f := fixedTables()
			out, ok = d.huffman(dst, out, &f.lit, &f.dist)
		case 2:
			if ok = d.dynamic(); ok {
				out, ok = d.huffman(dst, out, &d.lit, &d.dist)
			}
		}
		if !ok || d.overrun() {
			return false
		}
		if final {
			return out == len(dst)
		}
	}
}

// inflater reads the bits of a DEFLATE stream, least significant first.
type inflater struct {
	src []byte
	// pos is the next byte of src to load; past the end, zero bytes are
	// loaded, and overrun tells when one of them was used.
	pos int
	buf uint64 // bits loaded but not used, the next one lowest
	n   uint   // how many

	lit, dist, lengths huffTable
}

// refill loads whole bytes until at least 56 bits are held.
func (d *inflater) refill() {
	if d.n >= 56 {
		return
	}
	if d.pos+8 <= len(d.src) {
		// Load 8 bytes and keep the whole ones that fit; the bits loaded
		// beyond n are the stream's own, so loading them again is harmless.
		d.buf |= binary.LittleEndian.Uint64(d.src[d.pos:]) << d.n
		d.pos += int((63 - d.n) >> 3)
		d.n |= 56
		return
	}
	for d.n < 56 {
		if d.pos < len(d.src) {
			d.buf |= uint64(d.src[d.pos]) << d.n
		}
		d.pos++
		d.n += 8
	}
}

// overrun reports whether bits past the end of src were used: the stream
// is truncated.
func (d *inflater) overrun() bool {
	return uint64(d.pos)*8-uint64(d.n) > uint64(len(d.src))*8
}

func (d *inflater) consume(k uint) {
	d.buf >>= k
	d.n -= k
}

// stored copies a stored block.
func (d *inflater) stored(dst []byte, out int) (int, bool) {
	d.consume(d.n % 8)
	d.pos -= int(d.n / 8) // back to the first byte not used
	d.buf, d.n = 0, 0
	if d.pos < 0 || d.pos+4 > len(d.src) {
		return out, false
	}
	size := int(binary.LittleEndian.Uint16(d.src[d.pos:]))
	if uint16(size) != ^binary.LittleEndian.Uint16(d.src[d.pos+2:]) {
		return out, false
	}
	d.pos += 4
	if size > len(d.src)-d.pos || size > len(dst)-out {
		return out, false
	}
	copy(dst[out:], d.src[d.pos:d.pos+size])
	d.pos += size
	return out + size, true
}

// Lengths and distances: the base of each symbol and its extra bits.
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// lengthOrder is the order of the code length code lengths.
	lengthOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// huffman decodes the symbols of a Huffman-coded block into dst. It is
// the hot loop: the bit buffer lives in locals, and symbols are looked up
// in place rather than through decode.
func (d *inflater) huffman(dst []byte, out int, lit, dist *huffTable) (int, bool) {
	buf, n, pos, src := d.buf, d.n, d.pos, d.src
	defer func() { d.buf, d.n, d.pos = buf, n, pos }()
	lt, lbits, lmask := lit.t, lit.bits, uint64(1)<<lit.bits-1
	dt, dbits, dmask := dist.t, dist.bits, uint64(1)<<dist.bits-1
	for {
		// One length and distance take at most 15+5+15+13 = 48 bits.
		if n < 48 {
			if pos+8 <= len(src) {
				buf |= binary.LittleEndian.Uint64(src[pos:]) << n
				pos += int((63 - n) >> 3)
				n |= 56
			} else {
				d.buf, d.n, d.pos = buf, n, pos
				d.refill()
				buf, n, pos = d.buf, d.n, d.pos
			}
		}
		e := lt[buf&lmask]
		if e&linkFlag != 0 {
			buf >>= lbits
			n -= lbits
			e = lt[uint(e>>16)+uint(buf&(1<<(e>>5&0xF)-1))]
		}
		k := uint(e & 0xF)
		if k == 0 {
			return out, false // no such code
		}
		buf >>= k
		n -= k
		if e&(lengthFlag|endFlag) == 0 { // a literal
			if uint(out) >= uint(len(dst)) {
				return out, false
			}
			dst[out] = byte(e >> 16)
			out++
			continue
		}
		if e&endFlag != 0 {
			return out, true
		}
		x := uint(e >> 5 & 0xF)
		length := int(e>>16) + int(buf&(1<<x-1))
		buf >>= x
		n -= x
		e = dt[buf&dmask]
		if e&linkFlag != 0 {
			buf >>= dbits
			n -= dbits
			e = dt[uint(e>>16)+uint(buf&(1<<(e>>5&0xF)-1))]
		}
		k = uint(e & 0xF)
		if k == 0 {
			return out, false
		}
		buf >>= k
		n -= k
		x = uint(e >> 5 & 0xF)
		distance := int(e>>16) + int(buf&(1<<x-1))
		buf >>= x
		n -= x
		if distance > out || length > len(dst)-out {
			return out, false
		}
		from, end := out-distance, out+length
		if length <= 8 && distance >= 8 && out+8 <= len(dst) {
			// Short and not overlapping: one 8-byte move (the bytes past
			// end are written again later).
			binary.LittleEndian.PutUint64(dst[out:], binary.LittleEndian.Uint64(dst[from:]))
			out = end
			continue
		}
		// Copy from distance back; when the copy overlaps what it writes,
		// each round copies what the rounds before wrote.
		for out < end {
			out += copy(dst[out:end], dst[from:out])
		}
	}
}

// decode reads one symbol of a table of symbolPayload; the caller makes
// sure 15 bits are held.
func (d *inflater) decode(h *huffTable) (uint32, bool) {
	e := h.t[d.buf&(1<<h.bits-1)]
	if e&linkFlag != 0 {
		d.consume(h.bits)
		sub := uint(e >> 5 & 0xF)
		e = h.t[int(e>>16)+int(d.buf&(1<<sub-1))]
	}
	k := uint(e & 0xF)
	if k == 0 {
		return 0, false // no such code
	}
	d.consume(k)
	return e >> 16, true
}

// dynamic reads the code lengths of a dynamic block and builds its tables.
func (d *inflater) dynamic() bool {
	d.refill()
	nlit := int(d.buf&0x1F) + 257
	ndist := int(d.buf>>5&0x1F) + 1
	nlen := int(d.buf>>10&0xF) + 4
	d.consume(14)
	if nlit > 286 || ndist > 30 {
		return false
	}
	var codeLengths [19]uint8
	for _, i := range lengthOrder[:nlen] {
		d.refill()
		codeLengths[i] = uint8(d.buf & 7)
		d.consume(3)
	}
	if !d.lengths.build(codeLengths[:], 7, symbolPayload) {
		return false
	}
	var lengths [286 + 30]uint8
	for i := 0; i < nlit+ndist; {
		d.refill() // a code and its extra bits take at most 7+7 bits
		sym, ok := d.decode(&d.lengths)
		if !ok {
			return false
		}
		var repeat int
		var value uint8
		switch sym {
		case 16:
			if i == 0 {
				return false
			}
			repeat, value = 3+int(d.buf&3), lengths[i-1]
			d.consume(2)
		case 17:
			repeat = 3 + int(d.buf&7)
			d.consume(3)
		case 18:
			repeat = 11 + int(d.buf&0x7F)
			d.consume(7)
		default:
			repeat, value = 1, uint8(sym)
		}
		if repeat > nlit+ndist-i {
			return false
		}
		for range repeat {
			lengths[i] = value
			i++
		}
	}
	if lengths[256] == 0 {
		return false // no end of block
	}
	return d.lit.build(lengths[:nlit], 10, literalPayload) && d.dist.build(lengths[nlit:nlit+ndist], 8, distancePayload)
}

// huffTable decodes a Huffman code: its first table is indexed by the
// next bits bits of the stream; codes longer than that go on in a
// subtable. An entry holds, in bits 0-3, how many bits the code takes in
// this table (0: no such code); for a link (linkFlag), the offset of the
// subtable in bits 16-31 and the bits its index takes in bits 5-8; else
// what its symbol means (see the payload functions): a literal in bits
// 16-31, or a length or distance whose base is in bits 16-31 and whose
// extra bits are counted in bits 5-8.
type huffTable struct {
	t    []uint32
	bits uint
}

const (
	linkFlag   = 1 << 4
	lengthFlag = 1 << 9  // a length symbol
	endFlag    = 1 << 10 // the end of the block
)

// literalPayload is what a symbol of the literal/length code means.
func literalPayload(sym int) (uint32, bool) {
	switch {
	case sym < 256:
		return uint32(sym) << 16, true
	case sym == 256:
		return endFlag, true
	case sym-257 < len(lengthBase):
		return uint32(lengthBase[sym-257])<<16 | uint32(lengthExtra[sym-257])<<5 | lengthFlag, true
	}
	return 0, false
}

// distancePayload is what a symbol of the distance code means.
func distancePayload(sym int) (uint32, bool) {
	if sym < len(distBase) {
		return uint32(distBase[sym])<<16 | uint32(distExtra[sym])<<5, true
	}
	return 0, false
}

// symbolPayload is a symbol as itself (the code length code).
func symbolPayload(sym int) (uint32, bool) { return uint32(sym) << 16, true }

// build makes the table of the canonical code with the given code lengths
// (0: symbol not used), with a first table of at most maxBits bits. It
// refuses what the streaming inflater refuses, and also an empty code: a
// code must be complete, but for a single code of one bit.
func (h *huffTable) build(lengths []uint8, maxBits uint, payload func(int) (uint32, bool)) bool {
	var count [16]int
	minLen, maxLen := 0, 0
	for _, l := range lengths {
		if l == 0 {
			continue
		}
		if minLen == 0 || int(l) < minLen {
			minLen = int(l)
		}
		maxLen = max(maxLen, int(l))
		count[l]++
	}
	if maxLen == 0 {
		return false
	}
	code := 0
	for l := minLen; l <= maxLen; l++ {
		code = code<<1 + count[l]
	}
	if code != 1<<maxLen && !(code == 1 && maxLen == 1) {
		return false
	}
	h.fill(lengths, count, min(maxBits, uint(maxLen)), uint(maxLen), payload)
	return true
}

// fill writes the table of a code whose lengths were counted (count[l]
// codes of length l, none longer than maxLen) with a first table of bits
// bits.
func (h *huffTable) fill(lengths []uint8, count [16]int, bits, maxLen uint, payload func(int) (uint32, bool)) {
	var next [16]int
	code := 0
	for l := 1; l < 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	h.bits = bits
	size := 1 << bits
	h.t = append(h.t[:0], make([]uint32, size)...)
	sub := maxLen - bits // bits of each subtable's index
	for sym, l := range lengths {
		if l == 0 {
			continue
		}
		n := uint(l)
		rev := int(reverse(next[l], n))
		next[l]++
		pay, ok := payload(sym)
		if !ok {
			continue // an invalid symbol: its code stays "no such code"
		}
		if n <= bits {
			for i := rev; i < size; i += 1 << n {
				h.t[i] = pay | uint32(n)
			}
			continue
		}
		first := rev & (size - 1)
		link := h.t[first]
		if link&linkFlag == 0 {
			link = uint32(len(h.t))<<16 | linkFlag | uint32(sub)<<5 | uint32(bits)
			h.t[first] = link
			h.t = append(h.t, make([]uint32, 1<<sub)...)
		}
		base := int(link >> 16)
		rest := n - bits
		for i := rev >> bits; i < 1<<sub; i += 1 << rest {
			h.t[base+i] = pay | uint32(rest)
		}
	}
}

// reverse returns the n low bits of code in reverse order: DEFLATE sends
// Huffman codes from their most significant bit.
func reverse(code int, n uint) uint32 {
	return uint32(bits.Reverse16(uint16(code)) >> (16 - n))
}

// fixedTables are the tables of the fixed Huffman code (RFC 1951 3.2.6).
var fixedTables = sync.OnceValue(func() *struct{ lit, dist huffTable } {
	t := &struct{ lit, dist huffTable }{}
	var lit [288]uint8
	var count [16]int
	for i := range lit {
		switch {
		case i < 144:
			lit[i] = 8
		case i < 256:
			lit[i] = 9
		case i < 280:
			lit[i] = 7
		default:
			lit[i] = 8
		}
		count[lit[i]]++
	}
	t.lit.fill(lit[:], count, 9, 9, literalPayload)
	// 32 distance codes of 5 bits, of which 30 and 31 are invalid.
	var dist [32]uint8
	for i := range dist {
		dist[i] = 5
	}
	t.dist.fill(dist[:], [16]int{5: 32}, 5, 5, distancePayload)
	return t
})
