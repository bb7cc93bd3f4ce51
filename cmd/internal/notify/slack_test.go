package notify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSlackPostsBlocks(t *testing.T) {
	var got struct {
		method, contentType, path string
		body                      []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.method, got.contentType, got.path = r.Method, r.Header.Get("Content-Type"), r.URL.Path
		got.body, _ = io.ReadAll(r.Body)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)

	s := &Slack{WebhookURL: srv.URL + "/services/T0/B0/secret"}
	require.NoError(t, s.Notify(t.Context(), alert()))
	assert.Equal(t, http.MethodPost, got.method)
	assert.Equal(t, "application/json", got.contentType)
	assert.Equal(t, "/services/T0/B0/secret", got.path)
	assert.JSONEq(t, `{
		"text": "*Trigger fired: Umsatzrückgang (Aug 2026 (FY2027-P05))*\n`+
		`trailing-3-month revenue &lt; 92% of plan for 2 consecutive months\n`+
		`Aug 2026: 88.4%\n`+
		`Playbook: Slow the spend\n`+
		`• freeze hiring — from Oct 2026 (FY2027-P07)\n`+
		`• cut travel by half — from Sep 2026 (FY2027-P06)\n`+
		`<https://aop.example.com/cycles/fy2027/closes/FY2027-P05?view=summary&amp;tab=alerts|Finance summary of the close>",
		"blocks": [
			{"type": "header", "text": {"type": "plain_text", "text": "Trigger fired: Umsatzrückgang (Aug 2026 (FY2027-P05))"}},
			{"type": "section", "fields": [
				{"type": "mrkdwn", "text": "*Condition*\ntrailing-3-month revenue &lt; 92% of plan for 2 consecutive months"},
				{"type": "mrkdwn", "text": "*Month*\nAug 2026"},
				{"type": "mrkdwn", "text": "*Value*\n88.4%"},
				{"type": "mrkdwn", "text": "*Playbook*\nSlow the spend"}
			]},
			{"type": "section", "text": {"type": "mrkdwn", "text": "*Actions the playbook names*\n`+
		`• freeze hiring — from Oct 2026 (FY2027-P07)\n• cut travel by half — from Sep 2026 (FY2027-P06)"}},
			{"type": "section", "text": {"type": "mrkdwn",
				"text": "<https://aop.example.com/cycles/fy2027/closes/FY2027-P05?view=summary&amp;tab=alerts|Finance summary of the close>"}}
		]
	}`, string(got.body))
}

func TestSlackErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	s := &Slack{WebhookURL: srv.URL + "/services/T0/B0/secret"}
	err := s.Notify(t.Context(), alert())
	require.Error(t, err)
	assert.Equal(t, "slack webhook: 400 Bad Request: invalid_payload", err.Error())

	srv.Close()
	err = s.Notify(t.Context(), alert())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection refused")
	assert.NotContains(t, err.Error(), "secret", "the webhook URL is a secret and stays out of errors (and logs)")
}

func TestSlackTruncatesLongText(t *testing.T) {
	a := alert()
	a.Trigger = strings.Repeat("ü", 200)
	p := slackPayload(a)
	assert.Len(t, []rune(p.Blocks[0].Text.Text), slackHeaderMax, "Slack refuses longer headers")
	assert.True(t, strings.HasSuffix(p.Blocks[0].Text.Text, "üü…"))
}
