package plan

import (
	"context"
	"fmt"
	"slices"
	"time"

	"aop/engine"
	"aop/engine/review"
)

// Explanations are a department's own input during the year: each close
// asks, on the department's Actuals vs Plan tab, why the material
// variances of the month arose. They come back two ways, and each keeps
// what it read as any harvest does (the bytes first, then what they say):
//
//   - in an uploaded workbook or a harvested spreadsheet (its Submit
//     button), whatever becomes of the plan beside them: an approved
//     plan is locked, but its explanations are still wanted;
//   - from a spreadsheet's tab, read back before aop writes the tab
//     again, so that nothing typed since the last harvest is lost.
//
// The latest word on a line is its explanation; a close shows it, and a
// new one makes the next scheduled close run again so that finance's
// close workbook shows it too.

// keepExplanations stores what a department said about its lines that
// differs from what aop holds (an emptied cell withdraws an explanation;
// one said again is not stored twice). It returns how many it stored.
func keepExplanations(ctx context.Context, tx Tx, cycle string, said []review.Explanation, source, by string, at time.Time) (int, error) {
	if len(said) == 0 {
		return 0, nil
	}
	current, err := tx.Explanations(ctx, cycle)
	if err != nil {
		return 0, err
	}
	held := make(map[string]string, len(current))
	for _, e := range current {
		held[explanationKey(e.Department, e.Account, e.Month)] = e.Text
	}
	n := 0
	for _, e := range said {
		key := explanationKey(e.Department, e.Account, int(e.Period))
		if held[key] == e.Text { // also: nothing said of a line with nothing held
			continue
		}
		row := Explanation{Cycle: cycle, Department: e.Department, Account: e.Account, Month: int(e.Period), Text: e.Text,
			Sheet: e.Sheet, Cell: e.Cell, Source: source, By: by, At: at}
		if err := tx.AddExplanation(ctx, &row); err != nil {
			return n, err
		}
		held[key] = e.Text
		n++
	}
	return n, nil
}

func explanationKey(dept, account string, month int) string {
	return fmt.Sprintf("%s\x00%s\x00%d", dept, account, month)
}

// spoken returns the current explanations that say something, as a
// close reads them (withdrawn ones left out).
func spoken(rows []Explanation) []review.Explanation {
	var out []review.Explanation
	for _, e := range rows {
		if e.Text != "" {
			out = append(out, review.Explanation{Department: e.Department, Account: e.Account,
				Period: engine.Period(e.Month), Text: e.Text, Sheet: e.Sheet, Cell: e.Cell})
		}
	}
	return out
}

// said counts the explanations that say something.
func said(es []review.Explanation) int {
	n := 0
	for _, e := range es {
		if e.Text != "" {
			n++
		}
	}
	return n
}

// Explanations lists what the departments of a cycle said about their
// variances: the current word on each line (finance's view).
func (s *Service) Explanations(ctx context.Context, a Actor, cycle string) ([]Explanation, error) {
	if err := financeOnly(a, false); err != nil {
		return nil, err
	}
	if _, err := s.o.Store.Cycle(ctx, cycle); err != nil {
		return nil, err
	}
	rows, err := s.o.Store.Explanations(ctx, cycle)
	return slices.DeleteFunc(rows, func(e Explanation) bool { return e.Text == "" }), err
}
