package main

import (
	"hash/fnv"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/grid"
)

func gridStr(s string) grid.Value { return grid.Str(s) }

// demoSubmission is what the head of a demo department plans: last year's
// lines grown by the department's ask, the big ones split by project or
// channel, a hiring plan, drivers for sales and an assumptions register.
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
		growth := d.growth + 0.06*(rng.Float64()-0.5)
		splits := []map[string]string{nil}
		switch {
		case a.Type == engine.Revenue:
			splits = []map[string]string{{"channel": "direct"}, {"channel": "partner"}, {"channel": "online"}}
		case pf > 400_000:
			splits = []map[string]string{{"project": "core"}, {"project": "apollo"}, {"project": "emea"}}
		}
		weights := []float64{0.6, 0.25, 0.15}
		for i, dims := range splits {
			share := 1.0
			if len(splits) > 1 {
				share = weights[i]
			}
			line := engine.Line{Account: a.Code, Dims: dims}
			for p := 1; p <= engine.MonthsPerYear; p++ {
				m := pf * (1 + growth) * share / 12 * season(p, a) * (0.97 + 0.06*rng.Float64())
				line.Months[p-1] = decimal.NewFromFloat(m).Round(2)
			}
			if dims != nil {
				line.Description = a.Name + " · " + firstValue(dims)
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
		}{{"pipeline", 4_200_000}, {"win_rate", 0.26}, {"deal_size", 85_000}, {"sales_cycle", 4}} {
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
	return sub
}

func firstValue(m map[string]string) string {
	for _, v := range m {
		return v
	}
	return ""
}
