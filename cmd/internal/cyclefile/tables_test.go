package cyclefile

import (
	"fmt"
	"io/fs"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameAsYAML fails unless Parse's result (file, err) is what parsing data
// with the YAML parser alone gives.
func sameAsYAML(t *testing.T, data []byte, fsys fs.FS, file *File, err error) {
	t.Helper()
	want, wantErr := parse("cycle.yaml", data, fsys, false)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("error %v, without reading tables by line %v", err, wantErr)
	}
	if err != nil {
		if err.Error() != wantErr.Error() {
			t.Fatalf("error\n%v\nwithout reading tables by line\n%v", err, wantErr)
		}
		return
	}
	if !reflect.DeepEqual(file, want) {
		t.Fatalf("file\n%+v\nwithout reading tables by line\n%+v", file.Cycle, want.Cycle)
	}
}

// lineTableHead is a cycle file up to its tables.
const lineTableHead = `cycle: c1
company: Acme
currency: USD
fiscal_year: 2027
accounts:
  - {code: "4000", name: Sales, type: revenue, group: Revenue}
  - {code: "6100", name: Salaries, type: opex, group: Personnel}
`

// lineTableCases are cycle files whose tables are, or look like, tables
// written one entry a line; byLine counts the tables read that way (a
// table misplaced is read, then the file is parsed again without them).
var lineTableCases = []struct {
	name   string
	src    string
	byLine int
}{
	{"valid", lineTableHead + `departments:
  - {id: sales, name: "Sales", owner: dana@acme.example}
  - {id: ops,   name: 'Operations & Admin' , parent: sales}
# a comment between entries

  - {id: rnd, name: R1}
targets:
- {department: sales, group: "Revenue", amount: 1200000.50}
- {department: ops, account: "6100", months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12.5]}
prior_year:
  actuals:
    - {department: sales, account: "4000", amount: "+900"}
  plan:
      - {department: ops, account: 6100, months: [1,2,3,4,5,6,7,8,9,10,11,12]}
rules: []
`, 4},
	{"crlf", strings.ReplaceAll(lineTableHead+"departments:\n  - {id: sales, name: Sales}\ntargets:\n  - {department: sales, group: Revenue, amount: 5}\n", "\n", "\r\n"), 2},
	{"unknown department", lineTableHead + `departments:
  - {id: sales, name: Sales}
targets:
  - {department: sales, group: Revenue, amount: 5}
  - {department: nobody, group: Revenue, amount: 5}
`, 2},
	{"bad amount", lineTableHead + `departments:
  - {id: sales, name: Sales}
targets:
  - {department: sales, group: Revenue, amount: 5}
  - {department: sales, group: Personnel, amount: 1e6}
`, 1},
	{"unknown field", lineTableHead + `departments:
  - {id: sales, name: Sales, ownr: x@y.z}
`, 0},
	{"repeated field", lineTableHead + `departments:
  - {id: sales, name: Sales, name: Other}
`, 0},
	{"owner not an address", lineTableHead + `departments:
  - {id: sales, name: Sales, owner: dana}
`, 0},
	{"true is not text", lineTableHead + `departments:
  - {id: sales, name: true}
`, 0},
	{"empty", lineTableHead + `departments:
  - {id: sales, name: Sales}
targets:
  - {department: sales, group: Revenue, amount: null}
`, 1},
	{"months short", lineTableHead + `departments:
  - {id: sales, name: Sales}
targets:
  - {department: sales, group: Revenue, months: [1, 2]}
`, 1},
	{"trailing comment", lineTableHead + `departments:
  - {id: sales, name: Sales} # the sales team
`, 0},
	{"block entry in between", lineTableHead + `departments:
  - {id: sales, name: Sales}
  - id: ops
    name: Ops
`, 0},
	{"repeated table", lineTableHead + `departments:
  - {id: sales, name: Sales}
departments:
  - {id: ops, name: Ops}
`, 2},
	{"inside a block scalar", `cycle: c1
company: |
  actuals:
  - {department: sales, account: "4000", amount: 5}
currency: USD
fiscal_year: 2027
departments:
  - {id: sales, name: Sales}
accounts:
  - {code: "4000", name: Sales, type: revenue}
`, 2},
	{"plan outside prior_year", lineTableHead + `departments:
  - {id: sales, name: Sales}
history:
  plan:
    - {department: sales, account: "4000", amount: 5}
`, 2},
	{"targets not at the top", lineTableHead + `departments:
  - {id: sales, name: Sales}
history:
  targets:
    - {department: sales, group: Revenue, amount: 5}
`, 1},
	{"syntax error", lineTableHead + `departments:
  - {id: sales, name: Sales}
targets: [
  - {department: sales, group: Revenue, amount: 5}
`, 1},
	{"lone CR", lineTableHead + "departments:\r  - {id: sales, name: Sales}\n", 0},
}

