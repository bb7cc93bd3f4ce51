package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aop/engine"
	"aop/excel"
	"aop/templates"
)

// BenchmarkGenerate renders, signs and writes the 1,000 department
// workbooks in parallel over GOMAXPROCS, as `aop generate` does (one
// shared Writer, atomic synced writes into a folder). One op is the whole
// cycle. render-ms/wb and write-ms/wb split the time spent per workbook
// (summed over the workers).
func BenchmarkGenerate(b *testing.B) {
	c := benchCycle()
	tpl, err := templates.NewDepartment(c)
	if err != nil {
		b.Fatal(err)
	}
	var cellsPerCycle, render, write atomic.Int64
	ops := 0
	cpu0 := cpuTime()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		cellsPerCycle.Store(0)
		b.StartTimer()
		w := excel.NewWriter()
		errs := make([]error, numLeaves)
		parallel(numLeaves, func(i int) {
			t0 := time.Now()
			wb, err := tpl.Generate(leafID(i), "", benchKey)
			if err != nil {
				errs[i] = err
				return
			}
			t1 := time.Now()
			errs[i] = w.WriteFile(filepath.Join(dir, leafID(i)+".xlsx"), wb)
			render.Add(int64(t1.Sub(t0)))
			write.Add(int64(time.Since(t1)))
			cellsPerCycle.Add(int64(cells(wb)))
		})
		if err := errors.Join(errs...); err != nil {
			b.Fatal(err)
		}
		ops++
	}
	wbs := float64(ops * numLeaves)
	b.ReportMetric(float64(cpuTime()-cpu0)/1e6/wbs, "cpu-ms/workbook")
	b.ReportMetric(b.Elapsed().Seconds()*1e3/wbs, "ms/workbook")
	b.ReportMetric(float64(cellsPerCycle.Load())*float64(ops)/b.Elapsed().Seconds(), "cells/s")
	b.ReportMetric(float64(cellsPerCycle.Load())/numLeaves, "cells/workbook")
	b.ReportMetric(float64(render.Load())/1e6/wbs, "render-ms/wb")
	b.ReportMetric(float64(write.Load())/1e6/wbs, "write-ms/wb")
}

// BenchmarkHarvest reads, verifies and parses the 1,000 filled workbooks
// from disk in parallel over GOMAXPROCS, as `aop harvest` does, keeping
// only the submissions. One op is the whole cycle.
func BenchmarkHarvest(b *testing.B) {
	f := loadFixture(b)
	files := f.files(numLeaves)
	var total int64
	cpu0 := cpuTime()
	for b.Loop() {
		subs, n, err := harvestFiles(f, files)
		if err != nil {
			b.Fatal(err)
		}
		total += n
		_ = subs
	}
	ops := float64(b.N)
	b.ReportMetric(b.Elapsed().Seconds()*1e3/(ops*numLeaves), "ms/workbook")
	b.ReportMetric(float64(cpuTime()-cpu0)/1e6/(ops*numLeaves), "cpu-ms/workbook")
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "cells/s")
	b.ReportMetric(float64(total)/(ops*numLeaves), "cells/workbook")
	b.ReportMetric(ops*numLeaves*planLines*engine.MonthsPerYear/b.Elapsed().Seconds(), "amounts/s")
}

// harvestFiles harvests files in parallel and returns the submissions in
// order and the number of input cells read.
func harvestFiles(f *fixture, files []string) ([]*engine.Submission, int64, error) {
	return harvestFilesKeep(f, files, true)
}

// harvestFilesKeep is harvestFiles; unless keep, each submission is
// dropped once harvested, as `aop harvest` does after reporting it.
func harvestFilesKeep(f *fixture, files []string, keep bool) ([]*engine.Submission, int64, error) {
	subs := make([]*engine.Submission, len(files))
	errs := make([]error, len(files))
	var total atomic.Int64
	parallel(len(files), func(i int) {
		data, err := os.ReadFile(files[i])
		if err != nil {
			errs[i] = err
			return
		}
		sub, n, err := harvestCount(f.harvester, data, strings.TrimSuffix(filepath.Base(files[i]), ".xlsx"))
		if keep {
			subs[i] = sub
		}
		errs[i] = err
		total.Add(int64(n))
	})
	return subs, total.Load(), errors.Join(errs...)
}

var (
	subsOnce sync.Once
	allSubs  []*engine.Submission
	subsErr  error
)

