package project

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// benchPlan is a company of 1,000 departments, each with 200 roles on its
// hiring plan and 200 revenue lines (a pipeline each).
type benchPlan struct {
	departments []Department
	pipelines   [][]Pipeline
}

func newBenchPlan(departments, lines int) benchPlan {
	rng := rand.New(rand.NewPCG(13, 14))
	var p benchPlan
	for range departments {
		dept := randomDepartment(rng, lines, engine.MonthsPerYear)
		for i := range dept.Roles {
			if rng.IntN(2) == 0 {
				dept.Roles[i].Start = 0 // half of the roster is already there
			}
		}
		p.departments = append(p.departments, dept)
		var pipes []Pipeline
		for range lines {
			opps := make([]decimal.Decimal, engine.MonthsPerYear)
			for m := range opps {
				opps[m] = decimal.NewFromInt(int64(rng.IntN(40)))
			}
			pipes = append(pipes, Pipeline{
				NewOpportunities: opps,
				WinRate:          decimal.New(int64(10+rng.IntN(30)), -2),
				AverageDealSize:  decimal.New(int64(5_000+rng.IntN(50_000)), 0),
				CycleMonths:      rng.IntN(6),
			})
		}
		p.pipelines = append(p.pipelines, pipes)
	}
	return p
}

// BenchmarkProjection projects 1,000 departments of 200 roles and 200
// revenue lines over 12 months: the roster and its cost, bookings and
// their ratable revenue, and the cash flow of each department.
func BenchmarkProjection(b *testing.B) {
	const departments, lines, months = 1000, 200, engine.MonthsPerYear
	plan := newBenchPlan(departments, lines)
	contracts := Contracts{TermMonths: 12, StartLagMonths: 1}

	b.Run("headcount", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, dept := range plan.departments {
				if _, err := ProjectHeadcount(dept, months); err != nil {
					b.Fatal(err)
				}
			}
		}
	})

	b.Run("revenue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, pipes := range plan.pipelines {
				for _, p := range pipes {
					bk, err := ProjectBookings(p, months)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := RecognizeBookings(bk.Amount, contracts, months); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})

	b.Run("plan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i, dept := range plan.departments {
				hc, err := ProjectHeadcount(dept, months)
				if err != nil {
					b.Fatal(err)
				}
				revenue := make([]decimal.Decimal, months)
				for _, p := range plan.pipelines[i] {
					bk, err := ProjectBookings(p, months)
					if err != nil {
						b.Fatal(err)
					}
					r, err := RecognizeBookings(bk.Amount, contracts, months)
					if err != nil {
						b.Fatal(err)
					}
					for m := range revenue {
						revenue[m] = revenue[m].Add(r.Revenue[m])
					}
				}
				_, err = ProjectCash(CashInputs{Revenue: revenue, Opex: hc.Cost, DSO: decimal.NewFromInt(45), DPO: decimal.NewFromInt(30)}, months)
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
