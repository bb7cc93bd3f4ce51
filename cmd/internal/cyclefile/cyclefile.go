// Package cyclefile loads the cycle file that finance writes once per
// planning cycle: a YAML file naming the company, its fiscal year, the
// department hierarchy, the chart of accounts, the dimensions, the targets,
// last year's actuals and plan (inline or from ledger exports in CSV or
// xlsx) and the validation rules. It turns the file into an engine.Cycle.
//
// # The file
//
//	cycle: acme-fy2027            # id, required
//	company: Acme Analytics Inc.
//	currency: USD
//	fiscal_year: 2027             # named by the calendar year in which it ends
//	start_month: 2                # 1-12 or a month name ("February", "Feb"); default 1
//	signing_key_file: signing.key # optional; relative to this file
//	lines: 120                    # optional: plan lines per department workbook (1-5000)
//	departments:
//	  - id: gtm
//	    name: Go-to-market
//	    owner: cro@acme.example   # optional e-mail address
//	  - {id: sales, name: Sales, parent: gtm, owner: dana@acme.example}
//	accounts:
//	  - code: "4000"              # a YAML number such as 4000 is taken as written
//	    name: Subscription revenue
//	    type: revenue             # revenue | cogs | opex | headcount | kpi
//	    group: Revenue            # optional
//	    favourable: higher        # optional; default higher for revenue and kpi, lower otherwise
//	    departments: [sales]      # optional
//	dimensions:
//	  - id: project
//	    name: Project
//	    members:                  # {id, name} (name defaults to id) or plain text (id = name)
//	      - {id: apollo, name: Apollo}
//	      - zeus
//	targets:
//	  - department: sales
//	    account: "4000"           # or group: Personnel
//	    amount: 12000000          # a yearly target, or months: [12 monthly targets]
//	prior_year:
//	  actuals:                    # department, account, amount | months
//	    - {department: sales, account: "4000", amount: 9000000}
//	  plan: []
//	  ledgers:
//	    - kind: actuals           # actuals | plan
//	      file: ledger/fy26.csv   # .csv or .xlsx, in or below this file's folder
//	      sheet: GL               # xlsx only; default the first sheet
//	      columns:                # header names in the file
//	        department: Dept
//	        account: Expense Category
//	        amount: FY23 Actual Expense
//	        period: Period        # optional: 1-12, or a month "2025-03" of the prior fiscal year
//	      departments: {"Boston Public Schools": bps}   # optional value → department id
//	      accounts: {"Personnel Services": "5100"}      # optional value → account code
//	      missing: ["#Missing", ""]                     # amount cells that mean "no amount"; default [""]
//	      sign: 1                 # -1 flips the ledger's sign convention
//	actuals:                      # ledger exports at each monthly close; see actuals.go
//	  mappings: [...]
//	rules:
//	  - id: explain-growth
//	    kind: explain_growth      # explain_growth | max_growth | no_negative
//	    threshold: 15%            # "15%" or 0.15 (a bare number above 1 is refused)
//	    accounts: [Personnel]     # optional codes or groups
//	    level: error              # error (default) | warning
//
// The sections below are optional; they describe projections and scenarios
// of the plan (engine/model, engine/scenario) and land in File.Planning.
// Months are fiscal months 1-12; from and to are inclusive and default to
// the first and the last month. Department, driver and account selectors
// take '*' as a wildcard; without department, every department.
//
//	cash: {dso: 45, dpo: 30, opening: 6000000}   # days; defaults 45 and 30
//	initiatives:                  # in the plan of their department; pausable
//	  - name: apollo
//	    department: sales         # a department that fills a plan
//	    kind: launch              # launch | acquisition
//	    launch: {start: 3, time_to_fit: 1, price: 1500,
//	             units: {peak: 90, midpoint: 7, steepness: 0.7},    # logistic S-curve of monthly units
//	             development: {total: 240000, from: 1, months: 4},
//	             go_to_market: {total: 360000, from: 3, months: 6},
//	             cannibalization: 0.1, old_price: 900}              # optional
//	  - name: buy-co
//	    department: eng
//	    kind: acquisition
//	    acquisition: {close: 7, slip: 2, revenue: 150000, cost: 110000, dis_synergy: 5000,
//	                  integration: {total: 400000, from: 0, months: 6},      # from counts months after the close
//	                  revenue_synergy: {run_rate: 600000, phasing: [0.3, 0.7, 1], probability: 60%},
//	                  cost_synergy: {run_rate: 300000, phasing: [0.5, 1]}}
//	scenarios:
//	  - {name: base, kind: base}   # base | upside | downside | event
//	  - name: downside
//	    kind: downside
//	    overrides:                # applied in order
//	      - {op: multiply, department: sales, account: "4000", from: 4, value: 0.82}   # or 82%
//	      - {op: add, group: Travel, from: 2, to: 5, value: 1000}
//	      - {op: set, driver: hires, from: 6, value: 0}
//	      - {op: shift, department: "*", driver: hires, months: 2}
//	triggers:
//	  - name: revenue-slump
//	    metric: revenue           # revenue | costs | headcount | cash
//	    company: true             # or department: sales
//	    trailing: 3               # optional: trailing months summed (average: true to average)
//	    of_plan: true             # compare the ratio to the base plan's same figure
//	    compare: "<"              # < | <= | > | >=
//	    threshold: 92%            # a percentage only with of_plan
//	    persistence: 2            # consecutive months; default 1
//	    lag: 0                    # months from firing to the response
//	    playbook: downside-response
//	    scenarios: [downside]     # optional; default every scenario
//	playbooks:
//	  - name: downside-response
//	    actions:                  # in order; lead: months after the response starts; for: months (default: to the end)
//	      - {name: freeze hiring, lead: 1, freeze_hiring: true}
//	      - {name: pause Apollo, lead: 1, pause: [apollo]}
//	      - {name: cut discretionary opex 10%, lead: 1, for: 3, cut: {groups: [Travel, Programs], accounts: ["6300"], by: 10%}}
//	ranges:                       # Monte Carlo around the base
//	  runs: 2000                  # default 1000
//	  seed: 2027
//	  drivers:                    # op: multiply (default), add or set
//	    - {name: subscription-revenue, department: sales, account: "4000", pert: {min: 0.86, mode: 1, max: 1.06}}
//	    - {name: hosting, account: "5000", lognormal: {p5: 0.95, p95: 1.3}}
//	history:
//	  accuracy:                   # past periods, oldest first
//	    - {department: customer-success, line: revenue, forecast: [640000, 655000], actual: [592000, 611000]}
//	  hiring:
//	    - {department: eng, requested: 30, filled: 6, days_to_fill: [62, 75], window_months: 12}
//
// An action may name a department (freeze or cut only its plan). Drivers
// are plan lines by account code (selectable by group), and "hires", the
// lines of the hiring plans; see engine/model.
//
// A ledger's rows are mapped to departments through its departments: map,
// then by department id, then by name ignoring case; accounts likewise by
// code and name. A period column holds a fiscal period (1-12) or a calendar
// month ("2025-03", a date "2025-03-31", or a spreadsheet date), which is
// placed in the prior fiscal year (the cycle's year minus one, with the
// same start month); without a period column amounts are yearly.
//
// # Strictness
//
// Decoding is strict: an unknown field, a value of the wrong shape, an
// amount that is not a plain decimal number, a reference to a department or
// account that does not exist: each is reported with the file name and the
// line, as "cycle.yaml:14: department "sales": unknown field "ownr" (did you
// mean "owner"?)". Every problem is collected (up to MaxProblems), not only
// the first; the error returned is an *Error. After decoding, the cycle is
// checked with engine.Cycle.Validate and its findings are reported at the
// line of the department, account, target or rule they name.
//
// Ledgers are read only once the cycle itself is free of problems, since
// mapping a ledger's rows needs the final lists of departments and accounts.
//
// # Amounts
//
// Amounts in the cycle file are YAML numbers or quoted text holding a plain
// decimal number: an optional sign, digits, and an optional '.' with
// decimals (1234.56, -20, "0.5"). They are parsed exactly, never through a
// float. Thousands separators ("1,234.56") are refused because they are
// ambiguous across locales, and so are exponents (1e6), hexadecimal, NaN and
// infinities, and numbers with more than 18 integer digits.
//
// Ledger amounts are plain decimal text too, with an optional leading '-'
// or '+', or wrapped in parentheses for an accounting negative: "(1234.56)"
// is -1234.56. Thousands separators, currency signs and exponents are
// refused. In an xlsx ledger, number cells are taken exactly as the file
// stored them. Rows with the same department, account and period are added
// up. A row whose amount cell holds one of the ledger's missing values is
// skipped before anything else is looked at; any other row whose department
// or account cannot be mapped makes the load fail, listing each unmapped
// value with its number of rows and its total.
//
// Money amounts (revenue, cogs and opex accounts, and targets for groups
// that hold money accounts) are rounded once to cents as they enter the
// model (engine.RoundMoney): a ledger's rows are added up exactly first,
// then the sum is rounded.
//
// # Paths
//
// Ledger files are named relative to the cycle file's folder and are read
// from it through an fs.FS, so they must lie in that folder or below it: an
// absolute path or one that climbs out with ".." is refused with a message
// saying to put the ledger beside the cycle file, and Load also refuses a
// symbolic link that leads out of the folder. The signing key file is
// only named, not read: a relative path is resolved against the cycle
// file's folder, an absolute one is kept, so a key may live outside the
// folder the cycle file is shared from.
package cyclefile

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"aop/engine"
	"aop/engine/model"
	"aop/engine/review"
)

