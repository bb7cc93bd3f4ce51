package sheetstest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"strconv"
)

// state is everything the emulator keeps, and what Options.File holds.
type state struct {
	Files  map[string]*file
	Drives map[string]*sharedDrive
	// Keys are the public halves of the service-account keys the emulator
	// issued, by key id.
	Keys map[string]*issuedKey
	// Secret signs the opaque access tokens.
	Secret []byte
	// Seed and Counter make generated ids reproducible.
	Seed    int64
	Counter uint64
}

func newState(seed int64) *state {
	st := &state{
		Files:  map[string]*file{},
		Drives: map[string]*sharedDrive{},
		Keys:   map[string]*issuedKey{},
		Seed:   seed,
	}
	h := sha256.Sum256([]byte("sheetstest-secret:" + strconv.FormatInt(seed, 10)))
	st.Secret = h[:]
	return st
}

// next returns 32 pseudo-random bytes, a function of the seed and a
// counter, so the same requests give the same ids.
func (st *state) next() [32]byte {
	st.Counter++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(st.Seed))
	binary.BigEndian.PutUint64(b[8:], st.Counter)
	return sha256.Sum256(b[:])
}

// newFileID returns a Drive-style id: 44 characters of base64url starting
// with "1", like Google's spreadsheet ids.
func (st *state) newFileID() string {
	for {
		h := st.next()
		id := "1" + base64.RawURLEncoding.EncodeToString(h[:])[:43]
		if st.Files[id] == nil {
			return id
		}
	}
}

// newDriveID returns a shared-drive id ("0A" and 17 characters, as Google's
// are).
func (st *state) newDriveID() string {
	for {
		h := st.next()
		id := "0A" + base64.RawURLEncoding.EncodeToString(h[:])[:17]
		if st.Files[id] == nil {
			return id
		}
	}
}

// newInt32 returns a positive pseudo-random int32, the form of Google's
// generated sheet, protected range, chart and metadata ids.
func (st *state) newInt32() int64 {
	h := st.next()
	n := int64(binary.BigEndian.Uint32(h[:4]) & 0x7fffffff)
	if n == 0 {
		n = 1
	}
	return n
}

// newNamedRangeID returns a generated named range id.
func (st *state) newNamedRangeID() string {
	h := st.next()
	return strconv.FormatUint(uint64(binary.BigEndian.Uint32(h[:4])&0x7fffffff)+1_000_000_000, 10)
}

// permissionID is the stable id Drive gives a user's permissions.
func permissionID(email string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(email))
	return strconv.FormatUint(h.Sum64(), 10)
}

// projectNumber is the stable number of a Cloud project, as quota errors
// show it.
func projectNumber(project string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(project))
	return strconv.FormatUint(100_000_000_000+h.Sum64()%900_000_000_000, 10)
}
