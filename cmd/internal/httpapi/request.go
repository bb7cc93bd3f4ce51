package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"
)

// Content types of workbooks.
const (
	xlsxType  = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	octetType = "application/octet-stream"
	jsonType  = "application/json"
)

// maxJSON bounds the small JSON bodies (a round, a review, a token).
const maxJSON = 1 << 20

// parseID reads a positive whole number from a path or query parameter.
func parseID(name, value string) (int64, error) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest(name, "%s must be a positive whole number, got %q", name, value)
	}
	return id, nil
}

// pathID reads the route's {id}.
func pathID(c *echo.Context) (int64, error) { return parseID("id", c.Param("id")) }

// readBody reads the whole request body once, refusing with 413 a body
// beyond limit bytes: by its Content-Length before reading anything, and
// by the bytes actually read when the length is not declared or lies.
func readBody(c *echo.Context, what string, limit int64) ([]byte, error) {
	r := c.Request()
	if r.ContentLength > limit {
		return nil, tooLarge(what, limit)
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge(what, limit)
	}
	if err != nil {
		return nil, badRequest("body", "the request body could not be read: %v", err)
	}
	return data, nil
}

// decodeJSON reads a small JSON body into v; an empty body leaves v as it
// is. Unknown fields are refused, so that a misspelt one is not ignored.
func decodeJSON(c *echo.Context, v any) error {
	data, err := readBody(c, "request body", maxJSON)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	return unmarshalStrict(data, v)
}

func unmarshalStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return badRequest("body", "the body is not the JSON this route takes: %v", err)
	}
	if d.More() {
		return badRequest("body", "the body holds more than one JSON value")
	}
	return nil
}

// base64Limit is how large a JSON body carrying a base64 workbook of at
// most limit bytes may be: the encoding takes 4 bytes per 3, plus room for
// the filename and the JSON around it.
func base64Limit(limit int64) int64 { return (limit+2)/3*4 + 64<<10 }

// decodeBase64 decodes a workbook sent as base64 (standard alphabet, with
// or without padding; line breaks are ignored).
func decodeBase64(field, text string) ([]byte, error) {
	text = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' {
			return -1
		}
		return r
	}, text)
	data, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(text, "="))
	}
	if err != nil {
		return nil, badRequest(field, "%s is not base64: %v", field, err)
	}
	return data, nil
}

// uploadEnvelope is the JSON form of an upload, for clients that cannot
// send raw bytes (the Excel add-in joins the slices getFileAsync gives it
// and base64-encodes them).
type uploadEnvelope struct {
	Filename string `json:"filename"`
	Data     string `json:"data"`
}

// readWorkbook reads an uploaded workbook: the raw .xlsx bytes (as the
// xlsx content type, application/octet-stream, or no content type), or a
// JSON uploadEnvelope. The workbook may be at most limit bytes either way.
// The filename comes from ?filename=, else the envelope, else fallback.
func readWorkbook(c *echo.Context, limit int64, fallback string) (string, []byte, error) {
	name := c.QueryParam("filename")
	ctype := c.Request().Header.Get("Content-Type")
	media := ""
	if ctype != "" {
		var err error
		if media, _, err = mime.ParseMediaType(ctype); err != nil {
			return "", nil, unsupported(ctype)
		}
	}
	var data []byte
	switch media {
	case "", xlsxType, octetType:
		var err error
		if data, err = readBody(c, "workbook", limit); err != nil {
			return "", nil, err
		}
	case jsonType:
		body, err := readBody(c, "workbook", base64Limit(limit))
		if err != nil {
			return "", nil, err
		}
		var env uploadEnvelope
		if err := unmarshalStrict(body, &env); err != nil {
			return "", nil, err
		}
		if data, err = decodeBase64("data", env.Data); err != nil {
			return "", nil, err
		}
		if int64(len(data)) > limit {
			return "", nil, tooLarge("workbook", limit)
		}
		if name == "" {
			name = env.Filename
		}
	default:
		return "", nil, unsupported(ctype)
	}
	if name == "" {
		name = fallback
	}
	return name, data, nil
}

func unsupported(ctype string) *apiError {
	return &apiError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
		message: "send the workbook as " + xlsxType + " or " + octetType +
			", or as JSON {\"filename\", \"data\": base64}; got " + strconv.Quote(ctype),
		fields: map[string]string{"Content-Type": ctype}}
}
