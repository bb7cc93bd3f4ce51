package plan

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"aop/engine"
)

func TestWhoMayDoWhat(t *testing.T) {
	admin := Actor{Kind: "token", Name: "a", Role: FinanceAdmin}
	viewer := Actor{Kind: "token", Name: "v", Role: FinanceViewer}
	sales := Actor{Kind: "token", Name: "s", Role: DepartmentRole, Department: "sales"}
	nobody := Actor{}
	for _, tc := range []struct {
		a     Actor
		dept  string
		write bool
		want  Kind
	}{
		{admin, "", true, ""}, {admin, "sales", true, ""},
		{viewer, "sales", false, ""}, {viewer, "", false, ""}, {viewer, "sales", true, KindForbidden},
		{sales, "sales", true, ""}, {sales, "sales", false, ""},
		{sales, "eng", false, KindForbidden}, {sales, "", false, KindForbidden},
		{nobody, "sales", false, KindUnauthorized},
	} {
		assert.Equal(t, tc.want, KindOf(can(tc.a, tc.dept, tc.write)), "%+v on %q write=%v", tc.a, tc.dept, tc.write)
	}
	assert.Equal(t, KindForbidden, KindOf(financeOnly(sales, false)))
	assert.NoError(t, financeOnly(viewer, false))
	assert.Equal(t, KindForbidden, KindOf(financeOnly(viewer, true)))
}

func TestSheetIDs(t *testing.T) {
	for _, tc := range []struct {
		round int64
		dept  string
	}{{1, "sales"}, {42, "r.and.d"}} {
		r, d, ok := parseSheetID(SheetID(tc.round, tc.dept))
		assert.True(t, ok)
		assert.Equal(t, tc.round, r)
		assert.Equal(t, tc.dept, d)
	}
	for _, bad := range []string{"", "r1", "r.sales", "x1.sales", "r01.sales", "r-1.sales", "r1.", "r1x.sales"} {
		_, _, ok := parseSheetID(bad)
		assert.False(t, ok, bad)
	}
}

func TestSignatureCoversEveryPart(t *testing.T) {
	base := Sign("secret", "POST", "/api/v1/webhook/submit", "1700000000", "n0nce-123", []byte(`{"a":1}`))
	assert.Regexp(t, `^v1=[0-9a-f]{64}$`, base)
	for _, other := range []string{
		Sign("secreT", "POST", "/api/v1/webhook/submit", "1700000000", "n0nce-123", []byte(`{"a":1}`)),
		Sign("secret", "PUT", "/api/v1/webhook/submit", "1700000000", "n0nce-123", []byte(`{"a":1}`)),
		Sign("secret", "POST", "/api/v1/webhook/validate", "1700000000", "n0nce-123", []byte(`{"a":1}`)),
		Sign("secret", "POST", "/api/v1/webhook/submit", "1700000001", "n0nce-123", []byte(`{"a":1}`)),
		Sign("secret", "POST", "/api/v1/webhook/submit", "1700000000", "n0nce-124", []byte(`{"a":1}`)),
		Sign("secret", "POST", "/api/v1/webhook/submit", "1700000000", "n0nce-123", []byte(`{"a":2}`)),
	} {
		assert.NotEqual(t, base, other)
	}
}

func TestDiffRecords(t *testing.T) {
	f := func(cell, v string) engine.Fact {
		return engine.Fact{Sheet: "Plan", Cell: cell, Kind: "amount", Value: v}
	}
	old := []engine.Fact{f("E5", "100"), f("F5", "200"), f("G5", "300")}
	cur := []engine.Fact{f("E5", "100"), f("F5", "250"), f("H5", "50")}
	got := diffRecords(old, cur)
	var text []string
	for _, c := range got {
		b, a := "-", "-"
		if c.Before != nil {
			b = *c.Before
		}
		if c.After != nil {
			a = *c.After
		}
		text = append(text, c.Cell+":"+b+">"+a)
	}
	assert.Equal(t, []string{"F5:200>250", "H5:->50", "G5:300>-"}, text)
	assert.Empty(t, diffRecords(cur, cur))
}

func TestSignedLinks(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	s := New(Options{Key: []byte("a signing key of thirty-two bytes!"), Now: func() time.Time { return now }})
	q, err := url.ParseQuery(s.Link(3, "sales", now.Add(time.Hour)))
	require.NoError(t, err)
	a, err := s.VerifyLink(3, "sales", q.Get("expires"), q.Get("sig"))
	require.NoError(t, err)
	assert.Equal(t, Actor{Kind: "link", Name: "r3.sales", Role: DepartmentRole, Department: "sales"}, a)

	for _, tc := range []struct {
		round         int64
		dept, expires string
	}{{4, "sales", q.Get("expires")}, {3, "eng", q.Get("expires")}, {3, "sales", q.Get("expires") + "0"}} {
		_, err := s.VerifyLink(tc.round, tc.dept, tc.expires, q.Get("sig"))
		assert.Equal(t, KindUnauthorized, KindOf(err), "%+v", tc)
	}
	now = now.Add(2 * time.Hour)
	_, err = s.VerifyLink(3, "sales", q.Get("expires"), q.Get("sig"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "expired")
}
