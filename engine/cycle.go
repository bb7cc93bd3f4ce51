package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Cycle is one planning cycle as finance defines it: the company, its fiscal
// year, the department hierarchy, the chart of accounts, the extra
// dimensions, the top-down targets, the prior year and the validation rules.
type Cycle struct {
	// ID names the cycle in every workbook it generates, e.g. "acme-fy2027".
	ID       string
	Company  string
	Currency string
	Year     FiscalYear
	// Departments form a hierarchy through Parent; roots have no parent.
	Departments []Department
	Accounts    []Account
	Dimensions  []Dimension
	Targets     []Target
	// PriorActuals and PriorPlan are last year's actual and planned amounts
	// per department and account (optional).
	PriorActuals []Amount
	PriorPlan    []Amount
	Rules        []Rule
	// Lines is how many plan lines a department workbook offers (0: the
	// template's default).
	Lines int
}

// Department is a node of the department hierarchy.
type Department struct {
	ID     string
	Name   string
	Parent string
	// Owner is the e-mail address of the department head.
	Owner string
}

// AccountType classifies an account.
type AccountType string

// The account types of a chart of accounts.
const (
	Revenue   AccountType = "revenue"
	COGS      AccountType = "cogs"
	OpEx      AccountType = "opex"
	Headcount AccountType = "headcount"
	KPI       AccountType = "kpi"
)

// IsMoney reports whether amounts of the type are money (headcount and KPIs
// are counts and ratios).
func (t AccountType) IsMoney() bool { return t == Revenue || t == COGS || t == OpEx }

// Favourable says which direction of a variance is good for an account.
type Favourable string

const (
	// Higher is favourable for revenue: more than plan is good.
	Higher Favourable = "higher"
	// Lower is favourable for costs: less than plan is good.
	Lower Favourable = "lower"
)

// Account is a line of the chart of accounts.
type Account struct {
	Code string
	Name string
	Type AccountType
	// Favourable defaults by type: Higher for revenue and KPIs, Lower for
	// costs and headcount.
	Favourable Favourable
	// Group gathers accounts for targets and reports, e.g. "Personnel".
	Group string
	// Departments, when not empty, limits the account to these departments
	// (and their descendants); otherwise every department may plan it.
	Departments []string
}

// Label returns "code name", the way an account appears in a workbook.
func (a Account) Label() string { return a.Code + " " + a.Name }

// Dimension is an extra way to cut a plan line, such as project or channel.
type Dimension struct {
	ID      string
	Name    string
	Members []Member
}

// Member is a value of a dimension.
type Member struct {
	ID   string
	Name string
}

// Target is a top-down target for a department and an account or account
// group, for the year or one month.
type Target struct {
	Department string
	// Exactly one of Account and Group is set.
	Account string
	Group   string
	Period  Period
	Amount  decimal.Decimal
}

// Amount is a known amount for a department and account (prior-year actuals
// or plan), for the year or one month.
type Amount struct {
	Department string
	Account    string
	Period     Period
	Amount     decimal.Decimal
}

// RuleKind names a validation rule.
type RuleKind string

const (
	// RuleExplainGrowth requires an explanation on a line whose full year
	// grows more than Threshold (a fraction: 0.15 is 15%) over the prior
	// year's actuals.
	RuleExplainGrowth RuleKind = "explain_growth"
	// RuleMaxGrowth refuses a line whose full year grows more than Threshold
	// over the prior year's actuals.
	RuleMaxGrowth RuleKind = "max_growth"
	// RuleNoNegative refuses negative monthly amounts.
	RuleNoNegative RuleKind = "no_negative"
)

// Rule is a validation rule applied to every harvested submission.
type Rule struct {
	ID        string
	Kind      RuleKind
	Threshold decimal.Decimal
	// Accounts limits the rule to these account codes or groups; empty
	// means every money account.
	Accounts []string
	// Level is Error (the submission is refused) or Warning.
	Level Level
}

// Department returns the department with the given id.
func (c *Cycle) Department(id string) (Department, bool) {
	for i := range c.Departments { // by index: the structs are large to copy
		if c.Departments[i].ID == id {
			return c.Departments[i], true
		}
	}
	return Department{}, false
}

// Account returns the account with the given code.
func (c *Cycle) Account(code string) (Account, bool) {
	for i := range c.Accounts { // by index: the structs are large to copy
		if c.Accounts[i].Code == code {
			return c.Accounts[i], true
		}
	}
	return Account{}, false
}

