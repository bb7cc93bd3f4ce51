package sheetstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/option"
)

// Options configure a Server. The zero Options give Google's defaults:
// 60 reads and 60 writes per minute per user, 300 per project, 10 MiB
// request bodies, no faults, state in memory only.
type Options struct {
	// Now is the clock used for quotas, token expiry and timestamps; nil is
	// time.Now. Tests running in a testing/synctest bubble can leave it nil:
	// time.Now is then virtual.
	Now func() time.Time
	// File, when set, keeps the state in a JSON file: it is loaded by New
	// if present and saved (written to a temporary file, then renamed)
	// after every request that changed something.
	File string
	// Quotas are the per-minute request quotas; nil is DefaultQuotas().
	Quotas *Quotas
	// Faults injects errors into a share of API requests.
	Faults Faults
	// MaxBodyBytes limits request bodies; 0 is Google's 10 MiB
	// (10,485,760 bytes).
	MaxBodyBytes int64
	// AllowServiceAccountCreate lets service accounts call
	// spreadsheets.create. Real Google refuses it (service accounts have no
	// Drive storage), and so does the emulator by default: the normal path
	// is files.copy of a template into a shared drive.
	AllowServiceAccountCreate bool
	// BaseURL is where clients reach the emulator; it is the token_uri of
	// the service-account keys it issues. Empty is "http://sheets.emulator"
	// (in-process clients ignore the host).
	BaseURL string
	// DefaultProject is the Cloud project of user tokens (TokenFor with a
	// user's email), which share its per-project quota. Service accounts
	// belong to the project named in their email. Empty is "aop-emulator".
	DefaultProject string
	// Seed makes generated ids (spreadsheets, sheets, protected ranges,
	// metadata) reproducible; the same seed and the same requests give the
	// same ids.
	Seed int64
}

// Quotas are per-minute request quotas for the Sheets API. A quota of 0
// means unlimited. Drive calls are not counted.
type Quotas struct {
	ReadPerUser, WritePerUser       int
	ReadPerProject, WritePerProject int
}

// DefaultQuotas are Google's published Sheets quotas.
func DefaultQuotas() Quotas {
	return Quotas{ReadPerUser: 60, WritePerUser: 60, ReadPerProject: 300, WritePerProject: 300}
}

// DefaultMaxBodyBytes is the request size above which Google answers 400.
const DefaultMaxBodyBytes = 10 << 20

// Server is an in-memory emulator of the Sheets v4 and Drive v3 endpoints
// aop uses. It is an http.Handler: mount it in httptest.NewServer, serve it
// on a port (the aop sheets-emulator command), or call it in process with
// Client, which needs no sockets and starts no goroutines. All state sits
// behind one mutex; the server runs no background goroutines or timers.
type Server struct {
	opts   Options
	quotas Quotas

	mu    sync.Mutex
	st    *state
	stats statsState
	quota quotaState
	rng   *rand.Rand
	disc  *discovery
}

// New returns an emulator configured by opts, loading opts.File if it
// exists.
func New(opts Options) (*Server, error) {
	s := &Server{opts: opts, quotas: DefaultQuotas()}
	if opts.Quotas != nil {
		s.quotas = *opts.Quotas
	}
	if s.opts.MaxBodyBytes <= 0 {
		s.opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.opts.BaseURL == "" {
		s.opts.BaseURL = "http://sheets.emulator"
	}
	s.opts.BaseURL = strings.TrimRight(s.opts.BaseURL, "/")
	if s.opts.DefaultProject == "" {
		s.opts.DefaultProject = "aop-emulator"
	}
	if err := s.opts.Faults.validate(); err != nil {
		return nil, err
	}
	s.rng = rand.New(rand.NewPCG(uint64(opts.Faults.Seed), 0x5eed))
	disc, err := loadDiscovery()
	if err != nil {
		return nil, err
	}
	s.disc = disc
	s.st = newState(opts.Seed)
	s.stats.reset()
	if opts.File != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// MustNew is New for tests and examples: it panics on error.
func MustNew(opts Options) *Server {
	s, err := New(opts)
	if err != nil {
		panic(err)
	}
	return s
}

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// BaseURL is the emulator's base URL as configured.
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.BaseURL
}

// SetBaseURL changes the base URL once the listening address is known
// (httptest.NewServer picks a port after the Server exists). Keys issued
// afterwards carry the new token_uri.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.BaseURL = strings.TrimRight(u, "/")
}

// SheetsEndpoint is the value for option.WithEndpoint of a Sheets client.
func (s *Server) SheetsEndpoint() string { return s.BaseURL() + "/" }

