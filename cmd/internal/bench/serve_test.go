package bench

import (
	"aop/cmd/internal/pgtest"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/keys"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/servetest"
)

// serviceClients is how many clients call the service at once.
const serviceClients = 50

// BenchmarkService runs `aop serve` (SQLite) on loopback with 50
// departments and measures, with 50 concurrent clients: uploads per second
// (each one stored, harvested and recorded before it is answered), the
// latency of the signed validate webhook (findings in the answer), and the
// time from a webhook submit to its job's completed state.
func BenchmarkService(b *testing.B) {
	requireHeavy(b)
	b.Run("sqlite", func(b *testing.B) { benchService(b, "") })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(pgtest.URLVar) == "" {
			b.Skipf("set %s for the PostgreSQL run", pgtest.URLVar)
		}
		benchService(b, pgtest.Database(b, "aop_bench"))
	})
}

func benchService(b *testing.B, database string) {
	s := servetest.StartOn(b, database, "rate_limit: {per_second: 100000, burst: 100000}\njobs: {workers: 4, rescue_after: 1m}\n")
	yaml := servetest.WideCycleYAML(serviceClients)
	f, err := cyclefile.Parse("wide.yaml", []byte(yaml), nil)
	if err != nil {
		b.Fatal(err)
	}
	c := f.Cycle
	if code := s.Call("POST", "/api/v1/cycles?name=wide.yaml", s.Admin, yaml, nil); code != 200 {
		b.Fatalf("load cycle: %d", code)
	}
	var round plan.Round
	if code := s.Call("POST", "/api/v1/rounds", s.Admin, plan.OpenRound{Cycle: c.ID, Name: "Bench", Due: time.Now().Add(48 * time.Hour)}, &round); code != 201 {
		b.Fatalf("open round: %d", code)
	}
	books := make([][]byte, len(round.Departments))
	for i, d := range round.Departments {
		books[i] = servetest.FillTravel(b, c, d, s.Workbook(round.ID, d, s.Admin), 100+i)
	}
	key, err := keys.Load(func(string) string { return "" }, filepath.Join(s.Dir, "data", "signing.key"))
	if err != nil {
		b.Fatal(err)
	}
	secrets := plan.New(plan.Options{Key: key})

	for b.Loop() {
		// Uploads: every client sends its department's workbook 10 times.
		const perClient = 10
		start := time.Now()
		lat := concurrently(b, serviceClients, perClient, func(client, _ int) error {
			path := fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload", round.ID, round.Departments[client])
			code, body, err := s.Do(servetest.Request{Method: "POST", Path: path, Token: s.Admin, Body: books[client]})
			return expect(code, 201, body, err)
		})
		uploads := time.Since(start)
		b.ReportMetric(float64(serviceClients*perClient)/uploads.Seconds(), "uploads/s")
		b.ReportMetric(ms(percentile(lat, 50)), "upload-p50-ms")
		b.ReportMetric(ms(percentile(lat, 99)), "upload-p99-ms")

		// The validate webhook, signed per request.
		var nonce atomic.Int64
		start = time.Now()
		lat = concurrently(b, serviceClients, 20, func(client, _ int) error {
			sheet := plan.SheetID(round.ID, round.Departments[client])
			body, _ := json.Marshal(map[string]string{"filename": "plan.xlsx", "workbook": base64.StdEncoding.EncodeToString(books[client])})
			code, out, err := s.Do(signed(secrets, sheet, "/api/v1/webhook/validate", body, nonce.Add(1)))
			return expect(code, 200, out, err)
		})
		validates := time.Since(start)
		b.ReportMetric(float64(serviceClients*20)/validates.Seconds(), "validates/s")
		b.ReportMetric(ms(percentile(lat, 50)), "validate-p50-ms")
		b.ReportMetric(ms(percentile(lat, 99)), "validate-p99-ms")

		// Submit through the webhook, then poll the submission until it is
		// harvested (the job's effect) and the job until River marks it
		// completed (its completer writes in batches).
		var waits, effects []time.Duration
		for i := range 20 {
			sheet := plan.SheetID(round.ID, round.Departments[i])
			body, _ := json.Marshal(map[string]string{"filename": "plan.xlsx", "workbook": base64.StdEncoding.EncodeToString(books[i])})
			t0 := time.Now()
			code, out, err := s.Do(signed(secrets, sheet, "/api/v1/webhook/submit", body, nonce.Add(1)))
			if err := expect(code, 202, out, err); err != nil {
				b.Fatal(err)
			}
			var accepted struct {
				Job        int64 `json:"job"`
				Submission int64 `json:"submission"`
			}
			if err := json.Unmarshal(out, &accepted); err != nil {
				b.Fatal(err)
			}
			for {
				var sub plan.Submission
				if code := s.Call("GET", fmt.Sprintf("/api/v1/submissions/%d", accepted.Submission), s.Admin, nil, &sub); code != 200 {
					b.Fatalf("submission %d: %d", accepted.Submission, code)
				}
				if sub.State != plan.Received {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			effects = append(effects, time.Since(t0))
			s.WaitJob(accepted.Job)
			waits = append(waits, time.Since(t0))
		}
		b.ReportMetric(ms(percentile(effects, 50)), "submit-to-harvested-p50-ms")
		b.ReportMetric(ms(percentile(waits, 50)), "submit-to-done-p50-ms")
		b.ReportMetric(ms(percentile(waits, 99)), "submit-to-done-max-ms")
	}
}

// signed builds a webhook request signed with the sheet's secret.
func signed(p *plan.Service, sheet, path string, body []byte, n int64) servetest.Request {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := fmt.Sprintf("bench-nonce-%012d", n)
	return servetest.Request{Method: "POST", Path: path, Body: json.RawMessage(body), Headers: map[string]string{
		"X-AOP-Sheet": sheet, "X-AOP-Timestamp": ts, "X-AOP-Nonce": nonce,
		"X-AOP-Signature": plan.Sign(p.SheetSecret(sheet), "POST", path, ts, nonce, body),
	}}
}

// concurrently runs clients × each calls of fn and returns every latency.
func concurrently(b *testing.B, clients, each int, fn func(client, i int) error) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				t0 := time.Now()
				if err := fn(c, i); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return lat
}

func expect(code, want int, body []byte, err error) error {
	if err != nil {
		return err
	}
	if code != want {
		return fmt.Errorf("status %d, want %d: %.300s", code, want, body)
	}
	return nil
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
