package xlsxread

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"
)

func TestCmpScratch(t *testing.T) {
	if os.Getenv("CMP") == "" {
		t.Skip()
	}
	_, data := benchWorkbook(t)
	floor := func() {
		zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		for _, f := range zr.File {
			rc, _ := f.Open()
			io.Copy(io.Discard, rc)
			rc.Close()
		}
	}
	read := func() { Read(context.Background(), data, Options{}) }
	best := func(fn func()) time.Duration {
		b := time.Hour
		for i := 0; i < 300; i++ {
			s := time.Now()
			fn()
			if d := time.Since(s); d < b {
				b = d
			}
		}
		return b
	}
	for i := 0; i < 3; i++ {
		f, r := best(floor), best(read)
		fmt.Printf("floor %v read %v ratio %.2f\n", f, r, float64(r)/float64(f))
	}
}
