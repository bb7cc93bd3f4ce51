package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/cmd/internal/cyclefile"
	"aop/cmd/internal/plan"
	"aop/cmd/internal/servetest"
	"aop/engine"
	"aop/engine/grid"
	"aop/excel"
	"aop/templates"
)

// fill types a department's demo plan into its workbook, plus extra edits.
func fill(t *testing.T, c *engine.Cycle, dept string, wb []byte, extra ...excel.Edit) []byte {
	return servetest.Fill(t, c, demoSubmission(c, dept), wb, extra...)
}

func demoCycle(t *testing.T) *engine.Cycle {
	f, err := cyclefile.Parse("cycle.yaml", []byte(demoCycleYAML()), nil)
	require.NoError(t, err)
	return f.Cycle
}

func TestServeRunsARound(t *testing.T) {
	s := servetest.Start(t, "reminders: {lead_time: 720h, every: 1s, sender: log}\n")
	c := demoCycle(t)
	leaves := c.Leaves()
	require.GreaterOrEqual(t, len(leaves), 6)

	require.Equal(t, 401, s.Call("GET", "/api/v1/rounds", "", nil, nil), "no token")
	var cyc plan.Cycle
	require.Equal(t, 200, s.Call("POST", "/api/v1/cycles?name=cycle.yaml", s.Admin, demoCycleYAML(), &cyc))
	require.Equal(t, c.ID, cyc.ID)

	var round plan.Round
	due := time.Now().Add(7 * 24 * time.Hour).UTC().Truncate(time.Second)
	require.Equal(t, 201, s.Call("POST", "/api/v1/rounds", s.Admin, plan.OpenRound{Cycle: c.ID, Name: "First draft", Due: due}, &round))
	require.Len(t, round.Departments, len(leaves))

	// Every department uploads its filled workbook: one types words into
	// an amount, one sends its file to another department's round slot.
	deptToken := map[string]string{}
	books := map[string][]byte{}
	for _, d := range leaves {
		deptToken[d.ID] = s.Token("department", d.ID)
		books[d.ID] = s.Workbook(round.ID, d.ID, deptToken[d.ID])
	}
	tpl, err := templates.NewDepartment(c)
	require.NoError(t, err)
	sheet, cell, err := tpl.PlanCell(2, "month:4")
	require.NoError(t, err)
	var good []string
	for _, d := range leaves {
		if d.ID != demoMistakeDept {
			good = append(good, d.ID)
		}
	}
	bad, wrong, other, sentBack := demoMistakeDept, good[0], good[1], good[2]
	subs := map[string]plan.Submission{}
	for _, d := range leaves {
		var extra []excel.Edit
		if d.ID == bad {
			extra = append(extra, excel.Edit{Sheet: sheet, Cell: cell, Value: grid.Str("about 40k")})
		}
		var sub plan.Submission
		code := s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload?filename=%s.xlsx", round.ID, d.ID, d.ID),
			deptToken[d.ID], fill(t, c, d.ID, books[d.ID], extra...), &sub)
		if d.ID == bad {
			require.Equal(t, 422, code)
			assert.Equal(t, plan.Rejected, sub.State)
			require.NotEmpty(t, sub.Findings)
			assert.Equal(t, sheet, sub.Findings[0].Sheet)
			assert.Equal(t, cell.String(), sub.Findings[0].Cell)
			assert.Contains(t, sub.Findings[0].Message, "must be a number")
			continue
		}
		require.Equal(t, 201, code, "%s: %+v", d.ID, sub.Findings)
		assert.Equal(t, plan.Accepted, sub.State)
		subs[d.ID] = sub
	}
	// The workbook carries its webhook sheet id and secret: a menu button
	// signs with them.
	wbOf := func(data []byte) *grid.Workbook {
		path := filepath.Join(t.TempDir(), "wb.xlsx")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		wb, err := excel.Inspect(path)
		require.NoError(t, err)
		return wb
	}
	sheetID, secret := tpl.Webhook(wbOf(books[other]))
	require.Equal(t, plan.SheetID(round.ID, other), sheetID)
	body, err := json.Marshal(map[string]string{"filename": "plan.xlsx", "workbook": base64.StdEncoding.EncodeToString(fill(t, c, other, books[other]))})
	require.NoError(t, err)
	ts, nonce := fmt.Sprint(time.Now().Unix()), "e2e-nonce-1"
	code, out, err := s.Do(servetest.Request{Method: "POST", Path: "/api/v1/webhook/validate", Body: json.RawMessage(body), Headers: map[string]string{
		"X-AOP-Sheet": sheetID, "X-AOP-Timestamp": ts, "X-AOP-Nonce": nonce,
		"X-AOP-Signature": plan.Sign(secret, "POST", "/api/v1/webhook/validate", ts, nonce, body)}})
	require.NoError(t, err)
	require.Equal(t, 200, code, "%s", out)
	assert.Contains(t, string(out), `"findings"`)

	// A department's token cannot send to another department...
	require.Equal(t, 403, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload", round.ID, other),
		deptToken[wrong], books[wrong], nil))
	// ...and finance sending one department's workbook as another's gets
	// it refused, without touching the accepted one.
	var refused plan.Submission
	require.Equal(t, 422, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload", round.ID, other),
		s.Admin, fill(t, c, wrong, books[wrong]), &refused))
	assert.Equal(t, "wrong_department", refused.Problem)

	// Review: approve two, send one back.
	var st plan.DepartmentState
	require.Equal(t, 200, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/approve", round.ID, wrong), s.Admin, map[string]string{"comment": "good"}, &st))
	assert.True(t, st.Locked)
	require.Equal(t, 200, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/approve", round.ID, other), s.Admin, map[string]string{}, nil))
	require.Equal(t, 200, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/send-back", round.ID, sentBack), s.Admin,
		map[string]string{"comment": "travel is too high"}, nil))
	require.Equal(t, 403, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/approve", round.ID, sentBack), s.Viewer, map[string]string{}, nil))

	// A locked department's next submission is refused with a clear error.
	var locked plan.Submission
	require.Equal(t, 422, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload", round.ID, wrong),
		deptToken[wrong], fill(t, c, wrong, books[wrong]), &locked))
	assert.Equal(t, "locked", locked.Problem)
	assert.Contains(t, locked.Findings[0].Message, "locked")

	// Consolidate and write the summaries back.
	var started struct {
		Consolidation plan.Consolidation `json:"consolidation"`
		Job           int64              `json:"job"`
	}
	require.Equal(t, 202, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/consolidations", round.ID), s.Admin, nil, &started))
	s.WaitJob(started.Job)
	var k plan.Consolidation
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/consolidations/%d", started.Consolidation.ID), s.Viewer, nil, &k))
	assert.Equal(t, "done", k.State)
	var rep consolidateReport
	require.NoError(t, json.Unmarshal(k.Result, &rep))
	assert.Equal(t, c.ID, rep.Cycle)
	assert.NotEqual(t, "0.00", rep.Company.Plan.Costs)
	assert.NotEmpty(t, rep.Gaps)

	// The finance summary of the run carries the cycle's scenario tabs.
	var summary []byte
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/consolidations/%d/summary", k.ID), s.Viewer, nil, &summary))
	fwb := wbOf(summary)
	for _, tab := range []string{"Scenarios", "Ranges", "Accuracy", "Initiatives"} {
		assert.NotNil(t, fwb.Sheet(tab), "the service's summary has a %s tab", tab)
	}

	// Statuses.
	var status plan.RoundStatus
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d", round.ID), s.Viewer, nil, &status))
	byDept := map[string]plan.DepartmentState{}
	for _, d := range status.Departments {
		byDept[d.Department] = d
	}
	assert.Equal(t, plan.Approved, byDept[wrong].Status)
	assert.Equal(t, plan.Approved, byDept[other].Status)
	assert.Equal(t, plan.SentBack, byDept[sentBack].Status)
	assert.Equal(t, "travel is too high", byDept[sentBack].Comment)
	assert.Equal(t, plan.InProgress, byDept[bad].Status)
	assert.Zero(t, byDept[bad].Current)
	assert.Equal(t, len(leaves)-4, status.Counts[plan.Submitted])
	assert.Equal(t, subs[other].ID, byDept[other].Current, "the refused upload did not replace the accepted one")

	// Finance's command line shows the same, as a table.
	cmd := exec.Command(s.Bin, "round", "status", fmt.Sprint(round.ID))
	cmd.Env = append(os.Environ(), "AOP_SERVER="+s.URL, "AOP_TOKEN="+s.Viewer)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	table := string(out)
	assert.Contains(t, table, "round "+fmt.Sprint(round.ID)+" · First draft")
	assert.Regexp(t, wrong+` +approved, locked +#\d+`, table)
	assert.Regexp(t, sentBack+` +sent back +#\d+ .* travel is too high`, table)
	assert.Regexp(t, bad+` +in progress +- `, table)
	assert.Contains(t, table, fmt.Sprintf("%d departments: 1 in progress, %d submitted, 1 sent back, 2 approved; 0 late", len(leaves), len(leaves)-4))

	// Stored submissions: every upload, accepted or not.
	var list []plan.Submission
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/submissions", round.ID, wrong), s.Admin, nil, &list))
	require.Len(t, list, 2)
	assert.Equal(t, plan.Rejected, list[0].State, "newest first")
	assert.Equal(t, plan.Accepted, list[1].State)

	// The written-back workbook carries a Summary tab; the approved one is
	// locked: no input cell is left open.
	for dept, wantLocked := range map[string]bool{wrong: true, sentBack: false} {
		data := s.Workbook(round.ID, dept, deptToken[dept])
		path := filepath.Join(t.TempDir(), dept+".xlsx")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		wb, err := excel.Inspect(path)
		require.NoError(t, err)
		require.NotNil(t, wb.Sheet(templates.SummarySheetName), "%s has a Summary tab", dept)
		open := 0
		for _, sh := range wb.Sheets {
			for _, cell := range sh.All() {
				if cell.Style != nil && cell.Style.Unlocked {
					open++
				}
			}
		}
		assert.Equal(t, wantLocked, open == 0, "%s: %d open cells", dept, open)
	}

	// The audit log has every action.
	var audit []plan.AuditEntry
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/audit?round=%d&limit=1000", round.ID), s.Admin, nil, &audit))
	actions := map[string]int{}
	for _, e := range audit {
		actions[e.Action]++
	}
	assert.Equal(t, len(leaves)+2, actions["submission.receive"])
	assert.Equal(t, len(leaves)-1, actions["submission.accept"])
	assert.Equal(t, 3, actions["submission.reject"])
	assert.Equal(t, 2, actions["department.approve"])
	assert.Equal(t, 1, actions["department.send_back"])
	assert.Equal(t, 1, actions["round.open"])
	assert.Equal(t, 1, actions["consolidation.done"])

	// The department that never got a plan accepted is reminded (the due
	// date is within the lead time), with a link to its workbook.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var reminded []plan.AuditEntry
		require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/audit?round=%d&action=department.remind&department=%s", round.ID, bad), s.Admin, nil, &reminded))
		if len(reminded) > 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "no reminder for %s:\n%s", bad, s.Log())
		time.Sleep(100 * time.Millisecond)
	}
	m := regexp.MustCompile(`"msg":"reminder".*"department":"` + bad + `".*"link":"(http://[^"]+/api/v1/rounds/\d+/departments/` + bad + `/workbook\?expires=\d+&sig=[0-9a-f]{64})"`).FindStringSubmatch(s.Log())
	require.NotNil(t, m, "the reminder carries a signed link:\n%s", s.Log())
	// The link alone, without a token, downloads the department's workbook.
	var linked []byte
	require.Equal(t, 200, s.Call("GET", strings.TrimPrefix(m[1], s.URL), "", nil, &linked))
	assert.Equal(t, "PK", string(linked[:2]), "an .xlsx file")

	// Closing the round locks every department; uploads are refused until
	// finance reopens it, which unlocks all but the approved.
	finance := func(args ...string) string {
		cmd := exec.Command(s.Bin, args...)
		cmd.Env = append(os.Environ(), "AOP_SERVER="+s.URL, "AOP_TOKEN="+s.Admin)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	assert.Contains(t, finance("round", "close", fmt.Sprint(round.ID)), "is closed")
	var closed plan.Submission
	require.Equal(t, 422, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload", round.ID, sentBack),
		deptToken[sentBack], fill(t, c, sentBack, books[sentBack]), &closed))
	assert.Equal(t, "round_closed", closed.Problem)
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d", round.ID), s.Viewer, nil, &status))
	for _, d := range status.Departments {
		assert.True(t, d.Locked, "%s is locked once the round closes", d.Department)
	}
	assert.Contains(t, finance("round", "reopen", fmt.Sprint(round.ID)), "is open")
	require.Equal(t, 201, s.Call("POST", fmt.Sprintf("/api/v1/rounds/%d/departments/%s/upload", round.ID, sentBack),
		deptToken[sentBack], fill(t, c, sentBack, books[sentBack]), nil))
	require.Equal(t, 200, s.Call("GET", fmt.Sprintf("/api/v1/rounds/%d", round.ID), s.Viewer, nil, &status))
	for _, d := range status.Departments {
		assert.Equal(t, d.Status == plan.Approved, d.Locked, "%s: only the approved stay locked", d.Department)
	}

	// Metrics count requests, jobs and submissions by outcome.
	var metrics []byte
	require.Equal(t, 200, s.Call("GET", "/metrics", "", nil, &metrics))
	assert.Regexp(t, `aop_submissions_total\{state="accepted"\} `+fmt.Sprint(len(leaves)), string(metrics))
	assert.Regexp(t, `aop_submissions_total\{state="rejected"\} 4`, string(metrics))
	assert.Contains(t, string(metrics), `aop_job_duration_seconds_count{kind="consolidate",state="completed"} 1`)
	assert.Contains(t, string(metrics), `aop_http_requests_total{code="201",method="POST",route="/api/v1/rounds/{id}/departments/{dept}/upload"}`)
}