// DriveEndpoint is the value for option.WithEndpoint of a Drive client
// (Drive's base path includes drive/v3/).
func (s *Server) DriveEndpoint() string { return s.BaseURL() + "/drive/v3/" }

// Client returns an HTTP client that calls the emulator in process: no
// network, no goroutines. Requests carry whatever Authorization header the
// caller sets; see ClientFor for one that acts as a user.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport()}
}

// Transport returns the in-process round tripper behind Client, for
// clients that add their own authentication (oauth2.Transport's Base).
func (s *Server) Transport() http.RoundTripper { return inProcess{h: s} }

// ClientFor returns an in-process client whose requests are authenticated
// as email (a user or a service account).
func (s *Server) ClientFor(email string) *http.Client {
	return &http.Client{Transport: bearer{token: s.TokenFor(email), base: s.Transport()}}
}

// SheetsOptions are the client options for sheets.NewService acting as
// email through the in-process transport.
func (s *Server) SheetsOptions(email string) []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.SheetsEndpoint()), option.WithHTTPClient(s.ClientFor(email))}
}

// DriveOptions are the client options for drive.NewService acting as email
// through the in-process transport.
func (s *Server) DriveOptions(email string) []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.DriveEndpoint()), option.WithHTTPClient(s.ClientFor(email))}
}

type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

// inProcess calls the handler directly in the calling goroutine. When the
// request's context ends while the handler runs (an injected timeout), the
// client sees the context's error, as it would from a real transport.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	sreq := req.Clone(ctx)
	sreq.Body = io.NopCloser(bytes.NewReader(body))
	sreq.ContentLength = int64(len(body))
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "in-process"
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	rec := &recorder{header: http.Header{}}
	t.h.ServeHTTP(rec, sreq)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	return &http.Response{
		Status:        strconv.Itoa(rec.code) + " " + http.StatusText(rec.code),
		StatusCode:    rec.code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}, nil
}

type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.body.Write(b)
}

// call is one API request being served.
type call struct {
	s      *Server
	r      *http.Request
	method string
	api    string // "sheets" or "drive"
	class  quotaClass
	user   identity
	query  url.Values
	body   []byte
	// fileID is the spreadsheet or file the request addresses, if any.
	fileID string
	// pathArgs are the path parameters after the file id (range, metadata
	// id, permission id).
	pathArgs []string
	handler  func(*call) (any, *apiError)
	// changed is set by handlers that modified the state.
	changed bool
	// faultWait is how long an injected timeout holds the request.
	faultWait time.Duration
}

// ServeHTTP serves the Sheets v4 API under /v4/, Drive v3 under
// /drive/v3/, the OAuth token endpoint at /token and the emulator's own
// routes under /_emulator/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	switch {
	case path == "/token":
		s.serveToken(w, r)
		return
	case strings.HasPrefix(path, "/_emulator/"):
		s.serveAdmin(w, r, strings.TrimPrefix(path, "/_emulator/"))
		return
	}
	path = strings.TrimPrefix(path, "/sheets")
	c := &call{s: s, r: r, query: r.URL.Query()}
	var rerr *apiError
	switch {
	case strings.HasPrefix(path, "/v4/spreadsheets"):
		c.api = "sheets"
		rerr = s.routeSheets(c, r.Method, strings.TrimPrefix(path, "/v4/spreadsheets"))
	case strings.HasPrefix(path, "/drive/v3/"):
		c.api = "drive"
		rerr = s.routeDrive(c, r.Method, strings.TrimPrefix(path, "/drive/v3/"))
	default:
		rerr = newError(404, "Method not found.")
	}
	if rerr != nil {
		s.count(c, rerr.Code)
		writeError(w, rerr)
		return
	}
	s.serveCall(w, c)
}

