package engine

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
)

// genOptions shapes a random cycle for property tests and benchmarks.
type genOptions struct {
	// fanout gives the children per level: {10, 10, 10} makes a root, 10
	// divisions, 100 teams and 1,000 leaves.
	fanout   []int
	accounts int
	lines    int
	// maxCents bounds money amounts (in cents).
	maxCents int64
	// huge makes some amounts near the int64 edge of the fast path.
	huge bool
	// oddKPIs gives KPI and headcount amounts more digits than the fast
	// path keeps.
	oddKPIs bool
	// targets adds targets at every level, with overlaps, monthly ones and
	// mixed groups.
	targets bool
	// skip is the chance that a leaf does not submit.
	skip float64
}

// genCycle builds a random cycle and its submissions.
func genCycle(r *rand.Rand, o genOptions) (*Cycle, []*Submission) {
	c := &Cycle{ID: "gen", Company: "Gen", Currency: "USD", Year: FiscalYear{Year: 2027, StartMonth: time.January}}
	c.Departments = append(c.Departments, Department{ID: "co", Name: "Company"})
	level := []string{"co"}
	for depth, n := range o.fanout {
		var next []string
		for _, p := range level {
			for i := range n {
				id := fmt.Sprintf("%s.%d", p, i)
				if depth == 0 {
					id = fmt.Sprintf("d%d", i)
				}
				c.Departments = append(c.Departments, Department{ID: id, Name: "Dept " + id, Parent: p})
				next = append(next, id)
			}
		}
		level = next
	}
	leaves := level
	for i := range o.accounts {
		var t AccountType
		switch x := r.IntN(100); {
		case x < 20:
			t = Revenue
		case x < 30:
			t = COGS
		case x < 90:
			t = OpEx
		case x < 95:
			t = Headcount
		default:
			t = KPI
		}
		a := Account{Code: fmt.Sprintf("%04d", 1000+i), Name: "Account", Type: t, Favourable: direction(Account{Type: t})}
		switch g := r.IntN(10); {
		case g < 6:
			a.Group = string(t) + fmt.Sprint(g%3)
		case g < 7:
			a.Group = "Mixed" // mixes types and directions
		}
		c.Accounts = append(c.Accounts, a)
	}
	c.Dimensions = []Dimension{
		{ID: "project", Name: "Project", Members: members("p", 8)},
		{ID: "channel", Name: "Channel", Members: members("ch", 4)},
	}
	amount := func(t AccountType) decimal.Decimal {
		if !t.IsMoney() {
			if o.oddKPIs && r.IntN(4) == 0 {
				return decimal.New(r.Int64N(1e12)-5e11, -int32(7+r.IntN(6)))
			}
			return decimal.New(r.Int64N(1e6), -int32(r.IntN(7)))
		}
		if o.huge && r.IntN(50) == 0 {
			edge := int64(1<<63-1) - r.Int64N(1000)
			if r.IntN(2) == 0 {
				edge = -edge
			}
			return decimal.New(edge, -2)
		}
		if r.IntN(20) == 0 {
			return decimal.Zero
		}
		return decimal.New(r.Int64N(o.maxCents), -2)
	}
	var subs []*Submission
	for _, leaf := range leaves {
		if r.Float64() < o.skip {
			continue
		}
		s := &Submission{Cycle: c.ID, Department: leaf}
		for range o.lines {
			a := c.Accounts[r.IntN(len(c.Accounts))]
			l := Line{Account: a.Code, Dims: map[string]string{}}
			if x := r.IntN(10); x < 8 {
				l.Dims["project"] = fmt.Sprintf("p%d", x)
			}
			if x := r.IntN(5); x < 4 {
				l.Dims["channel"] = fmt.Sprintf("ch%d", x)
			}
			for m := range l.Months {
				l.Months[m] = amount(a.Type)
			}
			s.Lines = append(s.Lines, l)
		}
		for range r.IntN(3) {
			s.Hires = append(s.Hires, Hire{Role: "Engineer", Count: 1 + r.IntN(3), Start: Period(1 + r.IntN(12)),
				AnnualSalary: decimal.New(5e6+r.Int64N(1e7), -2), LoadedCost: decimal.New(r.Int64N(40), -2)})
		}
		subs = append(subs, s)
	}
	if o.targets {
		c.Targets = genTargets(r, c)
	}
	return c, subs
}

func members(prefix string, n int) []Member {
	var ms []Member
	for i := range n {
		ms = append(ms, Member{ID: fmt.Sprintf("%s%d", prefix, i), Name: fmt.Sprintf("Member %d", i)})
	}
	return ms
}

// genTargets sets random targets on random departments: yearly or monthly,
// on accounts or groups, often overlapping one another, never repeating.
func genTargets(r *rand.Rand, c *Cycle) []Target {
	var groups []string
	seen := map[string]bool{}
	for _, a := range c.Accounts {
		if a.Group != "" && !seen[a.Group] {
			seen[a.Group] = true
			groups = append(groups, a.Group)
		}
	}
	type key struct{ dept, account, group string }
	used := map[key]bool{}
	var ts []Target
	for _, d := range c.Departments {
		for range r.IntN(4) {
			k := key{dept: d.ID}
			if len(groups) > 0 && r.IntN(2) == 0 {
				k.group = groups[r.IntN(len(groups))]
			} else {
				k.account = c.Accounts[r.IntN(len(c.Accounts))].Code
			}
			if used[k] {
				continue
			}
			used[k] = true
			amt := func() decimal.Decimal { return decimal.New(r.Int64N(1e9), -2) }
			switch x := r.IntN(4); x {
			case 0: // twelve months
				for p := range Period(MonthsPerYear) {
					ts = append(ts, Target{Department: d.ID, Account: k.account, Group: k.group, Period: p + 1, Amount: amt()})
				}
			case 1: // some months
				for p := range Period(MonthsPerYear) {
					if r.IntN(3) == 0 {
						ts = append(ts, Target{Department: d.ID, Account: k.account, Group: k.group, Period: p + 1, Amount: amt()})
					}
				}
			default:
				ts = append(ts, Target{Department: d.ID, Account: k.account, Group: k.group, Amount: amt()})
			}
		}
	}
	r.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	return ts
}