// Dimension returns the dimension with the given id.
func (c *Cycle) Dimension(id string) (Dimension, bool) {
	for i := range c.Dimensions { // by index: the structs are large to copy
		if c.Dimensions[i].ID == id {
			return c.Dimensions[i], true
		}
	}
	return Dimension{}, false
}

// Children returns the ids of a department's direct children, in cycle order.
func (c *Cycle) Children(id string) []string {
	var ids []string
	for _, d := range c.Departments {
		if d.Parent == id {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// Ancestors returns a department's ancestors, nearest first.
func (c *Cycle) Ancestors(id string) []string {
	var ids []string
	seen := map[string]bool{id: true}
	for d, ok := c.Department(id); ok && d.Parent != "" && !seen[d.Parent]; d, ok = c.Department(d.Parent) {
		seen[d.Parent] = true
		ids = append(ids, d.Parent)
	}
	return ids
}

// IsLeaf reports whether a department has no children; leaves are the
// departments that fill a workbook.
func (c *Cycle) IsLeaf(id string) bool { return len(c.Children(id)) == 0 }

// Leaves returns the departments without children, in cycle order.
func (c *Cycle) Leaves() []Department {
	var ds []Department
	for _, d := range c.Departments {
		if c.IsLeaf(d.ID) {
			ds = append(ds, d)
		}
	}
	return ds
}

// AccountsFor returns the accounts a department may plan, in chart order.
func (c *Cycle) AccountsFor(dept string) []Account {
	scope := append([]string{dept}, c.Ancestors(dept)...)
	var as []Account
	for _, a := range c.Accounts {
		if len(a.Departments) == 0 || containsAny(a.Departments, scope) {
			as = append(as, a)
		}
	}
	return as
}

// PriorActual returns the prior year's full-year actual for a department and
// account, summing monthly amounts, and whether any is known.
func (c *Cycle) PriorActual(dept, account string) (decimal.Decimal, bool) {
	return sumAmounts(c.PriorActuals, dept, account)
}

// PriorPlanned returns the prior year's full-year plan for a department and
// account, and whether any is known.
func (c *Cycle) PriorPlanned(dept, account string) (decimal.Decimal, bool) {
	return sumAmounts(c.PriorPlan, dept, account)
}

// PriorActualMonths returns the prior year's monthly actuals for a
// department and account. A yearly amount is spread evenly to the cent.
func (c *Cycle) PriorActualMonths(dept, account string) ([MonthsPerYear]decimal.Decimal, bool) {
	var months [MonthsPerYear]decimal.Decimal
	found := false
	for _, a := range c.PriorActuals {
		if a.Department != dept || a.Account != account {
			continue
		}
		found = true
		if a.Period == FullYear {
			for i, part := range SpreadEvenly(a.Amount, MonthsPerYear) {
				months[i] = months[i].Add(part)
			}
			continue
		}
		months[a.Period-1] = months[a.Period-1].Add(a.Amount)
	}
	return months, found
}

func sumAmounts(as []Amount, dept, account string) (decimal.Decimal, bool) {
	s, found := zero, false
	for _, a := range as {
		if a.Department == dept && a.Account == account {
			s, found = s.Add(a.Amount), true
		}
	}
	return s, found
}

func containsAny(list, want []string) bool {
	for _, x := range list {
		for _, y := range want {
			if x == y {
				return true
			}
		}
	}
	return false
}

// Validate checks the cycle for the mistakes a person makes writing one:
// duplicate or unknown ids, a hierarchy with a loop, targets and amounts for
// unknown departments or accounts, rules without a threshold. It returns
// every problem found, joined.
func (c *Cycle) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(c.ID) == "" {
		bad("cycle id is missing")
	} else if !IsID(c.ID) {
		bad("cycle id %q may hold only letters, digits, '-', '_' and '.'", c.ID)
	}
	if c.Company == "" {
		bad("company is missing")
	}
	if len(c.Currency) != 3 || strings.ToUpper(c.Currency) != c.Currency {
		bad("currency %q is not a three-letter ISO code such as USD", c.Currency)
	}
	if err := c.Year.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(c.Departments) == 0 {
		bad("no departments")
	}
	depts := map[string]bool{}
	parents := make(map[string]string, len(c.Departments)) // of the first department listed with an id
	for _, d := range c.Departments {
		if _, ok := parents[d.ID]; !ok {
			parents[d.ID] = d.Parent
		}
		switch {
		case !IsID(d.ID):
			bad("department id %q may hold only letters, digits, '-', '_' and '.'", d.ID)
		case depts[d.ID]:
			bad("department %q is listed twice", d.ID)
		}
		depts[d.ID] = true
		if d.Name == "" {
			bad("department %q has no name", d.ID)
		}
	}
	for _, d := range c.Departments {
		if d.Parent != "" && !depts[d.Parent] {
			bad("department %q has unknown parent %q", d.ID, d.Parent)
		}
		if inLoop(d.ID, parents, len(c.Departments)) {
			bad("department %q is its own ancestor (the parents form a loop)", d.ID)
		}
	}
	if len(c.Accounts) == 0 {
		bad("no accounts")
	}
	accounts, groups := map[string]bool{}, map[string]bool{}
	for _, a := range c.Accounts {
		if a.Code == "" {
			bad("an account has no code")
		} else if accounts[a.Code] {
			bad("account %q is listed twice", a.Code)
		}
		accounts[a.Code] = true
		if a.Group != "" {
			groups[a.Group] = true
		}
		switch a.Type {
		case Revenue, COGS, OpEx, Headcount, KPI:
		default:
			bad("account %q has type %q; use revenue, cogs, opex, headcount or kpi", a.Code, a.Type)
		}
		if a.Favourable != Higher && a.Favourable != Lower {
			bad("account %q: favourable must be higher or lower, not %q", a.Code, a.Favourable)
		}
		for _, d := range a.Departments {
			if !depts[d] {
				bad("account %q is limited to unknown department %q", a.Code, d)
			}
		}
	}
	dims := map[string]bool{}
	for _, d := range c.Dimensions {
		if !IsID(d.ID) {
			bad("dimension id %q may hold only letters, digits, '-', '_' and '.'", d.ID)
		} else if dims[d.ID] {
			bad("dimension %q is listed twice", d.ID)
		}
		dims[d.ID] = true
		if len(d.Members) == 0 {
			bad("dimension %q has no members", d.ID)
		}
		members := map[string]bool{}
		for _, m := range d.Members {
			if m.ID == "" || members[m.ID] {
				bad("dimension %q: member %q is empty or listed twice", d.ID, m.ID)
			}
			members[m.ID] = true
		}
	}
	for _, t := range c.Targets {
		if !depts[t.Department] {
			bad("target for unknown department %q", t.Department)
		}
		switch {
		case (t.Account == "") == (t.Group == ""):
			bad("target for %q must name exactly one of account and group", t.Department)
		case t.Account != "" && !accounts[t.Account]:
			bad("target for %q names unknown account %q", t.Department, t.Account)
		case t.Group != "" && !groups[t.Group]:
			bad("target for %q names unknown account group %q", t.Department, t.Group)
		}
		if t.Period < 0 || t.Period > MonthsPerYear {
			bad("target for %q has period %d; use 1-12 or the full year", t.Department, t.Period)
		}
	}
	errs = append(errs, c.repeatedTargets()...)
	for name, as := range map[string][]Amount{"prior-year actual": c.PriorActuals, "prior-year plan": c.PriorPlan} {
		for _, a := range as {
			if !depts[a.Department] {
				bad("%s for unknown department %q", name, a.Department)
			}
			if !accounts[a.Account] {
				bad("%s for %q names unknown account %q", name, a.Department, a.Account)
			}
		}
	}
	for _, r := range c.Rules {
		switch r.Kind {
		case RuleExplainGrowth, RuleMaxGrowth:
			if !r.Threshold.IsPositive() {
				bad("rule %q needs a positive threshold", r.ID)
			}
		case RuleNoNegative:
		default:
			bad("rule %q has unknown kind %q", r.ID, r.Kind)
		}
		if r.Level != Error && r.Level != Warning {
			bad("rule %q: level must be error or warning", r.ID)
		}
		for _, a := range r.Accounts {
			if !accounts[a] && !groups[a] {
				bad("rule %q names unknown account or group %q", r.ID, a)
			}
		}
	}
	if c.Lines < 0 || c.Lines > 5000 {
		bad("lines must be between 1 and 5000, not %d", c.Lines)
	}
	return errors.Join(errs...)
}

// inLoop reports whether walking up from a department comes back to it;
// parents maps each department to its parent, and n bounds the walk.
func inLoop(id string, parents map[string]string, n int) bool {
	p := parents[id]
	for steps := 0; p != "" && steps <= n; steps++ {
		if p == id {
			return true
		}
		p = parents[p]
	}
	return false
}

// IsID reports whether s is a usable identifier: letters, digits, '-', '_'
// and '.', not empty, at most 64 bytes. Ids become file names and defined
// names, so they must be plain.
func IsID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