func (s *Server) serveCall(w http.ResponseWriter, c *call) {
	r := c.r
	// Authentication.
	user, aerr := s.authenticate(r, c)
	if aerr != nil {
		s.count(c, aerr.Code)
		writeError(w, aerr)
		return
	}
	c.user = user
	// Body.
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes+1))
		if err != nil {
			s.count(c, 400)
			writeError(w, invalidf("Invalid JSON payload received."))
			return
		}
		if int64(len(body)) > s.opts.MaxBodyBytes {
			e := invalidf(msgPayloadTooBig, s.opts.MaxBodyBytes)
			e.Errors = []errorItem{{Domain: "global", Reason: "badRequest", Message: e.Message}}
			s.count(c, 400)
			writeError(w, e)
			return
		}
		c.body = body
	}
	// Quota, then injected faults before the request is applied.
	s.mu.Lock()
	if qerr := s.takeQuota(c); qerr != nil {
		s.countLocked(c, qerr.Code)
		s.mu.Unlock()
		writeError(w, qerr)
		return
	}
	fault, after := s.pickFault(c)
	c.faultWait = s.opts.Faults.TimeoutAfter
	if fault != "" && !after {
		s.countLocked(c, fault.status())
	}
	s.mu.Unlock()
	if fault != "" && !after {
		s.serveFault(w, c, fault)
		return
	}
	// The request itself.
	s.mu.Lock()
	resp, herr := s.handle(c)
	var out []byte
	if herr == nil {
		var err error
		out, err = s.encodeResponse(c, resp)
		if err != nil {
			herr = err.(*apiError)
		}
	}
	if c.changed && s.opts.File != "" {
		if err := s.saveLocked(); err != nil && herr == nil {
			herr = newError(500, "%s", msgInternal)
		}
	}
	code := 200
	if herr != nil {
		code = herr.Code
	}
	if fault != "" {
		code = fault.status()
	}
	s.countLocked(c, code)
	s.mu.Unlock()
	if fault != "" {
		s.serveFault(w, c, fault)
		return
	}
	if herr != nil {
		writeError(w, herr)
		return
	}
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(out)
}

// handle runs the method's handler with panics turned into 500s, so a bad
// request can never take the emulator down.
func (s *Server) handle(c *call) (resp any, err *apiError) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, newError(500, "%s (emulator: %v)", msgInternal, p)
		}
	}()
	if err := s.validateQuery(c); err != nil {
		return nil, err
	}
	return c.handler(c)
}

// encodeResponse marshals a handler's answer and applies the fields
// partial-response mask.
func (s *Server) encodeResponse(c *call, resp any) ([]byte, error) {
	if resp == nil {
		return nil, nil
	}
	if raw, ok := resp.(json.RawMessage); ok {
		return raw, nil
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, newError(500, "%s (emulator: %v)", msgInternal, err)
	}
	fields := c.query.Get("fields")
	if fields == "" {
		if c.api == "drive" {
			fields = driveDefaultFields(c.method)
		}
		if fields == "" {
			return b, nil
		}
	}
	return s.applyFieldsMask(c, b, fields)
}

func (s *Server) serveFault(w http.ResponseWriter, c *call, kind FaultKind) {
	switch kind {
	case Fault429:
		writeError(w, faultQuotaError(c))
	case Fault500:
		writeError(w, newError(500, msgInternal))
	case Fault503:
		writeError(w, newError(503, msgUnavailable))
	case FaultTimeout:
		ctx := c.r.Context()
		wait := c.faultWait
		if wait <= 0 {
			wait = 180 * time.Second
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		writeError(w, newError(504, msgDeadline))
	}
}

// serveAdmin serves the emulator's own routes: GET stats, POST stats/reset,
// POST edit (act as a person) and GET token?email= (a user token for
// clients that are not Go).
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, route string) {
	writeJSON := func(v any) {
		b, _ := json.MarshalIndent(v, "", "  ")
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = w.Write(b)
	}
	switch {
	case route == "stats" && r.Method == http.MethodGet:
		writeJSON(s.Stats())
	case route == "stats/reset" && r.Method == http.MethodPost:
		s.ResetStats()
		writeJSON(map[string]any{})
	case route == "token" && r.Method == http.MethodGet:
		email := r.URL.Query().Get("email")
		if email == "" {
			writeError(w, invalidf("email is required"))
			return
		}
		writeJSON(map[string]any{"access_token": s.TokenFor(email), "token_type": "Bearer"})
	case route == "edit" && r.Method == http.MethodPost:
		var req struct {
			User          string  `json:"user"`
			SpreadsheetID string  `json:"spreadsheetId"`
			Range         string  `json:"range"`
			Values        [][]any `json:"values"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, s.opts.MaxBodyBytes))
		dec.UseNumber()
		if err := dec.Decode(&req); err != nil {
			writeError(w, invalidf("Invalid JSON payload received. %v", err))
			return
		}
		if err := s.EditAs(req.User, req.SpreadsheetID, req.Range, req.Values); err != nil {
			var ae *apiError
			if errors.As(err, &ae) {
				writeError(w, ae)
				return
			}
			writeError(w, invalidf("%v", err))
			return
		}
		writeJSON(map[string]any{})
	default:
		writeError(w, newError(404, "Method not found."))
	}
}

// Close saves the state file, if any. The server holds no other resources.
func (s *Server) Close() error {
	if s.opts.File == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked()
}

func (s *Server) String() string { return fmt.Sprintf("sheetstest.Server(%s)", s.BaseURL()) }
