package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"aop/cmd/internal/plan"
)

// Slack posts alerts to a Slack-compatible incoming webhook: a text
// fallback (for notifications, and for services that ignore blocks) and
// Block Kit blocks laying out the trigger, its figures and the playbook's
// actions.
type Slack struct {
	// WebhookURL is secret (whoever has it can post), so errors never
	// name it.
	WebhookURL string
	// Client posts the messages; nil means one that gives up after 10s.
	Client *http.Client
}

var defaultSlackClient = &http.Client{Timeout: 10 * time.Second}

// Notify posts the alert. Slack answers 200 "ok", or 4xx with the reason
// in the body ("invalid_payload", "no_service"), which the error carries.
func (s *Slack) Notify(ctx context.Context, a plan.Alert) error {
	payload, err := json.Marshal(slackPayload(a))
	if err != nil {
		return fmt.Errorf("slack webhook: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.WebhookURL, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("slack webhook: %w", withoutURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	client := s.Client
	if client == nil {
		client = defaultSlackClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("slack webhook: %w", withoutURL(err))
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return fmt.Errorf("slack webhook: %s: %s", resp.Status, truncate(oneLine(string(reply)), 512))
}

// withoutURL drops the request URL, a secret, from an HTTP client's error.
func withoutURL(err error) error {
	var u *url.Error
	if errors.As(err, &u) {
		return fmt.Errorf("%s: %w", u.Op, u.Err)
	}
	return err
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type   string      `json:"type"`
	Text   *slackText  `json:"text,omitempty"`
	Fields []slackText `json:"fields,omitempty"`
}

type slackText struct {
	Type string `json:"type"` // plain_text or mrkdwn
	Text string `json:"text"`
}

// Block Kit's limits on text lengths, in characters.
const (
	slackHeaderMax  = 150
	slackFieldMax   = 2000
	slackSectionMax = 3000
)

// slackPayload lays the alert out as a webhook message: a header, the
// condition, month, value and playbook as fields, the actions as a
// bulleted list, and the link to the close's finance summary.
func slackPayload(a plan.Alert) slackMessage {
	var fields []slackText
	for _, f := range [][2]string{
		{"Condition", a.Condition}, {"Month", a.Month}, {"Value", a.Value}, {"Playbook", a.Playbook},
	} {
		if f[1] != "" {
			fields = append(fields, mrkdwn(truncate("*"+f[0]+"*\n"+escapeMrkdwn(f[1]), slackFieldMax)))
		}
	}
	var actions []string
	for _, x := range a.Actions {
		actions = append(actions, "• "+escapeMrkdwn(oneLine(action(x))))
	}
	link := ""
	if a.Link != "" {
		link = "<" + escapeMrkdwn(a.Link) + "|Finance summary of the close>"
	}

	blocks := []slackBlock{{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(oneLine(title(a)), slackHeaderMax)}}}
	if len(fields) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Fields: fields})
	}
	if len(actions) > 0 {
		t := mrkdwn(truncate("*Actions the playbook names*\n"+strings.Join(actions, "\n"), slackSectionMax))
		blocks = append(blocks, slackBlock{Type: "section", Text: &t})
	}
	if link != "" {
		t := mrkdwn(link)
		blocks = append(blocks, slackBlock{Type: "section", Text: &t})
	}

	text := []string{"*" + escapeMrkdwn(oneLine(title(a))) + "*"}
	if a.Condition != "" {
		text = append(text, escapeMrkdwn(a.Condition))
	}
	if a.Month != "" && a.Value != "" {
		text = append(text, escapeMrkdwn(a.Month+": "+a.Value))
	}
	if a.Playbook != "" {
		text = append(text, "Playbook: "+escapeMrkdwn(a.Playbook))
	}
	text = append(text, actions...)
	if link != "" {
		text = append(text, link)
	}
	return slackMessage{Text: strings.Join(text, "\n"), Blocks: blocks}
}

func mrkdwn(s string) slackText { return slackText{Type: "mrkdwn", Text: s} }

// escapeMrkdwn escapes the three characters Slack gives meaning to in
// message text ("revenue < 92% of plan" would otherwise start a link).
var escapeMrkdwn = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// truncate shortens s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