// Limits of what Load and Parse read.
const (
	// MaxFileSize is the largest cycle file read, in bytes.
	MaxFileSize = 4 << 20
	// MaxLedgerSize is the largest ledger file read, in bytes.
	MaxLedgerSize = 64 << 20
	// MaxLedgerRows is the largest number of data rows read from one
	// ledger.
	MaxLedgerRows = 1_000_000
	// MaxProblems is how many problems an *Error lists; further ones are
	// only counted.
	MaxProblems = 100
)

// File is a loaded cycle file.
type File struct {
	// Path is the cycle file's path as given to Load, or the name given to
	// Parse.
	Path string
	// Cycle is the cycle the file defines; it passes engine.Cycle.Validate.
	Cycle *engine.Cycle
	// SigningKeyFile is the key file the cycle names, resolved against the
	// cycle file's folder ("" if none).
	SigningKeyFile string
	// Planning holds the scenario sections: scenarios, triggers and their
	// playbooks, ranges, initiatives, history and cash terms.
	Planning model.Spec

	// Review holds the thresholds of the monthly close (actuals: review:),
	// nil for review.DefaultPolicy.
	Review *review.Policy

	// mappings are the actuals mappings, for ImportActuals.
	mappings []*ledgerSpec
}

// Problem is one mistake found in a cycle file or in a ledger it names.
type Problem struct {
	// File is the name of the file at fault: the cycle file's name as
	// given, or a ledger's path joined to the cycle file's folder.
	File string
	// Sheet is the sheet of an xlsx ledger, or "".
	Sheet string
	// Line is the 1-based line of the cycle file or CSV ledger, or the row
	// of an xlsx ledger's sheet; 0 when the problem has no single place.
	Line int
	// Message says what is wrong and, where it can, how to fix it.
	Message string
}

