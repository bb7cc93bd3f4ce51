package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/urfave/cli/v3"

	"aop/engine"
	"aop/excel"
	"aop/templates"
)

func generateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "write one input workbook per department",
		Description: "Writes OUT/departments/<department-id>.xlsx for every department that plans (the leaves of the\n" +
			"hierarchy), seeded with last year's actuals and signed with the cycle's key.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cycle", Usage: "the cycle file", Required: true},
			&cli.StringFlag{Name: "out", Usage: "the folder to write into", Required: true},
			&cli.StringSliceFlag{Name: "department", Usage: "only this department (repeatable)"},
			&cli.StringFlag{Name: "round", Usage: "the collection round written into each workbook"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			cf, key, err := loadCycle(e, cmd.String("cycle"))
			if err != nil {
				return err
			}
			depts := cf.Cycle.Leaves()
			if only := cmd.StringSlice("department"); len(only) > 0 {
				for _, id := range only {
					if _, ok := cf.Cycle.Department(id); !ok {
						return usagef("cycle %s has no department %q", cf.Cycle.ID, id)
					}
				}
				depts = slices.DeleteFunc(depts, func(d engine.Department) bool { return !slices.Contains(only, d.ID) })
			}
			paths, err := generate(ctx, e, cf.Cycle, key, cmd.String("round"), filepath.Join(cmd.String("out"), "departments"), depts)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %d department workbooks to %s\n", len(paths), filepath.Join(cmd.String("out"), "departments"))
			return nil
		},
	}
}

// generate writes the workbooks of depts into dir, in parallel, and returns
// their paths in department order.
func generate(ctx context.Context, e *env, c *engine.Cycle, key templates.Key, round, dir string, depts []engine.Department) ([]string, error) {
	t, err := templates.NewDepartment(c)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// One writer for all workbooks: it hashes the sheet password once.
	w := excel.NewWriter()
	paths := make([]string, len(depts))
	errs := make([]error, len(depts))
	bar := newProgress(e, len(depts), "generating")
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				d := depts[i]
				paths[i] = filepath.Join(dir, d.ID+".xlsx")
				wb, err := t.Generate(d.ID, round, key)
				if err == nil {
					err = w.WriteFile(paths[i], wb)
				}
				if err != nil {
					errs[i] = fmt.Errorf("department %s: %w", d.ID, err)
				}
				bar.Add(1)
			}
		}()
	}
	for i := range depts {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	bar.Finish()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return paths, ctx.Err()
}
