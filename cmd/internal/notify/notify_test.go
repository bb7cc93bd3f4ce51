package notify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/config"
	"aop/cmd/internal/plan"
)

// alert is a fired trigger with everything a sender shows, a non-ASCII
// name and text Slack would read as markup.
func alert() plan.Alert {
	return plan.Alert{
		Cycle: "fy2027", Close: "FY2027-P05", CloseLabel: "Aug 2026 (FY2027-P05)",
		Trigger:   "Umsatzrückgang",
		Condition: "trailing-3-month revenue < 92% of plan for 2 consecutive months",
		Month:     "Aug 2026", Value: "88.4%", Playbook: "Slow the spend",
		Actions: []plan.AlertAction{
			{What: "freeze hiring", When: "Oct 2026 (FY2027-P07)"},
			{What: "cut travel by half", When: "Sep 2026 (FY2027-P06)"},
		},
		Link: "https://aop.example.com/cycles/fy2027/closes/FY2027-P05?view=summary&tab=alerts",
	}
}

type notifierFunc func(context.Context, plan.Alert) error

func (f notifierFunc) Notify(ctx context.Context, a plan.Alert) error { return f(ctx, a) }

func TestMultiCallsEveryNotifier(t *testing.T) {
	var got []string
	m := Multi{
		notifierFunc(func(context.Context, plan.Alert) error { got = append(got, "a"); return errors.New("smtp down") }),
		notifierFunc(func(_ context.Context, a plan.Alert) error { got = append(got, a.Trigger); return nil }),
		notifierFunc(func(context.Context, plan.Alert) error { got = append(got, "c"); return errors.New("slack down") }),
	}
	err := m.Notify(t.Context(), alert())
	require.Error(t, err)
	assert.Equal(t, "smtp down\nslack down", err.Error())
	assert.Equal(t, []string{"a", "Umsatzrückgang", "c"}, got, "a failure does not stop the others")
	assert.NoError(t, Multi{}.Notify(t.Context(), alert()))
}

func TestNewFromConfig(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	n, err := New(config.Default().Alerts, log)
	require.NoError(t, err)
	require.Equal(t, Multi{plan.LogNotifier{Log: log}}, n, "the default is the log alone")
	require.NoError(t, n.Notify(t.Context(), alert()))
	assert.Contains(t, logs.String(), "trigger fired")

	cfg := config.Alerts{
		Senders: []string{"slack", "smtp"},
		SMTP: config.SMTP{Host: "mail.example.com", Port: 587, From: "aop@example.com", To: []string{"fpa@example.com"},
			Username: "aop", Password: "s3cret", Insecure: true},
		Slack: config.Slack{WebhookURL: "https://hooks.slack.com/services/T/B/X"},
	}
	n, err = New(cfg, log)
	require.NoError(t, err)
	assert.Equal(t, Multi{
		plan.LogNotifier{Log: log},
		&Slack{WebhookURL: "https://hooks.slack.com/services/T/B/X"},
		&SMTP{Host: "mail.example.com", Port: 587, From: "aop@example.com", To: []string{"fpa@example.com"},
			Username: "aop", Password: "s3cret", Insecure: true},
	}, n, "the log first, then the senders in the order listed")

	_, err = New(config.Alerts{Senders: []string{"pigeon"}}, log)
	assert.ErrorContains(t, err, `"pigeon" is not a sender`)
}
