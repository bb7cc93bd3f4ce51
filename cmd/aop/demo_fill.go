package main

import (
	"hash/fnv"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/model"
)

// demoSubmission is what the head of a demo department plans: last year's
// lines grown by the department's ask, the big ones split by project or
// channel, a hiring plan, drivers for sales and an assumptions register;
// Marketing and Customer Success give ranges of their plan, and Customer
// Success proposes an initiative whose lines it plans too.
func demoSubmission(c *engine.Cycle, dept string) *engine.Submission {
	var d demoDept
	for _, x := range demoDepts {
		if x.id == dept {
			d = x
		}
	}
	h := fnv.New64a()
	h.Write([]byte(dept))
	rng := rand.New(rand.NewPCG(h.Sum64(), 7))
	sub := &engine.Submission{Cycle: c.ID, Department: dept}
	season := func(p int, a engine.Account) float64 {
		// Revenue ramps through the year; costs are flat with a Q4 bump.
		if a.Type == engine.Revenue {
			return 0.85 + 0.025*float64(p)
		}
		if p >= 10 {
			return 1.08
		}
		return 0.97
	}
	for _, a := range c.AccountsFor(dept) {
		prior, ok := c.PriorActual(dept, a.Code)
		if !ok {
			continue
		}
		pf, _ := prior.Float64()
		growth := d.growth + 0.04*(rng.Float64()-0.5)
		for _, part := range demoSplits(a, pf) {
			line := engine.Line{Account: a.Code, Dims: part.dims, Description: part.description}
			for p := 1; p <= engine.MonthsPerYear; p++ {
				m := pf * (1 + growth) * part.share / 12 * season(p, a) * (0.97 + 0.06*rng.Float64())
				line.Months[p-1] = decimal.NewFromFloat(m).Round(2)
			}
			if growth > 0.13 {
				line.Comment = "Growth funds the FY2027 priorities agreed with the executive team."
			}
			sub.Lines = append(sub.Lines, line)
		}
	}
	roles := []struct {
		role   string
		salary int64
	}{{"Senior engineer", 165000}, {"Account executive", 120000}, {"Marketing manager", 110000},
		{"Customer success manager", 95000}, {"Data engineer", 150000}, {"Financial analyst", 98000}}
	for i := 0; i < 1+int(d.size); i++ {
		r := roles[rng.IntN(len(roles))]
		sub.Hires = append(sub.Hires, engine.Hire{
			Role: r.role, Count: 1 + rng.IntN(3), Start: engine.Period(1 + rng.IntN(10)),
			AnnualSalary: decimal.NewFromInt(r.salary), LoadedCost: decimal.RequireFromString("0.24"), RampMonths: 3,
		})
	}
	sub.Assumptions = []engine.Assumption{
		{Driver: "Attrition", From: "14% a year", To: "12% a year", Status: engine.Changed,
			Counterbalance: "Retention bonuses capped at 2% of payroll", Risk: "Assumes the three senior engineers stay", Indicator: "Monthly regretted attrition"},
		{Driver: "Vendor prices", From: "+3%", To: "+3%", Status: engine.Maintained,
			Counterbalance: "Annual prepay discounts", Risk: "Cloud list-price increase", Indicator: "Renewal quotes"},
	}
	if dept == "sales" {
		sub.Assumptions = append(sub.Assumptions, engine.Assumption{Driver: "Win rate", From: "22%", To: "28%", Status: engine.Changed,
			Counterbalance: "Discounts capped at 15%", Risk: "New sales methodology lands by Q2", Indicator: "Stage-2 to close conversion"})
		for _, dr := range []struct {
			name string
			base float64
		}{{"pipeline", 10_500_000}, {"win_rate", 0.26}, {"deal_size", 85_000}, {"sales_cycle", 4}} {
			driver := engine.Driver{Name: dr.name}
			for p := 0; p < engine.MonthsPerYear; p++ {
				v := decimal.NewFromFloat(dr.base * (1 + 0.01*float64(p)))
				switch dr.name {
				case "win_rate":
					v = v.Round(4)
				case "sales_cycle":
					v = decimal.NewFromInt(4)
				default:
					v = v.Round(0)
				}
				driver.Months[p] = &v
			}
			sub.Drivers = append(sub.Drivers, driver)
		}
	}
	switch dept {
	case "marketing":
		sub.Ranges = []engine.RangeInput{{Account: "6400", Low: decimal.RequireFromString("0.9"), Likely: decimal.NewFromInt(1),
			High: decimal.RequireFromString("1.25"), Comment: "Cost per click moves with the ad auctions"}}
	case "customer-success":
		sub.Ranges = []engine.RangeInput{{Account: "4100", Low: decimal.RequireFromString("0.8"), Likely: decimal.NewFromInt(1),
			High: decimal.RequireFromString("1.05"), Comment: "Two enterprise implementations may slip to next year"}}
		sub.Initiatives = []engine.InitiativeInput{demoPremiumSupport}
		sub.Lines = append(sub.Lines, demoInitiativeLines(demoPremiumSupport)...)
	}
	return sub
}

