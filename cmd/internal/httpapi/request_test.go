package httpapi

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"
)

// FuzzReadWorkbook feeds any body under any content type to the upload
// reader: it must not panic, and what it accepts is within the limit.
func FuzzReadWorkbook(f *testing.F) {
	f.Add(xlsxType, []byte("PK\x03\x04"))
	f.Add(jsonType, []byte(`{"filename":"a.xlsx","data":"UEsDBA=="}`))
	f.Add(jsonType, []byte(`{"data":"UEsDBA"}`))
	f.Add(jsonType+"; charset=utf-8", []byte(`{"data":"UE\nsDBA=="}`))
	f.Add(jsonType, []byte(`{"data":"***"}`))
	f.Add("text/plain", []byte("hello"))
	f.Add("", []byte{})
	f.Add("multipart/form-data; boundary=", []byte("--"))
	const limit = 1 << 10
	e := echo.New()
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		r := httptest.NewRequest("POST", "/upload?filename=x.xlsx", bytes.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		c := e.NewContext(r, httptest.NewRecorder())
		name, data, err := readWorkbook(c, limit, "d.xlsx")
		if err != nil {
			return
		}
		if len(data) > limit {
			t.Fatalf("accepted %d bytes over a limit of %d", len(data), limit)
		}
		if name != "x.xlsx" {
			t.Fatalf("filename %q, want the query's", name)
		}
	})
}
