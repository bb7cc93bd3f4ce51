package plan

import (
	"context"
	"log/slog"
)

// Alert is a trigger point that fired on the actuals of a monthly close:
// what fired, when, and the playbook it names with the actions it would
// take. Finance decides; aop does not act on its own.
type Alert struct {
	// Cycle and Close say which close fired it: the cycle's id and the
	// closed month ("FY2027-P05"); CloseLabel names the month for people
	// ("Aug 2026 (FY2027-P05)").
	Cycle, Close, CloseLabel string
	Trigger                  string
	// Condition describes the trigger ("trailing-3-month revenue < 92% of
	// plan for 2 consecutive months"); Month is the month it fired in and
	// Value its figure there, both as people read them.
	Condition, Month, Value string
	Playbook                string
	Actions                 []AlertAction
	// Link leads to the finance summary of the close.
	Link string
}

// AlertAction is one action of a fired trigger's playbook.
type AlertAction struct {
	// What the action does ("freeze hiring"), and When it starts
	// ("Oct 2026 (FY2027-P07)").
	What, When string
}

// Notifier delivers alerts: the log, e-mail, a chat webhook.
type Notifier interface {
	Notify(ctx context.Context, a Alert) error
}

// LogNotifier writes alerts to the log.
type LogNotifier struct{ Log *slog.Logger }

// Notify logs the alert.
func (l LogNotifier) Notify(_ context.Context, a Alert) error {
	actions := make([]string, len(a.Actions))
	for i, x := range a.Actions {
		actions[i] = x.What + " from " + x.When
	}
	l.Log.Warn("trigger fired", "cycle", a.Cycle, "close", a.Close, "trigger", a.Trigger, "condition", a.Condition,
		"month", a.Month, "value", a.Value, "playbook", a.Playbook, "actions", actions, "link", a.Link)
	return nil
}