// demoPremiumSupport is the initiative Customer Success proposes.
var demoPremiumSupport = engine.InitiativeInput{
	Name: "premium-support", Kind: engine.InitiativeLaunch, Start: 4,
	OneTimeCost: decimal.NewFromInt(60_000), MonthlyCost: decimal.NewFromInt(18_000), MonthlyRevenue: decimal.NewFromInt(45_000), RampMonths: 6,
	Description: "A paid support tier with a named engineer and a one-hour response",
}

// demoInitiativeLines are the plan lines that hold a proposed initiative:
// its revenue on professional services and its costs on salaries, month by
// month as the model projects them.
func demoInitiativeLines(in engine.InitiativeInput) []engine.Line {
	p := model.Proposal{Start: int(in.Start), OneTimeCost: in.OneTimeCost, MonthlyCost: in.MonthlyCost,
		MonthlyRevenue: in.MonthlyRevenue, RampMonths: in.RampMonths}
	revenue, costs, err := p.Lines(engine.MonthsPerYear)
	if err != nil {
		panic(err) // a fixed, valid proposal
	}
	const why = "Premium support tier: see the Initiatives sheet."
	rev := engine.Line{Account: "4100", Description: "Premium support tier", Comment: why}
	cost := engine.Line{Account: "6000", Description: "Premium support tier", Comment: why}
	copy(rev.Months[:], revenue)
	copy(cost.Months[:], costs)
	return []engine.Line{rev, cost}
}

// demoPart is one line of an account: its share, dimensions and text.
type demoPart struct {
	share       float64
	dims        map[string]string
	description string
}

// demoSplits cuts an account into the lines a department head would plan:
// revenue by channel and project, big costs by project, tools by vendor,
// travel by purpose.
func demoSplits(a engine.Account, prior float64) []demoPart {
	projects := []struct {
		id    string
		share float64
	}{{"core", 0.55}, {"apollo", 0.2}, {"emea", 0.15}, {"platform-v3", 0.1}}
	var parts []demoPart
	switch {
	case a.Type == engine.Revenue:
		channels := []struct {
			id    string
			share float64
		}{{"direct", 0.6}, {"partner", 0.25}, {"online", 0.15}}
		for _, ch := range channels {
			for _, pr := range projects {
				parts = append(parts, demoPart{share: ch.share * pr.share,
					dims: map[string]string{"channel": ch.id, "project": pr.id}})
			}
		}
	case a.Code == "6300":
		for _, v := range []string{"CRM", "Collaboration suite", "Source control and CI", "Design tools", "Observability", "Security tooling"} {
			parts = append(parts, demoPart{share: 1.0 / 6, description: v, dims: map[string]string{"project": "core"}})
		}
	case a.Code == "6200":
		for _, v := range []struct {
			what  string
			share float64
		}{{"Customer visits", 0.5}, {"Conferences", 0.3}, {"Team offsites", 0.2}} {
			parts = append(parts, demoPart{share: v.share, description: v.what})
		}
	case prior > 400_000:
		for _, pr := range projects {
			parts = append(parts, demoPart{share: pr.share, dims: map[string]string{"project": pr.id}})
		}
	default:
		parts = append(parts, demoPart{share: 1})
	}
	return parts
}
