package bench

import (
	"aop/cmd/internal/servetest"
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// compareFiles is how many workbooks the cold-process comparison reads.
const compareFiles = 200

// python is Debian's interpreter, which has python3-openpyxl.
const python = "/usr/bin/python3"

// requireHeavy skips the cold-process comparisons unless AOP_BENCH=1 (make
// bench sets it): they build the binary and run Python, which belongs to
// make bench, not make test.
func requireHeavy(b *testing.B) {
	b.Helper()
	if testing.Short() {
		b.Skip("cold-process comparison: not with -short")
	}
	if os.Getenv("AOP_BENCH") != "1" {
		b.Skip("cold-process comparison: set AOP_BENCH=1 (make bench does)")
	}
}

// requireOpenpyxl skips when Debian's python3-openpyxl is missing, except
// in CI, where it fails.
func requireOpenpyxl(b *testing.B) {
	b.Helper()
	out, err := exec.Command(python, "-c", "import openpyxl; print(openpyxl.__version__)").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("python3-openpyxl is missing (%s -c 'import openpyxl': %v: %s); apt-get install python3-openpyxl",
		python, err, strings.TrimSpace(string(out)))
	if os.Getenv("CI") == "true" {
		b.Fatal(msg)
	}
	b.Skip(msg)
}

// buildAOP builds the aop binary once per run.
func buildAOP(b *testing.B) string { return servetest.Binary(b) }

// run is one finished cold process.
type run struct {
	wall, cpu time.Duration // cpu: user + system
	rss       uint64        // peak resident set, bytes
	out       string
}

func runCold(b *testing.B, name string, args ...string) run {
	b.Helper()
	cmd := exec.Command(name, args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start := time.Now()
	err := cmd.Run()
	r := run{wall: time.Since(start), out: out.String()}
	if err != nil {
		b.Fatalf("%s: %v\n%s", name, err, stderr.String())
	}
	ps := cmd.ProcessState
	r.cpu = ps.UserTime() + ps.SystemTime()
	r.rss = childPeakRSS(ps)
	return r
}

// BenchmarkHarvestVsOpenpyxl reads the same 200 workbooks of 200 lines ×
// 12 months, in the same run, with cold processes: `aop harvest` (read,
// verify, parse, report; parallel over the cores), openpyxl in read-only
// mode reading every cell of every sheet (one core), and, in this process
// on one core, the inflate floor (archive/zip inflating every part) and
// excelize reading every row of every sheet. It reports wall and CPU
// seconds of each and the ratios; the target is aop ≥ 20× faster than
// openpyxl.
func BenchmarkHarvestVsOpenpyxl(b *testing.B) {
	requireHeavy(b)
	requireOpenpyxl(b)
	f := loadFixture(b)
	bin := buildAOP(b)
	files := f.files(compareFiles)
	script, err := filepath.Abs("openpyxl_read.py")
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range files { // the same page cache for every reader
		if _, err := os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
	}
	var aop, py run
	var floor, xl time.Duration
	for b.Loop() {
		aop = runCold(b, bin, append([]string{"harvest", "--cycle", f.cycleFile()}, files...)...)
		want := fmt.Sprintf("%d files: %d valid", compareFiles, compareFiles)
		if !strings.Contains(aop.out, want) {
			b.Fatalf("aop harvest did not report %q:\n%s", want, tail(aop.out))
		}
		py = runCold(b, python, append([]string{script}, files...)...)
		if !strings.HasPrefix(py.out, fmt.Sprintf("files %d ", compareFiles)) {
			b.Fatalf("openpyxl_read.py said %q", py.out)
		}
		start := time.Now()
		if err := inflateAll(files); err != nil {
			b.Fatal(err)
		}
		floor = time.Since(start)
		start = time.Now()
		if err := excelizeRows(files); err != nil {
			b.Fatal(err)
		}
		xl = time.Since(start)
	}
	b.Logf("%d workbooks: aop harvest %.2fs wall %.2fs CPU %d MB; openpyxl %.2fs wall %.2fs CPU %d MB (%s); inflate floor %.2fs; excelize rows %.2fs",
		compareFiles, aop.wall.Seconds(), aop.cpu.Seconds(), aop.rss>>20, py.wall.Seconds(), py.cpu.Seconds(), py.rss>>20,
		strings.TrimSpace(py.out), floor.Seconds(), xl.Seconds())
	b.ReportMetric(aop.wall.Seconds(), "aop-s")
	b.ReportMetric(aop.cpu.Seconds(), "aop-cpu-s")
	b.ReportMetric(py.wall.Seconds(), "openpyxl-s")
	b.ReportMetric(py.cpu.Seconds(), "openpyxl-cpu-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(xl.Seconds(), "excelize-s")
	b.ReportMetric(py.wall.Seconds()/aop.wall.Seconds(), "openpyxl/aop")
	b.ReportMetric(py.cpu.Seconds()/aop.cpu.Seconds(), "openpyxl/aop-cpu")
	b.ReportMetric(aop.wall.Seconds()/floor.Seconds(), "aop/floor")
	b.ReportMetric(float64(aop.rss)/(1<<20), "aop-peak-RSS-MB")
	b.ReportMetric(float64(py.rss)/(1<<20), "openpyxl-peak-RSS-MB")
}

// BenchmarkHarvestCLIMemory runs `aop harvest` over 100 and 1,000
// workbooks and reports the process's peak RSS: the command keeps every
// file's result (records and submission) until it prints the report.
func BenchmarkHarvestCLIMemory(b *testing.B) {
	requireHeavy(b)
	f := loadFixture(b)
	bin := buildAOP(b)
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			var r run
			for b.Loop() {
				r = runCold(b, bin, append([]string{"harvest", "--cycle", f.cycleFile()}, f.files(n)...)...)
			}
			b.ReportMetric(float64(r.rss)/(1<<20), "peak-RSS-MB")
			b.ReportMetric(r.wall.Seconds()*1e3/float64(n), "ms/workbook")
			b.ReportMetric(r.cpu.Seconds()*1e3/float64(n), "cpu-ms/workbook")
		})
	}
}

// inflateAll is the floor of any reader: open each file and inflate every
// part, doing nothing with the bytes.
func inflateAll(files []string) error {
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return err
		}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// excelizeRows reads every row of every sheet with excelize, the library
// aop writes with.
func excelizeRows(files []string) error {
	for _, p := range files {
		x, err := excelize.OpenFile(p)
		if err != nil {
			return err
		}
		for _, s := range x.GetSheetList() {
			if _, err := x.GetRows(s); err != nil {
				x.Close()
				return err
			}
		}
		x.Close()
	}
	return nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}
