package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"aop/cmd/internal/servetest"
)

// startEmulator runs `aop sheets-emulator` as a process of its own on a
// free port, seeded with a shared drive, the master template and a key
// file for the service account (whose token_uri is the emulator's), and
// reads what it made from the lines it prints. It stops with the test.
func startEmulator(t *testing.T) *emulator {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "service-account.json")
	cmd := exec.Command(servetest.Binary(t), "sheets-emulator", "--addr", "127.0.0.1:0", "--credentials-out", keyFile)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	e := &emulator{t: t, keyFile: keyFile, httpc: &http.Client{Timeout: 30 * time.Second}}
	fields := map[string]*string{"sheets emulator listening on": &e.url, "shared drive:": &e.drive,
		"master template:": &e.tmpl, "service account:": &e.sa}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		for prefix, v := range fields {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				*v = strings.TrimSpace(rest)
			}
		}
		if strings.HasPrefix(line, "user tokens:") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	require.True(t, e.url != "" && e.drive != "" && e.tmpl != "" && e.sa != "",
		"the emulator printed its address, drive, template and account: %+v\n%s", e, stderr.String())
	_, err = os.Stat(keyFile)
	require.NoError(t, err, "the emulator wrote the service account's key")
	return e
}