// String formats the problem as "cycle.yaml:14: message", or as
// "ledger.xlsx: sheet "GL", row 12: message" for an xlsx ledger.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	switch {
	case p.Sheet != "":
		fmt.Fprintf(&b, ": sheet %q", p.Sheet)
		if p.Line > 0 {
			fmt.Fprintf(&b, ", row %d", p.Line)
		}
	case p.Line > 0:
		b.WriteString(":" + strconv.Itoa(p.Line))
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// Error is the error Load and Parse return: the problems found, in file and
// line order.
type Error struct {
	// Problems lists at most MaxProblems problems.
	Problems []Problem
	// Omitted counts the problems found beyond MaxProblems.
	Omitted int
}

// Error returns one problem per line.
func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	if e.Omitted > 0 {
		lines = append(lines, fmt.Sprintf("... and %d more problems", e.Omitted))
	}
	return strings.Join(lines, "\n")
}

// Load reads the cycle file at path and the ledgers it names, resolving
// their relative paths against the cycle file's folder. Ledgers are opened
// through an os.Root on that folder, so neither a path nor a symbolic link
// can lead out of it.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the cycle file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the cycle file %s: %w", path, err)
	}
	// An os.Root, unlike os.DirFS, also refuses symbolic links that lead
	// out of the folder.
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("cannot open the cycle file's folder: %w", err)
	}
	defer root.Close()
	return Parse(path, data, root.FS())
}