func TestLineTables(t *testing.T) {
	for _, tc := range lineTableCases {
		t.Run(tc.name, func(t *testing.T) {
			tables, _ := readLineTables([]byte(tc.src))
			assert.Len(t, tables, tc.byLine, "tables read by line")
			file, err := Parse("cycle.yaml", []byte(tc.src), nil)
			sameAsYAML(t, []byte(tc.src), nil, file, err)
		})
	}
}

// TestLineTablesValid checks what the valid case reads, field by field.
func TestLineTablesValid(t *testing.T) {
	f, err := Parse("cycle.yaml", []byte(lineTableCases[0].src), nil)
	require.NoError(t, err)
	c := f.Cycle
	require.Len(t, c.Departments, 3)
	assert.Equal(t, "Operations & Admin", c.Departments[1].Name)
	assert.Equal(t, "sales", c.Departments[1].Parent)
	require.Len(t, c.Targets, 13)
	assert.Equal(t, "1200000.5", c.Targets[0].Amount.String())
	assert.Equal(t, "-12.5", c.Targets[12].Amount.String())
	require.Len(t, c.PriorActuals, 1)
	assert.Equal(t, "900", c.PriorActuals[0].Amount.String())
	require.Len(t, c.PriorPlan, 12)
}

// TestLineTablesProblemLines checks that a problem found after decoding
// (an unknown department) names the entry's line.
func TestLineTablesProblemLines(t *testing.T) {
	src := lineTableCases[2].src
	got := problemsOf(t, src, nil)
	line := strings.Count(src[:strings.Index(src, "nobody")], "\n") + 1
	require.NotEmpty(t, got)
	assert.Contains(t, got[0], "cycle.yaml:"+strconv.Itoa(line)+":")
}

// TestFlowScalar checks the values an entry line may hold.
func TestFlowScalar(t *testing.T) {
	for _, tc := range []struct {
		in, value, rest string
		ok              bool
	}{
		{"abc, x", "abc", ", x", true},
		{"-12.50]", "-12.50", "]", true},
		{"+.5 ", "+.5", " ", true},
		{"dana@acme.example", "dana@acme.example", "", true},
		{`"a b", c`, "a b", ", c", true},
		{`'a "b"'`, "", "", false},
		{`"a\"b"`, "", "", false},
		{"@x", "", "", false},
		{"/x", "", "", false},
		{".inf", "", "", false},
		{"-", "", "", false},
		{"- x", "", "", false},
		{"true", "", "", false},
		{"Null,", "", "", false},
		{"a b", "a", " b", true}, // and parseFlowLine refuses what follows
		{"a:b", "", "", false},
		{"a#b", "", "", false},
		{`"é"`, "", "", false},
		{`"unclosed`, "", "", false},
	} {
		v, rest, ok := flowScalar(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		if tc.ok {
			assert.Equal(t, tc.value, v, tc.in)
			assert.Equal(t, tc.rest, rest, tc.in)
		}
	}
}

// TestParseFlowLine checks the entry lines read and refused.
func TestParseFlowLine(t *testing.T) {
	fields, ok := parseFlowLine(`- {id: x,name: "A B" , tags: [1, b]}  `, nil)
	require.True(t, ok)
	assert.Equal(t, []flowField{{key: "id", value: "x"}, {key: "name", value: "A B"}, {key: "tags", list: []string{"1", "b"}, isList: true}}, fields)
	for _, l := range []string{
		"- {x: a b}", "- {x: a} # note", "- {x: a,}", "- {}", "-  {x: a}", "- {x:a}", "- {x : a}", `- {"x": a}`,
		"- {x: a, x: b}", "- {x: [a, b}", "- {x: [a b]}", "- {x: {y: z}}", "- &a {x: a}", "- {x: *a}", "- {x: a}	",
	} {
		_, ok := parseFlowLine(l, nil)
		assert.False(t, ok, l)
	}
}

// BenchmarkParseLarge parses the cycle file of a large company, 1,000
// departments with 7 targets each, written one entry a line, with its
// tables read by line and by the YAML parser alone.
func BenchmarkParseLarge(b *testing.B) {
	var src strings.Builder
	src.WriteString("cycle: c1\ncompany: Acme\ncurrency: USD\nfiscal_year: 2027\naccounts:\n")
	for g := range 7 {
		fmt.Fprintf(&src, "  - {code: \"%d\", name: Account %d, type: opex, group: Group %d}\n", 6000+g, g, g)
	}
	src.WriteString("departments:\n")
	for i := range 1000 {
		fmt.Fprintf(&src, "  - {id: d%04d, name: \"Department %d\"}\n", i+1, i+1)
	}
	src.WriteString("targets:\n")
	for i := range 1000 {
		for g := range 7 {
			fmt.Fprintf(&src, "  - {department: d%04d, group: \"Group %d\", amount: \"%d.%02d\"}\n", i+1, g, 1_000_000+i*g, g)
		}
	}
	data := []byte(src.String())
	for _, byLine := range []bool{true, false} {
		b.Run(fmt.Sprintf("byLine=%v", byLine), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := parse("cycle.yaml", data, nil, byLine); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
