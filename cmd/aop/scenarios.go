package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/urfave/cli/v3"

	"aop/cmd/internal/harvest"
	"aop/engine"
	"aop/engine/accuracy"
	"aop/engine/model"
	"aop/engine/project"
	"aop/engine/scenario"
	"aop/templates"
)

func scenariosCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "scenarios",
		Usage:     "project the consolidated plan under the cycle's scenarios, triggers and ranges",
		ArgsUsage: "FILE...",
		Description: "Harvests the workbooks like consolidate, builds the projection of the consolidated plan, evaluates every\n" +
			"scenario of the cycle file (base first) with its triggers and playbooks, runs the Monte Carlo ranges, scores\n" +
			"each department's forecast accuracy from its history, checks the hiring asks and compares the revenue each\n" +
			"department's sales drivers imply with the revenue it planned. A file with problems is left out and listed. Exit status as for harvest: 0 when every file was used, 1 when any was left out, 2 for usage errors.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cycle", Usage: "the cycle file", Required: true},
			&cli.IntFlag{Name: "runs", Usage: "Monte Carlo runs (default: the cycle file's ranges.runs)"},
			&cli.Uint64Flag{Name: "seed", Usage: "Monte Carlo seed (default: the cycle file's ranges.seed)"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as one JSON document"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			files := cmd.Args().Slice()
			if len(files) == 0 {
				return usagef("scenarios needs the department workbooks: aop scenarios --cycle CYCLE.yaml FILE...")
			}
			if err := checkFiles(files); err != nil {
				return err
			}
			if cmd.Int("runs") < 0 {
				return usagef("--runs must be at least 1")
			}
			cf, key, err := loadCycle(e, cmd.String("cycle"))
			if err != nil {
				return err
			}
			spec := cf.Planning
			if n := cmd.Int("runs"); n > 0 {
				spec.Runs = n
			}
			if cmd.IsSet("seed") {
				spec.Seed = cmd.Uint64("seed")
			}
			h, err := harvest.New(cf.Cycle, key)
			if err != nil {
				return err
			}
			b, err := harvestAndConsolidate(ctx, e, h, cf.Cycle, files)
			if err != nil {
				return err
			}
			rep, err := projectScenarios(cf.Cycle, b.k, b.submissions(), spec)
			if err != nil {
				return err
			}
			rep.leftOut = b.leftOut
			if cmd.Bool("json") {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep.document()); err != nil {
					return err
				}
			} else {
				rep.print(e.stdout)
			}
			if len(rep.leftOut) > 0 {
				return errProblems
			}
			return nil
		},
	}
}

// scenarioReport is what `aop scenarios` finds, and what the outlook tabs
// of the finance summary show: every scenario evaluated, the simulation,
// forecast accuracy, hiring checks, the driver check and the initiatives'
// lines.
type scenarioReport struct {
	cycle     *engine.Cycle
	spec      model.Spec
	results   []*scenario.Result
	simulated *scenario.Simulated
	accuracy  []accuracy.Report
	hiring    []project.HiringCheck
	// drivers compares the revenue each department's sales drivers imply
	// with the revenue it planned.
	drivers     []model.DriverGap
	initiatives []templates.Initiative
	leftOut     []*harvest.Result
	// skipped says which overrides, playbook changes and ranges matched
	// nothing in the plan (a department left out of the consolidation).
	skipped []string
}

// hasPlanningSections reports whether a cycle file's planning sections ask
// for anything: scenarios, triggers, ranges, history or initiatives.
func hasPlanningSections(spec model.Spec) bool {
	return len(spec.Scenarios) > 0 || len(spec.Triggers) > 0 || len(spec.Ranges) > 0 ||
		len(spec.Accuracy) > 0 || len(spec.Hiring) > 0 || len(spec.Initiatives) > 0
}

// outlook returns what the finance summary's outlook tabs show: the
// scenarios when the cycle prepares any, the ranges, the accuracy records
// and the initiatives.
func (r *scenarioReport) outlook() *templates.Outlook {
	o := &templates.Outlook{Ranges: r.simulated, Accuracy: r.accuracy, Initiatives: r.initiatives, Drivers: r.drivers}
	if r.simulated != nil {
		o.RangeDrivers = r.spec.Ranges
	}
	if len(r.spec.Scenarios) > 0 || len(r.spec.Triggers) > 0 {
		o.Scenarios = r.results
		for _, t := range r.spec.Triggers {
			o.Triggers = append(o.Triggers, t.Trigger)
		}
	}
	return o
}