// Parse decodes a cycle file from data. name is the file's name, used in
// problems and to resolve the signing key file; the ledgers the file names
// are opened from fsys (Load passes the cycle file's folder). fsys may be
// nil for a cycle without ledgers.
func Parse(name string, data []byte, fsys fs.FS) (*File, error) {
	return parse(name, data, fsys, true)
}

// parse is Parse; byLine reads the big tables written one entry a line
// without the YAML parser (see tables.go).
func parse(name string, data []byte, fsys fs.FS, byLine bool) (*File, error) {
	c := &collector{}
	if len(data) > MaxFileSize {
		c.add(Problem{File: name, Message: fmt.Sprintf("the file is larger than %d bytes; a cycle file is small", MaxFileSize)})
		return nil, c.err()
	}
	d := newDecoder(name, c)
	doc := data
	if byLine {
		d.tables, doc = readLineTables(data)
	}
	root := parseYAML(name, doc, c)
	if root == nil && d.tables != nil {
		return parse(name, data, fsys, false) // report on the file as written
	}
	if root == nil {
		return nil, c.err()
	}
	d.decode(root)
	if !d.tables.allUsed() {
		return parse(name, data, fsys, false) // a table was not where its key said
	}
	d.checkLedgerSpecs()
	d.validate()
	if c.empty() {
		d.readLedgers(fsys)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	d.roundMoney()
	f := &File{Path: name, Cycle: d.cycle, Planning: d.spec, Review: d.review, mappings: d.mappings}
	if d.keyFile != "" {
		f.SigningKeyFile = d.keyFile
		if !filepath.IsAbs(d.keyFile) {
			f.SigningKeyFile = filepath.Join(filepath.Dir(name), d.keyFile)
		}
	}
	return f, nil
}

// collector gathers problems, dropping exact repeats and counting those
// beyond MaxProblems.
type collector struct {
	list    []Problem
	seen    map[Problem]bool
	omitted int
	// order ranks files for sorting: the cycle file first, then ledgers
	// in the order met.
	order map[string]int
}

func (c *collector) add(p Problem) {
	if c.seen[p] {
		return
	}
	if c.seen == nil {
		c.seen = map[Problem]bool{}
		c.order = map[string]int{}
	}
	if _, ok := c.order[p.File]; !ok {
		c.order[p.File] = len(c.order)
	}
	if len(c.list) >= MaxProblems {
		c.omitted++
		return
	}
	c.seen[p] = true
	c.list = append(c.list, p)
}

func (c *collector) empty() bool { return len(c.list) == 0 }

func (c *collector) err() error {
	if len(c.list) == 0 {
		return nil
	}
	ps := slices.Clone(c.list)
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(c.order[a.File], c.order[b.File]), cmp.Compare(a.Sheet, b.Sheet), cmp.Compare(a.Line, b.Line))
	})
	return &Error{Problems: ps, Omitted: c.omitted}
}
