// Package servetest runs the real aop binary as a service for end-to-end
// tests and benchmarks: a fresh SQLite database and signing key in a
// temporary folder, a random port, tokens made with `aop token create`, and
// small helpers to call the API.
package servetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"aop/cmd/internal/plan"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary builds aop once per test process.
func Binary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "aop-servetest-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "aop")
		if out, err := exec.Command("go", "build", "-o", binary, "aop/cmd/aop").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build aop/cmd/aop: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binary
}

// Server is a running `aop serve`.
type Server struct {
	tb       testing.TB
	Bin      string
	Dir      string // the folder of the config, database and key
	Config   string
	URL      string
	Admin    string // a finance-admin token
	Viewer   string // a finance-viewer token
	cmd      *exec.Cmd
	log      *SyncBuffer
	stopped  bool
	database string
}

// env is the server's environment: no signing key from outside, and the
// database URL when it is not the config's SQLite file.
func (s *Server) env() []string {
	return append(os.Environ(), "AOP_SIGNING_KEY=", "AOP_DATABASE_URL="+s.database)
}

// Start writes a config (plus extra YAML lines) beside a fresh SQLite
// database and starts the server on a random port; it stops with the test.
func Start(tb testing.TB, extra string) *Server { return StartOn(tb, "", extra) }

// StartOn is Start on the database at a postgres:// URL ("" for SQLite),
// which it migrates first, as finance would.
func StartOn(tb testing.TB, database, extra string) *Server {
	tb.Helper()
	dir := tb.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := filepath.Join(dir, "config.yaml")
	text := fmt.Sprintf("listen: %s\npublic_url: http://%s\ndatabase: data/aop.db\nsigning_key_file: data/signing.key\n%s", addr, addr, extra)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	s := &Server{tb: tb, Bin: Binary(tb), Dir: dir, Config: cfg, URL: "http://" + addr, database: database}
	if database != "" {
		cmd := exec.Command(s.Bin, "migrate", "--config", cfg)
		cmd.Env = s.env()
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("aop migrate: %v\n%s", err, out)
		}
	}
	s.Restart()
	tb.Cleanup(s.Stop)
	s.Admin = s.Token("finance-admin", "")
	s.Viewer = s.Token("finance-viewer", "")
	return s
}

// SyncBuffer collects log output written from several goroutines (a
// server's pipes, concurrent requests).
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String is everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Log is what the server wrote.
func (s *Server) Log() string { return s.log.String() }

// Restart starts the server process and waits until it is ready.
func (s *Server) Restart() {
	s.tb.Helper()
	s.log = &SyncBuffer{}
	s.cmd = exec.Command(s.Bin, "serve", "--config", s.Config)
	s.cmd.Env = s.env()
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	s.stopped = false
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			s.Stop()
			s.tb.Fatalf("aop serve did not become ready:\n%s", s.Log())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Stop interrupts the server and waits for it to finish its work.
func (s *Server) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// Kill ends the server with SIGKILL: no shutdown, as in a crash.
func (s *Server) Kill() {
	s.tb.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		s.tb.Fatal(err)
	}
	_ = s.cmd.Wait()
	s.stopped = true
}

// Token creates a token with `aop token create`.
func (s *Server) Token(role, dept string) string {
	s.tb.Helper()
	args := []string{"token", "create", "--config", s.Config, "--role", role, "--name", role + dept}
	if dept != "" {
		args = append(args, "--department", dept)
	}
	cmd := exec.Command(s.Bin, args...)
	cmd.Env = s.env()
	out, err := cmd.Output()
	if err != nil {
		s.tb.Fatalf("aop token create: %v %s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// Request is one API call.
type Request struct {
	Method, Path, Token string
	// Body is sent as JSON, except []byte (a workbook) and string (YAML).
	Body    any
	Headers map[string]string
}

// Do makes a request and returns the status and the body; err is set when
// no answer came (the server is down).
func (s *Server) Do(r Request) (int, []byte, error) {
	var rd io.Reader
	ctype := "application/json"
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case string:
		rd, ctype = strings.NewReader(b), "application/yaml"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(context.Background(), r.Method, s.URL+r.Path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", ctype)
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

var client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

// Call makes a request that must be answered and decodes a JSON answer into
// out (a *[]byte takes the raw body); it returns the status.
func (s *Server) Call(method, path, token string, body, out any) int {
	s.tb.Helper()
	code, data, err := s.Do(Request{Method: method, Path: path, Token: token, Body: body})
	for tries := 0; err == nil && code == http.StatusTooManyRequests && tries < 100; tries++ {
		time.Sleep(50 * time.Millisecond) // polling faster than the token's rate: wait as a client would
		code, data, err = s.Do(Request{Method: method, Path: path, Token: token, Body: body})
	}
	if err != nil {
		s.tb.Fatalf("%s %s: %v\n%s", method, path, err, s.Log())
	}
	if out != nil {
		if p, ok := out.(*[]byte); ok {
			*p = data
		} else if len(data) > 0 {
			if err := json.Unmarshal(data, out); err != nil {
				s.tb.Fatalf("%s %s: %v: %s", method, path, err, data)
			}
		}
	}
	return code
}

// WaitJob polls a job until it completes.
func (s *Server) WaitJob(id int64) plan.JobInfo {
	s.tb.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var info plan.JobInfo
		if code := s.Call("GET", fmt.Sprintf("/api/v1/jobs/%d", id), s.Admin, nil, &info); code != 200 {
			s.tb.Fatalf("job %d: status %d", id, code)
		}
		if info.State == "completed" {
			return info
		}
		if info.State == "discarded" || time.Now().After(deadline) {
			s.tb.Fatalf("job %d is %s: %v\n%s", id, info.State, info.Errors, s.Log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Workbook downloads a department's workbook once it is written.
func (s *Server) Workbook(round int64, dept, token string) []byte {
	s.tb.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var data []byte
		code := s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/workbook", round, dept), token, nil, &data)
		if code == 200 {
			return data
		}
		if code != 404 || time.Now().After(deadline) {
			s.tb.Fatalf("workbook of %s: status %d %s\n%s", dept, code, data, s.Log())
		}
		time.Sleep(25 * time.Millisecond)
	}
}