// BenchmarkConsolidate consolidates the 1,000 harvested submissions
// (harvested once, untimed): engine.Consolidate, the gap register and the
// revenue and cost bridges. One op is the whole cycle.
func BenchmarkConsolidate(b *testing.B) {
	f := loadFixture(b)
	subsOnce.Do(func() { allSubs, _, subsErr = harvestFiles(f, f.files(numLeaves)) })
	if subsErr != nil {
		b.Fatal(subsErr)
	}
	gaps := 0
	b.ReportAllocs()
	for b.Loop() {
		k, err := engine.Consolidate(f.cycle, allSubs)
		if err != nil {
			b.Fatal(err)
		}
		gaps = len(k.Gaps())
		_ = k.Bridge(engine.Revenue)
		_ = k.Bridge(engine.COGS, engine.OpEx)
	}
	if gaps != len(f.cycle.Targets) {
		b.Fatalf("%d gap rows, want one per target (%d)", gaps, len(f.cycle.Targets))
	}
	ops := float64(b.N)
	b.ReportMetric(b.Elapsed().Seconds()*1e3/(ops*numLeaves), "ms/workbook")
	b.ReportMetric(ops*numLeaves*planLines*engine.MonthsPerYear/b.Elapsed().Seconds(), "amounts/s")
}

// memReport is what a harvest child process measures.
type memReport struct {
	Files int `json:"files"`
	// PeakHeap is the largest heap in use (objects and free space in
	// in-use spans) sampled every millisecond during the harvest.
	PeakHeap uint64 `json:"peak_heap"`
	// Retained is the heap in use after a GC once the harvest is done,
	// holding every submission.
	Retained uint64 `json:"retained"`
	// Baseline is the heap in use after a GC before the harvest.
	Baseline uint64 `json:"baseline"`
	// PeakRSS is the process's peak resident set (VmHWM).
	PeakRSS uint64  `json:"peak_rss"`
	Seconds float64 `json:"seconds"`
}

const childEnv = "AOP_BENCH_HARVEST_CHILD"

// BenchmarkHarvestMemory harvests 100 and then 1,000 workbooks, each run
// in a fresh process (this test binary), and reports the process's peak
// RSS and peak heap. Streaming (keep=false, as `aop harvest` does), memory
// stays flat as the number of workbooks grows; keeping every submission
// (keep=true, as a consolidation must), it grows by the submissions kept.
func BenchmarkHarvestMemory(b *testing.B) {
	loadFixture(b) // builds the cache before the children look for it
	for _, keep := range []bool{false, true} {
		for _, n := range []int{100, 1000} {
			b.Run(fmt.Sprintf("keep=%v/files=%d", keep, n), func(b *testing.B) {
				var r memReport
				for b.Loop() {
					cmd := exec.Command(os.Args[0], "-test.run=^TestHarvestChild$", "-test.count=1")
					cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d,%v", childEnv, n, keep))
					out, err := cmd.CombinedOutput()
					if err != nil {
						b.Fatalf("child: %v\n%s", err, out)
					}
					_, js, ok := strings.Cut(string(out), "MEMREPORT ")
					if !ok {
						b.Fatalf("child said:\n%s", out)
					}
					js, _, _ = strings.Cut(js, "\n")
					if err := json.Unmarshal([]byte(js), &r); err != nil {
						b.Fatal(err)
					}
				}
				const mb = 1 << 20
				b.ReportMetric(float64(r.PeakRSS)/mb, "peak-RSS-MB")
				b.ReportMetric(float64(r.PeakHeap)/mb, "peak-heap-MB")
				if keep {
					b.ReportMetric(float64(r.Retained-r.Baseline)/float64(n)/1024, "KB/sub-kept")
				}
				b.ReportMetric(r.Seconds*1e3/float64(n), "ms/workbook")
			})
		}
	}
}

// TestHarvestChild is the child process of BenchmarkHarvestMemory.
func TestHarvestChild(t *testing.T) {
	spec, keepText, _ := strings.Cut(os.Getenv(childEnv), ",")
	n, _ := strconv.Atoi(spec)
	keep := keepText == "true"
	if n == 0 {
		t.Skip("the child process of BenchmarkHarvestMemory")
	}
	f := loadFixture(t)
	files := f.files(n)
	heapInUse := func() uint64 {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64() + s[1].Value.Uint64()
	}
	runtime.GC()
	debug.FreeOSMemory()
	r := memReport{Files: n, Baseline: heapInUse()}
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapInUse(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	subs, _, err := harvestFilesKeep(f, files, keep)
	r.Seconds = time.Since(start).Seconds()
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	r.PeakHeap = peak.Load()
	runtime.GC()
	r.Retained = heapInUse()
	runtime.KeepAlive(subs)
	r.PeakRSS = peakRSS()
	js, _ := json.Marshal(r)
	fmt.Printf("MEMREPORT %s\n", js)
}