// projectScenarios builds the model of the consolidated plan and evaluates
// what the cycle's scenario sections ask for, with the ranges and
// initiatives the departments typed on their workbooks (the cycle's win
// where both cover the same). aop scenarios prints what it finds; aop
// consolidate and aop demo write it into the finance summary.
func projectScenarios(c *engine.Cycle, k *engine.Consolidation, subs []*engine.Submission, spec model.Spec) (*scenarioReport, error) {
	spec = spec.WithSubmissions(c, subs)
	m, err := model.New(c, k, subs, spec)
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	plan, err := scenario.NewPlan(m, m.Inputs(), m.Constraints())
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	scenarios := spec.WithTriggers()
	var skipped []string
	scenarios, spec.Ranges, skipped = keepMatching(scenarios, spec.Ranges, m.Inputs())
	// The base goes first; without a base in the file, the plan as
	// consolidated is the base.
	slices.SortStableFunc(scenarios, func(a, b scenario.Scenario) int {
		return boolRank(a.Kind != scenario.Base) - boolRank(b.Kind != scenario.Base)
	})
	if len(scenarios) == 0 || scenarios[0].Kind != scenario.Base {
		scenarios = append([]scenario.Scenario{{Name: "base", Kind: scenario.Base}}, scenarios...)
	}
	rep := &scenarioReport{cycle: c, spec: spec, skipped: skipped}
	if rep.results, err = plan.EvaluateAll(scenarios); err != nil {
		return nil, err
	}
	if mc, ok := spec.Simulation(); ok {
		if rep.simulated, err = plan.Simulate(mc); err != nil {
			return nil, fmt.Errorf("monte carlo: %w", err)
		}
	}
	if len(spec.Accuracy) > 0 {
		if rep.accuracy, err = accuracy.AssessAll(spec.Accuracy, accuracy.DefaultPolicy()); err != nil {
			return nil, fmt.Errorf("forecast accuracy: %w", err)
		}
	}
	for _, h := range spec.Hiring {
		d, ok := m.HiringPlan(h.Department)
		if !ok {
			continue
		}
		d.Name = h.Department
		check, err := project.CheckHiringAsk(d, h.HiringHistory, engine.MonthsPerYear)
		if err != nil {
			return nil, fmt.Errorf("hiring check of %s: %w", h.Department, err)
		}
		rep.hiring = append(rep.hiring, check)
	}
	if rep.drivers, err = model.DriverCheck(c, subs); err != nil {
		return nil, err
	}
	for _, in := range spec.Initiatives {
		revenue, costs, err := in.Lines(engine.MonthsPerYear)
		if err != nil {
			return nil, fmt.Errorf("initiative %s: %w", in.Name, err)
		}
		rep.initiatives = append(rep.initiatives, templates.Initiative{
			Name: in.Name, Department: in.Department, Kind: string(in.Kind), Proposed: in.Proposal != nil, Revenue: revenue, Costs: costs})
	}
	return rep, nil
}

