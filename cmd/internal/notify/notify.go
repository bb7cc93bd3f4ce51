// Package notify delivers the alerts of trigger points fired on a monthly
// close (plan.Alert) by e-mail over SMTP and to a Slack-compatible incoming
// webhook, and builds the notifier the configuration asks for. Retrying a
// failed delivery is the job queue's business, not this package's.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"aop/cmd/internal/config"
	"aop/cmd/internal/plan"
)

// New returns the notifier cfg asks for: the log always, so no alert is ever
// missing from it, then each configured sender in the order listed.
func New(cfg config.Alerts, log *slog.Logger) (plan.Notifier, error) {
	m := Multi{plan.LogNotifier{Log: log}}
	for _, s := range cfg.Senders {
		switch s {
		case "log":
		case "smtp":
			c := cfg.SMTP
			m = append(m, &SMTP{Host: c.Host, Port: c.Port, From: c.From, To: c.To,
				Username: c.Username, Password: c.Password, Insecure: c.Insecure})
		case "slack":
			m = append(m, &Slack{WebhookURL: cfg.Slack.WebhookURL})
		default:
			return nil, fmt.Errorf("alerts.senders: %q is not a sender aop has; use log, smtp or slack", s)
		}
	}
	return m, nil
}

// Multi delivers each alert through every notifier in turn, whether or not
// an earlier one failed.
type Multi []plan.Notifier

// Notify calls every notifier and returns their errors joined.
func (m Multi) Notify(ctx context.Context, a plan.Alert) error {
	var errs []error
	for _, n := range m {
		if err := n.Notify(ctx, a); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// title is the alert's one-line summary, as a mail subject or chat header.
func title(a plan.Alert) string {
	if c := closeName(a); c != "" {
		return "Trigger fired: " + a.Trigger + " (" + c + ")"
	}
	return "Trigger fired: " + a.Trigger
}

// closeName names the alert's close for people.
func closeName(a plan.Alert) string {
	if a.CloseLabel != "" {
		return a.CloseLabel
	}
	return a.Close
}

// action is one playbook action as people read it.
func action(x plan.AlertAction) string {
	if x.When == "" {
		return x.What
	}
	return x.What + " — from " + x.When
}

// oneLine folds line breaks into spaces, for text that must stay on a line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
