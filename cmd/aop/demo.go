package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/urfave/cli/v3"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/harvest"
	"aop/cmd/internal/keys"
	"aop/engine"
	"aop/engine/grid"
	"aop/excel"
	"aop/templates"
)

func demoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run the whole loop on a built-in example company, on local .xlsx files",
		Description: "Writes DIR/cycle.yaml and DIR/signing.key for Kestrel Analytics, generates DIR/departments/<id>.xlsx,\n" +
			"fills them as department heads would (one leaves a mistake) and harvests them with a readable report.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "the folder to write the demo into", Value: "demo"},
			&cli.StringFlag{Name: "backend", Usage: "xlsx (local files) or sheets-emulator (Google Sheets, emulated in process)", Value: "xlsx"},
			&cli.BoolFlag{Name: "with-actuals", Usage: "then close the demo year month by month: import ledger exports, review, write Actuals vs Plan"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			switch cmd.String("backend") {
			case "xlsx":
				return runDemo(ctx, e, cmd.String("out"), cmd.Bool("with-actuals"))
			case "sheets-emulator":
				return runSheetsDemo(ctx, e, cmd.String("out"))
			}
			return fmt.Errorf("--backend %q: use xlsx or sheets-emulator", cmd.String("backend"))
		},
	}
}

func runDemo(ctx context.Context, e *env, dir string, withActuals bool) error {
	deptDir := filepath.Join(dir, "departments")
	if err := os.MkdirAll(deptDir, 0o755); err != nil {
		return err
	}
	cf, key, cyclePath, err := writeDemoCycle(e, dir)
	if err != nil {
		return err
	}
	c := cf.Cycle

	paths, err := generate(ctx, e, c, key, "", deptDir, c.Leaves())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "1. generated %d department workbooks in %s\n", len(paths), deptDir)

	t, err := templates.NewDepartment(c)
	if err != nil {
		return err
	}
	var fix excel.Edit
	for i, d := range c.Leaves() {
		sub := demoSubmission(c, d.ID)
		in, err := t.Inputs(sub)
		if err != nil {
			return err
		}
		edits := make([]excel.Edit, 0, len(in)+1)
		for _, x := range in {
			edits = append(edits, excel.Edit{Sheet: x.Sheet, Cell: x.Cell, Value: x.Value})
		}
		if d.ID == demoMistakeDept {
			// A department head types words where a number belongs; the
			// second round puts the number in.
			sheet, cell, err := t.PlanCell(2, "month:4")
			if err != nil {
				return err
			}
			edits = append(edits, excel.Edit{Sheet: sheet, Cell: cell, Value: grid.Str("about 40k")})
			fix = excel.Edit{Sheet: sheet, Cell: cell, Value: grid.Num(sub.Lines[2].Months[3])}
		}
		if err := excel.EditFile(paths[i], edits); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "2. department heads filled their workbooks: sales sandbags, engineering over-asks, %s types words into an amount cell\n\n", demoMistakeDept)

	h, err := harvest.New(c, key)
	if err != nil {
		return err
	}
	results, err := harvestFiles(ctx, e, h, c, paths, "")
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "3. harvest, round 1:")
	printHarvest(e.stdout, c, results)

	mistake := filepath.Join(deptDir, demoMistakeDept+".xlsx")
	if err := excel.EditFile(mistake, []excel.Edit{fix}); err != nil {
		return err
	}
	results, err = harvestFiles(ctx, e, h, c, []string{mistake}, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\n4. %s fixes '%s'!%s and submits again, round 2:\n", demoMistakeDept, fix.Sheet, fix.Cell)
	printHarvest(e.stdout, c, results)

	summary := filepath.Join(dir, "summary.xlsx")
	res, err := consolidate(ctx, e, c, key, paths, consolidateOptions{
		out: summary, by: "project", history: filepath.Join(dir, "history"), writeBack: true, now: time.Now().UTC(),
		planning: &cf.Planning,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\n5. consolidate:")
	res.print(e.stdout)
	if len(res.leftOut) > 0 {
		return fmt.Errorf("demo: %d workbooks were left out of the consolidation", len(res.leftOut))
	}
	// The summary's outlook tabs hold the projection; the demo prints it.
	rep := res.scenarios
	if rep == nil {
		return fmt.Errorf("demo: the cycle file has no scenario sections")
	}
	fmt.Fprintln(e.stdout, "\n6. scenarios:")
	rep.print(e.stdout)
	fmt.Fprintf(e.stdout, "\nOpen %s for finance's view and the Summary tab of any workbook in %s for a department's.\n", summary, deptDir)
	fmt.Fprintf(e.stdout, "Try it yourself:\n  aop harvest --cycle %s %s\n  aop consolidate --cycle %s --out %s --by channel %s\n  aop scenarios --cycle %s %s\n",
		cyclePath, filepath.Join(deptDir, "*.xlsx"), cyclePath, summary, filepath.Join(deptDir, "*.xlsx"), cyclePath, filepath.Join(deptDir, "*.xlsx"))
	if withActuals {
		return demoCloses(ctx, e, cf, key, cyclePath, dir, paths)
	}
	return nil
}

// writeDemoCycle writes the demo's cycle file and signing key into dir,
// loads them, and says what the cycle holds.
func writeDemoCycle(e *env, dir string) (*cyclefile.File, templates.Key, string, error) {
	keyFile := filepath.Join(dir, "signing.key")
	if _, err := os.Stat(keyFile); os.IsNotExist(err) {
		if _, err := keys.Create(keyFile); err != nil {
			return nil, nil, "", err
		}
	}
	cyclePath := filepath.Join(dir, "cycle.yaml")
	if err := os.WriteFile(cyclePath, []byte(demoCycleYAML()), 0o644); err != nil {
		return nil, nil, "", err
	}
	// The demo's own key file is used even when AOP_SIGNING_KEY is set, so
	// that the files it writes verify with the cycle it writes.
	demoEnv := *e
	demoEnv.getenv = func(k string) string {
		if k == keys.EnvVar {
			return ""
		}
		return e.getenv(k)
	}
	cf, key, err := loadCycle(&demoEnv, cyclePath)
	if err != nil {
		return nil, nil, "", fmt.Errorf("demo cycle: %w", err)
	}
	c := cf.Cycle
	fmt.Fprintf(e.stdout, "%s · %s · %d departments (%d plan) · %d accounts · dimensions: %s\n",
		c.Company, c.Year.Name(), len(c.Departments), len(c.Leaves()), len(c.Accounts), dimensionNames(c))
	fmt.Fprintf(e.stdout, "cycle file: %s\n\n", cyclePath)
	return cf, key, cyclePath, nil
}

func dimensionNames(c *engine.Cycle) string {
	var names []string
	for _, d := range c.Dimensions {
		names = append(names, strings.ToLower(d.Name))
	}
	return strings.Join(names, ", ")
}

// demoMistakeDept is the department whose head leaves a validation error.
const demoMistakeDept = "marketing"

type demoDept struct {
	id, name, parent, owner string
	// size scales the department's spend; growth is what its head asks for
	// over last year.
	size, growth float64
}

var demoDepts = []demoDept{
	{id: "gtm", name: "Go-to-market", owner: "cro@kestrel.example"},
	{id: "sales", name: "Sales", parent: "gtm", owner: "dana.reyes@kestrel.example", size: 3.2, growth: 0.02},
	{id: "marketing", name: "Marketing", parent: "gtm", owner: "li.wong@kestrel.example", size: 2.1, growth: 0.22},
	{id: "customer-success", name: "Customer Success", parent: "gtm", owner: "sam.okafor@kestrel.example", size: 1.4, growth: 0.08},
	{id: "rnd", name: "Research & Development", owner: "cto@kestrel.example"},
	{id: "engineering", name: "Engineering", parent: "rnd", owner: "priya.nair@kestrel.example", size: 4.5, growth: 0.35},
	{id: "product", name: "Product Management", parent: "rnd", owner: "tom.berg@kestrel.example", size: 1.1, growth: 0.05},
	{id: "data", name: "Data Platform", parent: "rnd", owner: "ana.silva@kestrel.example", size: 1.6, growth: 0.10},
	{id: "ga", name: "General & Administrative", owner: "cfo@kestrel.example"},
	{id: "finance", name: "Finance", parent: "ga", owner: "marc.dubois@kestrel.example", size: 0.9, growth: 0.03},
	{id: "people", name: "People", parent: "ga", owner: "joy.mensah@kestrel.example", size: 0.8, growth: 0.09},
	{id: "it", name: "IT & Security", parent: "ga", owner: "kai.lindqvist@kestrel.example", size: 1.0, growth: 0.06},
}

type demoAccount struct {
	code, name, typ, group string
	depts                  []string
	// base is last year's spend for a department of size 1.
	base float64
}

var demoAccounts = []demoAccount{
	{"4000", "Subscription revenue", "revenue", "Revenue", []string{"sales"}, 11_500_000},
	{"4100", "Professional services", "revenue", "Revenue", []string{"customer-success"}, 1_900_000},
	{"5000", "Cloud hosting", "cogs", "Cost of revenue", []string{"engineering", "data"}, 420_000},
	{"5100", "Support tooling", "cogs", "Cost of revenue", []string{"customer-success"}, 150_000},
	{"6000", "Salaries", "opex", "Personnel", nil, 1_150_000},
	{"6010", "Benefits and payroll taxes", "opex", "Personnel", nil, 270_000},
	{"6100", "Contractors", "opex", "Personnel", nil, 90_000},
	{"6200", "Travel", "opex", "Travel", nil, 48_000},
	{"6300", "Software subscriptions", "opex", "Tools", nil, 36_000},
	{"6400", "Paid media", "opex", "Programs", []string{"marketing"}, 520_000},
	{"6410", "Events and sponsorships", "opex", "Programs", []string{"marketing", "sales"}, 140_000},
	{"6500", "Recruiting fees", "opex", "Personnel", []string{"people"}, 260_000},
	{"6600", "Training", "opex", "Personnel", nil, 12_000},
	{"6700", "Legal and audit fees", "opex", "Professional fees", []string{"finance"}, 310_000},
	{"6800", "Office and facilities", "opex", "Facilities", []string{"it", "finance"}, 240_000},
	{"7000", "Headcount (FTE)", "headcount", "Headcount", nil, 0},
	{"9000", "Qualified leads", "kpi", "Pipeline", []string{"marketing"}, 0},
}

// demoCycleYAML writes the example company's cycle file, as finance would.
// Amounts come from a fixed seed, so every run writes the same file.
func demoCycleYAML() string {
	rng := rand.New(rand.NewPCG(2027, 1))
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Kestrel Analytics: the FY2027 annual operating plan (written by `aop demo`).\n")
	w("cycle: kestrel-fy2027\ncompany: Kestrel Analytics, Inc.\ncurrency: USD\nfiscal_year: 2027\nstart_month: 2\n")
	w("signing_key_file: signing.key\nlines: 150\n\ndepartments:\n")
	for _, d := range demoDepts {
		w("  - id: %s\n    name: %q\n", d.id, d.name)
		if d.parent != "" {
			w("    parent: %s\n", d.parent)
		}
		w("    owner: %s\n", d.owner)
	}
	w("\naccounts:\n")
	for _, a := range demoAccounts {
		w("  - {code: %q, name: %q, type: %s, group: %q", a.code, a.name, a.typ, a.group)
		if len(a.depts) > 0 {
			w(", departments: [%s]", strings.Join(a.depts, ", "))
		}
		w("}\n")
	}
	w(`
dimensions:
  - id: project
    name: Project
    members:
      - {id: core, name: Core business}
      - {id: apollo, name: Apollo launch}
      - {id: emea, name: EMEA expansion}
      - {id: platform-v3, name: Platform v3}
  - id: channel
    name: Channel
    members: [{id: direct, name: Direct}, {id: partner, name: Partner}, {id: online, name: Online}]

rules:
  - {id: explain-growth, kind: explain_growth, threshold: 15%%, level: error}
  - {id: growth-cap, kind: max_growth, threshold: 60%%, level: warning}
  - {id: no-negative-costs, kind: no_negative, accounts: [Personnel, Travel, Tools, Programs, Professional fees, Facilities], level: error}
`)
	w("\nprior_year:\n  actuals:\n")
	targets := &strings.Builder{}
	for _, d := range demoDepts {
		if d.size == 0 {
			continue
		}
		groups := map[string]float64{}
		var order []string
		for _, a := range demoAccounts {
			if a.base == 0 || (len(a.depts) > 0 && !containsStr(a.depts, d.id)) {
				continue
			}
			amt := cents(a.base * d.size * (0.85 + 0.3*rng.Float64()))
			w("    - {department: %s, account: %q, amount: %s}\n", d.id, a.code, amt)
			f, _ := amt.Float64()
			if _, seen := groups[a.group]; !seen {
				order = append(order, a.group)
			}
			groups[a.group] += f
		}
		// Finance asks revenue teams for more and cost centres for less
		// than they will ask for themselves.
		for _, g := range order {
			lift := 1.04
			if g == "Revenue" {
				lift = 1.30
			}
			fmt.Fprintf(targets, "  - {department: %s, group: %q, amount: %s}\n", d.id, g, cents(groups[g]*lift))
		}
	}
	w("\ntargets:\n%s", targets.String())
	w("%s", demoScenariosYAML)
	return b.String()
}

// demoScenariosYAML is the demo's scenario sections: a base, an upside, a
// downside watched by a revenue trigger with its playbook, an event, two
// uncertain drivers, the Apollo launch, and three years of quarterly
// forecasts in which Customer Success persistently over-projects.
const demoScenariosYAML = `
cash: {dso: 45, dpo: 30, opening: 6000000}

initiatives:
  - name: apollo
    department: sales
    kind: launch
    launch:
      start: 3
      time_to_fit: 1
      price: 1500
      units: {peak: 90, midpoint: 7, steepness: 0.7}
      development: {total: 240000, from: 1, months: 4}
      go_to_market: {total: 360000, from: 3, months: 6}

scenarios:
  - {name: base, kind: base}
  - name: upside
    kind: upside
    overrides:
      - {op: multiply, department: sales, account: "4000", from: 4, value: 1.08}
  - name: downside
    kind: downside
    overrides:
      - {op: multiply, department: sales, account: "4000", from: 4, value: 0.82}
  - name: competitor-launch
    kind: event
    overrides:
      - {op: multiply, department: sales, account: "4000", from: 7, value: 0.95}
      - {op: multiply, department: marketing, group: Programs, from: 7, value: 115%}

triggers:
  - name: revenue-slump
    metric: revenue
    company: true
    trailing: 3
    of_plan: true
    compare: "<"
    threshold: 92%
    persistence: 2
    playbook: downside-response
    scenarios: [downside]

playbooks:
  - name: downside-response
    actions:
      - {name: freeze hiring, lead: 1, freeze_hiring: true}
      - {name: pause Apollo, lead: 1, pause: [apollo]}
      - {name: cut discretionary opex 10%, lead: 1, cut: {groups: [Travel, Tools, Programs], by: 10%}}

ranges:
  runs: 2000
  seed: 2027
  drivers:
    - {name: subscription-revenue, department: sales, account: "4000", pert: {min: 0.86, mode: 1, max: 1.06}}
    - {name: hosting-costs, department: "*", account: "5000", lognormal: {p5: 0.95, p95: 1.3}}

actuals:
  review:
    explain_above: {amount: 25000, share: 5%}
    watch: 10%
    breach: 20%
  mappings:
    - name: gl
      columns: {department: Cost centre, account: Account, amount: Amount, period: Period}
      control_total: {column: Cost centre, label: Total}
    - name: kpis
      columns:
        department: Cost centre
        period: Period
        indicators: {pipeline: Pipeline, win_rate: Win rate, stage_2_to_close_conversion: Stage-2 to close conversion}

history:
  accuracy:
    - department: customer-success
      line: revenue
      forecast: [640000, 655000, 670000, 690000, 700000, 715000, 730000, 745000, 760000, 775000, 790000, 805000]
      actual:   [592000, 611000, 618000, 640000, 652000, 655000, 671000, 690000, 694000, 716000, 731000, 738000]
    - department: sales
      line: revenue
      forecast: [9100000, 9200000, 9350000, 9500000, 9600000, 9700000, 9850000, 10000000, 10100000, 10250000, 10400000, 10500000]
      actual:   [9180000, 9150000, 9420000, 9460000, 9690000, 9650000, 9900000, 9970000, 10180000, 10220000, 10460000, 10470000]
    - department: engineering
      line: cost
      forecast: [4900000, 4950000, 5000000, 5100000, 5150000, 5200000, 5300000, 5350000, 5400000, 5500000, 5550000, 5600000]
      actual:   [4870000, 4990000, 4960000, 5130000, 5120000, 5240000, 5270000, 5380000, 5370000, 5530000, 5520000, 5640000]
  hiring:
    - {department: engineering, requested: 30, filled: 6, days_to_fill: [62, 75, 88, 54, 96, 71], window_months: 12}
    - {department: sales, requested: 14, filled: 12, days_to_fill: [35, 41, 28, 52, 44, 39, 47, 33, 50, 38, 42, 36], window_months: 12}
`

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func cents(f float64) decimal.Decimal { return decimal.NewFromFloat(f).Round(2) }