// keepMatching leaves out the overrides, playbook changes and ranges whose
// selector matches no series of the plan, as when a department has no
// accepted plan yet, and says which: the rest of the scenarios still run.
func keepMatching(scenarios []scenario.Scenario, ranges []scenario.Range, in scenario.Inputs) ([]scenario.Scenario, []scenario.Range, []string) {
	matches := func(sel scenario.Selector) bool {
		for k := range in.Drivers {
			if sel.Matches(k) {
				return true
			}
		}
		return false
	}
	bySelector := func(c scenario.Change) bool {
		return c.Switch == "" && c.Op != scenario.OpPause && c.Op != scenario.OpResume
	}
	var skipped []string
	out := make([]scenario.Scenario, len(scenarios))
	for i, sc := range scenarios {
		sc.Overrides = slices.DeleteFunc(slices.Clone(sc.Overrides), func(o scenario.Override) bool {
			if bySelector(o.Change) && !matches(o.Select) {
				skipped = append(skipped, fmt.Sprintf("scenario %s: %s matches nothing in the plan", sc.Name, o.Change))
				return true
			}
			return false
		})
		sc.Triggers = slices.Clone(sc.Triggers)
		for t := range sc.Triggers {
			pb := &sc.Triggers[t].Playbook
			actions := slices.Clone(pb.Actions)
			for a := range actions {
				actions[a].Changes = slices.DeleteFunc(slices.Clone(actions[a].Changes), func(c scenario.Change) bool {
					if bySelector(c) && !matches(c.Select) {
						skipped = append(skipped, fmt.Sprintf("scenario %s: playbook %s: %s: %s matches nothing in the plan",
							sc.Name, pb.Name, actions[a].Name, c))
						return true
					}
					return false
				})
			}
			// An action left with nothing to change (freezing the hiring of
			// a plan that hires no one) is no action.
			pb.Actions = slices.DeleteFunc(actions, func(a scenario.Action) bool { return len(a.Changes) == 0 })
		}
		// A trigger whose playbook has nothing left to do is not watched.
		sc.Triggers = slices.DeleteFunc(sc.Triggers, func(tr scenario.Trigger) bool {
			if len(tr.Playbook.Actions) == 0 {
				skipped = append(skipped, fmt.Sprintf("scenario %s: trigger %s: playbook %s has nothing left to do", sc.Name, tr.Name, tr.Playbook.Name))
				return true
			}
			return false
		})
		out[i] = sc
	}
	ranges = slices.DeleteFunc(slices.Clone(ranges), func(r scenario.Range) bool {
		if !matches(r.Select) {
			skipped = append(skipped, fmt.Sprintf("range %s matches nothing in the plan", r.Name))
			return true
		}
		return false
	})
	slices.Sort(skipped)
	return out, ranges, slices.Compact(skipped)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// yearFigures returns a scenario's company revenue and costs for the year
// and its headcount and cash at year end.
func yearFigures(o scenario.Outputs) (revenue, costs, headcount, cash decimal.Decimal) {
	y := func(metric string) decimal.Decimal { return o.Year(scenario.MetricKey{Metric: metric}) }
	return y(scenario.Revenue), y(scenario.Costs), y(scenario.Headcount), y(scenario.Cash)
}

func (r *scenarioReport) departmentName(id string) string {
	if d, ok := r.cycle.Department(id); ok {
		return d.Name
	}
	if id == scenario.Company {
		return "company"
	}
	return id
}

// print writes the readable report.
func (r *scenarioReport) print(w io.Writer) {
	c := r.cycle
	fmt.Fprintf(w, "%s · %s · scenarios (%s)\n\n", c.Company, c.Year.Name(), c.Currency)
	if len(r.skipped) > 0 {
		fmt.Fprintln(w, "left out (no accepted plan matches them):")
		for _, s := range r.skipped {
			fmt.Fprintf(w, "  %s\n", s)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-22s %-9s %18s %18s %10s %18s\n", "scenario", "kind", "revenue", "costs", "headcount", "cash at year end")
	for _, res := range r.results {
		rev, costs, hc, cash := yearFigures(res.Outputs)
		fmt.Fprintf(w, "%-22s %-9s %18s %18s %10s %18s\n", res.Scenario, res.Kind, engine.FormatMoney(rev), engine.FormatMoney(costs),
			hc.Round(1).String(), engine.FormatMoney(cash))
	}
	fired := false
	for _, res := range r.results {
		for _, f := range res.Fired {
			if !fired {
				fmt.Fprintln(w, "\ntriggers fired:")
				fired = true
			}
			value := f.Value.Round(2).String()
			if f.Value.Abs().LessThan(decimal.NewFromInt(10)) {
				value = engine.Percent(f.Value)
			}
			fmt.Fprintf(w, "  %s: %s (%s) fired in %s at %s; playbook %s from %s:\n", res.Scenario, f.Trigger, f.Condition,
				c.Year.Label(f.Month), value, f.Playbook, c.Year.Label(f.Response))
			for _, a := range f.Actions {
				if !a.InEffect {
					fmt.Fprintf(w, "    %-36s would start after the year ends\n", a.Action)
					continue
				}
				fmt.Fprintf(w, "    %-36s %s to %s (months %d-%d)\n", a.Action, c.Year.Label(a.From), c.Year.Label(a.To), a.From, a.To)
			}
		}
	}
	if !fired {
		fmt.Fprintln(w, "\nno trigger fired")
	}
	r.printBottlenecks(w)
	if s := r.simulated; s != nil {
		fmt.Fprintf(w, "\nMonte Carlo, %d runs (seed %d), the year:\n", s.Runs, s.Seed)
		fmt.Fprintf(w, "  %-10s %18s %18s %18s\n", "", "P10", "P50", "P90")
		for _, mr := range s.Metrics {
			fmt.Fprintf(w, "  %-10s %18s %18s %18s\n", mr.Metric, engine.FormatMoney(mr.Year.P10), engine.FormatMoney(mr.Year.P50), engine.FormatMoney(mr.Year.P90))
		}
		r.printRanges(w)
	}
	r.printInitiatives(w)
	if len(r.accuracy) > 0 {
		fmt.Fprintln(w, "\nforecast accuracy (prior forecasts against actuals):")
		for _, a := range r.accuracy {
			verdict := "no persistent bias"
			if a.Bias != accuracy.Unbiased {
				verdict = fmt.Sprintf("%s: suggested factor %s on its %s", a.Bias, a.Factor.StringFixed(3), a.Line)
			}
			fmt.Fprintf(w, "  %-24s %-8s WAPE %5.1f%%  MPE %+6.1f%%  %s\n", r.departmentName(a.Department), a.Line, a.WAPE, a.MPE, verdict)
		}
	}
	if len(r.hiring) > 0 {
		fmt.Fprintln(w, "\nhiring asks against hiring history:")
		for _, h := range r.hiring {
			mark := "ok  "
			if h.Over {
				mark = "OVER"
			}
			fmt.Fprintf(w, "  %s %-24s %s\n", mark, r.departmentName(h.Department), h.Message)
		}
	}
	if len(r.drivers) > 0 {
		fmt.Fprintln(w, "\ndriver-implied revenue against the plan (bookings from pipeline × win rate, a sales cycle later):")
		fmt.Fprintf(w, "  %-24s %18s %18s %18s %8s\n", "department", "typed", "implied", "gap", "gap %")
		for _, g := range r.drivers {
			pct := "-"
			if g.GapPercent != nil {
				pct = engine.Percent(*g.GapPercent)
			}
			fmt.Fprintf(w, "  %-24s %18s %18s %18s %8s\n", r.departmentName(g.Department), engine.FormatMoney(g.TypedYear),
				engine.FormatMoney(g.ImpliedYear), engine.FormatMoney(g.Gap), pct)
			if g.From > 1 {
				fmt.Fprintf(w, "    compared from %s, the first month this year's pipeline reaches\n", c.Year.Label(g.From))
			}
			if !g.AfterYear.IsZero() {
				fmt.Fprintf(w, "    %s more closes after the year\n", engine.FormatMoney(g.AfterYear))
			}
			if len(g.Incomplete) > 0 {
				months := make([]string, len(g.Incomplete))
				for i, p := range g.Incomplete {
					months[i] = c.Year.Label(p)
				}
				fmt.Fprintf(w, "    pipeline without win rate, deal size or sales cycle in %s implies nothing\n", strings.Join(months, ", "))
			}
		}
	}
	if len(r.leftOut) > 0 {
		fmt.Fprintln(w, "\nleft out of the projection:")
		for _, f := range r.leftOut {
			fmt.Fprintf(w, "  %s (%s)\n", f.File, f.Status)
			for _, fd := range f.Findings {
				fmt.Fprintf(w, "    %s\n", fd)
			}
		}
	}
}

// The JSON document of `aop scenarios --json`; amounts are exact decimal
// text, rounded to cents.
type (
	scenarioDoc struct {
		Cycle      string         `json:"cycle"`
		Scenarios  []scenarioRow  `json:"scenarios"`
		MonteCarlo *monteCarloDoc `json:"monte_carlo,omitempty"`
		Accuracy   []accuracyRow  `json:"accuracy"`
		Hiring     []hiringRow    `json:"hiring"`
		Drivers    []driverRow    `json:"driver_check"`
		LeftOut    []fileStatus   `json:"left_out"`
	}
	scenarioRow struct {
		Name      string `json:"name"`
		Kind      string `json:"kind"`
		Revenue   string `json:"revenue"`
		Costs     string `json:"costs"`
		Headcount string `json:"headcount"`
		Cash      string `json:"cash"`
		// HeadcountByMonth is the company's month-end headcount.
		HeadcountByMonth []string   `json:"headcount_by_month"`
		Fired            []firedRow `json:"fired"`
	}
	firedRow struct {
		Trigger   string      `json:"trigger"`
		Condition string      `json:"condition"`
		Month     int         `json:"month"`
		Playbook  string      `json:"playbook"`
		Response  int         `json:"response"`
		Actions   []actionRow `json:"actions"`
	}
	actionRow struct {
		Action   string `json:"action"`
		InEffect bool   `json:"in_effect"`
		From     int    `json:"from"`
		To       int    `json:"to"`
	}
	monteCarloDoc struct {
		Runs    int                  `json:"runs"`
		Seed    uint64               `json:"seed"`
		Metrics map[string][3]string `json:"metrics"`
	}
	accuracyRow struct {
		Department string  `json:"department"`
		Line       string  `json:"line"`
		WAPE       float64 `json:"wape"`
		MPE        float64 `json:"mpe"`
		Bias       string  `json:"bias"`
		Factor     string  `json:"factor"`
	}
	hiringRow struct {
		Department string  `json:"department"`
		Asked      float64 `json:"asked"`
		Fillable   float64 `json:"fillable"`
		Over       bool    `json:"over"`
		Message    string  `json:"message"`
	}
	// driverRow is one department's driver-implied revenue against its
	// plan; GapPercent is empty when the department typed no revenue.
	driverRow struct {
		Department     string   `json:"department"`
		Typed          string   `json:"typed"`
		Implied        string   `json:"implied"`
		Gap            string   `json:"gap"`
		GapPercent     string   `json:"gap_percent"`
		AfterYear      string   `json:"after_year"`
		TypedByMonth   []string `json:"typed_by_month"`
		ImpliedByMonth []string `json:"implied_by_month"`
		Incomplete     []int    `json:"incomplete"`
	}
)

func (r *scenarioReport) document() scenarioDoc {
	doc := scenarioDoc{Cycle: r.cycle.ID, Accuracy: []accuracyRow{}, Hiring: []hiringRow{}, Drivers: []driverRow{}, LeftOut: []fileStatus{}}
	for _, res := range r.results {
		rev, costs, hc, cash := yearFigures(res.Outputs)
		row := scenarioRow{Name: res.Scenario, Kind: string(res.Kind), Revenue: money(rev), Costs: money(costs),
			Headcount: hc.Round(2).String(), Cash: money(cash), Fired: []firedRow{}}
		people, _ := res.Outputs.Get(scenario.Company, scenario.Headcount)
		for _, p := range people {
			row.HeadcountByMonth = append(row.HeadcountByMonth, p.Round(2).String())
		}
		for _, f := range res.Fired {
			fr := firedRow{Trigger: f.Trigger, Condition: f.Condition, Month: int(f.Month), Playbook: f.Playbook, Response: int(f.Response)}
			for _, a := range f.Actions {
				fr.Actions = append(fr.Actions, actionRow{Action: a.Action, InEffect: a.InEffect, From: int(a.From), To: int(a.To)})
			}
			row.Fired = append(row.Fired, fr)
		}
		doc.Scenarios = append(doc.Scenarios, row)
	}
	if s := r.simulated; s != nil {
		doc.MonteCarlo = &monteCarloDoc{Runs: s.Runs, Seed: s.Seed, Metrics: map[string][3]string{}}
		for _, mr := range s.Metrics {
			doc.MonteCarlo.Metrics[mr.Metric] = [3]string{money(mr.Year.P10), money(mr.Year.P50), money(mr.Year.P90)}
		}
	}
	for _, a := range r.accuracy {
		doc.Accuracy = append(doc.Accuracy, accuracyRow{Department: a.Department, Line: a.Line.String(), WAPE: a.WAPE, MPE: a.MPE,
			Bias: a.Bias.String(), Factor: a.Factor.String()})
	}
	for _, h := range r.hiring {
		doc.Hiring = append(doc.Hiring, hiringRow{Department: h.Department, Asked: h.Asked, Fillable: h.Fillable, Over: h.Over, Message: h.Message})
	}
	for _, g := range r.drivers {
		row := driverRow{Department: g.Department, Typed: money(g.TypedYear), Implied: money(g.ImpliedYear), Gap: money(g.Gap),
			AfterYear: money(g.AfterYear), Incomplete: []int{}}
		if g.GapPercent != nil {
			row.GapPercent = g.GapPercent.Round(4).String()
		}
		for p := range engine.MonthsPerYear {
			row.TypedByMonth = append(row.TypedByMonth, money(g.Typed[p]))
			row.ImpliedByMonth = append(row.ImpliedByMonth, money(g.Implied[p]))
		}
		for _, p := range g.Incomplete {
			row.Incomplete = append(row.Incomplete, int(p))
		}
		doc.Drivers = append(doc.Drivers, row)
	}
	for _, f := range r.leftOut {
		doc.LeftOut = append(doc.LeftOut, fileStatus{File: f.File, Department: f.Identity.Department, Status: f.Status, Findings: f.Findings})
	}
	return doc
}

// printRanges names the uncertain drivers the simulation drew: the cycle
// file's by name, the departments' with their low, likely and high case.
func (r *scenarioReport) printRanges(w io.Writer) {
	var cycle []string
	var departments []scenario.Range
	for _, rg := range r.spec.Ranges {
		if model.IsDepartmentRange(rg) {
			departments = append(departments, rg)
		} else {
			cycle = append(cycle, rg.Name)
		}
	}
	if len(cycle) > 0 {
		fmt.Fprintf(w, "  ranges from the cycle file: %s\n", strings.Join(cycle, ", "))
	}
	if len(departments) > 0 {
		fmt.Fprintln(w, "  ranges from departments' workbooks (low, likely, high as a share of plan):")
		for _, rg := range departments {
			account := rg.Select.Driver
			if a, ok := r.cycle.Account(account); ok {
				account = a.Label()
			}
			line := fmt.Sprintf("    %-24s %-30s", r.departmentName(rg.Select.Department), account)
			if p, ok := rg.Dist.(scenario.PERT); ok {
				line += fmt.Sprintf(" %s, %s, %s", engine.Percent(p.Min), engine.Percent(p.Mode), engine.Percent(p.Max))
			}
			fmt.Fprintln(w, line)
		}
	}
}

// printInitiatives lists the initiatives in the plan with their year's
// revenue and costs, saying which a department proposed.
func (r *scenarioReport) printInitiatives(w io.Writer) {
	if len(r.initiatives) == 0 {
		return
	}
	fmt.Fprintln(w, "\ninitiatives (in the plan; a playbook can pause them):")
	for _, in := range r.initiatives {
		kind := in.Kind
		if in.Proposed {
			kind += ", proposed by the department"
		}
		fmt.Fprintf(w, "  %-24s %-24s revenue %15s  costs %15s  (%s)\n", in.Name, r.departmentName(in.Department),
			engine.FormatMoney(engine.Sum(in.Revenue...)), engine.FormatMoney(engine.Sum(in.Costs...)), kind)
	}
}

// printBottlenecks says where a scenario asks more of a capacity than its
// people carry.
func (r *scenarioReport) printBottlenecks(w io.Writer) {
	if len(r.spec.Capacities) == 0 {
		return
	}
	found := false
	for _, res := range r.results {
		for _, b := range res.Bindings {
			if !found {
				fmt.Fprintln(w, "\nbottlenecks (demand above capacity):")
				found = true
			}
			fmt.Fprintf(w, "  %s: %s in %s from %s, %d months; the worst, %s, short %s\n", res.Scenario, b.Constraint,
				r.departmentName(b.Department), r.cycle.Year.Label(b.Months[0]), len(b.Months), r.cycle.Year.Label(b.Worst), engine.FormatMoney(b.Shortfall))
		}
	}
	if !found {
		fmt.Fprintln(w, "\nno capacity binds in any scenario")
	}
}
