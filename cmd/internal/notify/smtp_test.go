package notify

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smtpSession is what a client told the test server in one connection.
type smtpSession struct {
	Auth string // the AUTH PLAIN response, decoded
	From string // MAIL's argument
	To   []string
	Data string
}

// smtpServer is a small in-process SMTP server without TLS: EHLO, AUTH
// PLAIN, MAIL, RCPT, DATA, RSET, QUIT. It answers 550 to the recipients in
// reject, and hands over each finished session on sessions.
type smtpServer struct {
	host     string
	port     int
	reject   map[string]bool
	sessions chan smtpSession
}

func newSMTPServer(t *testing.T, reject ...string) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	addr := l.Addr().(*net.TCPAddr)
	s := &smtpServer{host: "127.0.0.1", port: addr.Port, reject: map[string]bool{}, sessions: make(chan smtpSession, 8)}
	for _, r := range reject {
		s.reject[r] = true
	}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var sess smtpSession
	defer func() { s.sessions <- sess }()
	c := textproto.NewConn(conn)
	reply := func(format string, args ...any) bool { return c.PrintfLine(format, args...) == nil }
	if !reply("220 mail.test ESMTP ready") {
		return
	}
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		ok := true
		switch strings.ToUpper(verb) {
		case "EHLO":
			ok = reply("250-mail.test greets %s", arg) && reply("250 AUTH PLAIN")
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			b, err := base64.StdEncoding.DecodeString(resp)
			if mech != "PLAIN" || err != nil {
				ok = reply("504 5.5.4 unrecognized authentication type")
				break
			}
			sess.Auth = string(b)
			ok = reply("235 2.7.0 authentication successful")
		case "MAIL":
			sess.From = arg
			ok = reply("250 2.1.0 ok")
		case "RCPT":
			to := strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">")
			if s.reject[to] {
				ok = reply("550 5.1.1 <%s>: recipient address rejected: user unknown", to)
				break
			}
			sess.To = append(sess.To, to)
			ok = reply("250 2.1.5 ok")
		case "DATA":
			if !reply("354 end data with <CR><LF>.<CR><LF>") {
				return
			}
			data, err := c.ReadDotBytes()
			if err != nil {
				return
			}
			sess.Data = string(data)
			ok = reply("250 2.0.0 queued")
		case "RSET":
			sess = smtpSession{Auth: sess.Auth}
			ok = reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			ok = reply("502 5.5.2 command not recognized")
		}
		if !ok {
			return
		}
	}
}

// session waits for the next finished session.
func (s *smtpServer) session(t *testing.T) smtpSession {
	t.Helper()
	select {
	case sess := <-s.sessions:
		return sess
	case <-time.After(5 * time.Second):
		t.Fatal("no SMTP session ended")
		return smtpSession{}
	}
}

func (s *smtpServer) notifier() *SMTP {
	return &SMTP{
		Host: s.host, Port: s.port, From: "aop alerts <aop@example.com>",
		To:       []string{"fpa@example.com", "Chief Financial Officer <cfo@example.com>"},
		Username: "aop", Password: "s3cret", Insecure: true,
	}
}

func TestSMTPSendsMail(t *testing.T) {
	srv := newSMTPServer(t)
	require.NoError(t, srv.notifier().Notify(t.Context(), alert()))
	sess := srv.session(t)

	assert.Equal(t, "\x00aop\x00s3cret", sess.Auth)
	assert.Equal(t, "FROM:<aop@example.com>", sess.From)
	assert.Equal(t, []string{"fpa@example.com", "cfo@example.com"}, sess.To)

	msg, err := mail.ReadMessage(strings.NewReader(sess.Data))
	require.NoError(t, err)
	h := msg.Header
	from, err := h.AddressList("From")
	require.NoError(t, err)
	assert.Equal(t, []*mail.Address{{Name: "aop alerts", Address: "aop@example.com"}}, from)
	to, err := h.AddressList("To")
	require.NoError(t, err)
	assert.Equal(t, []*mail.Address{{Address: "fpa@example.com"}, {Name: "Chief Financial Officer", Address: "cfo@example.com"}}, to)
	assert.True(t, strings.HasPrefix(h.Get("Subject"), "=?utf-8?q?"), "a non-ASCII subject is RFC 2047 encoded: %s", h.Get("Subject"))
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "[aop] Trigger fired: Umsatzrückgang (Aug 2026 (FY2027-P05))", subject)
	date, err := h.Date()
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), date, time.Minute)
	assert.Regexp(t, `^<[A-Z2-7]{26}@example\.com>$`, h.Get("Message-ID"))
	assert.Equal(t, "1.0", h.Get("MIME-Version"))
	assert.Equal(t, "text/plain; charset=utf-8", h.Get("Content-Type"))
	assert.Equal(t, "quoted-printable", h.Get("Content-Transfer-Encoding"))

	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	for _, want := range []string{
		`Trigger "Umsatzrückgang" fired on the actuals of Aug 2026 (FY2027-P05).`,
		"Condition: trailing-3-month revenue < 92% of plan for 2 consecutive months\n",
		"Month:     Aug 2026\n",
		"Value:     88.4%\n",
		"Playbook:  Slow the spend\n",
		"  - freeze hiring — from Oct 2026 (FY2027-P07)\n  - cut travel by half — from Sep 2026 (FY2027-P06)\n",
		"https://aop.example.com/cycles/fy2027/closes/FY2027-P05?view=summary&tab=alerts\n",
	} {
		assert.Contains(t, string(body), want)
	}
}

func TestSMTPWithoutLogin(t *testing.T) {
	srv := newSMTPServer(t)
	n := srv.notifier()
	n.Username, n.Password = "", ""
	require.NoError(t, n.Notify(t.Context(), alert()))
	sess := srv.session(t)
	assert.Empty(t, sess.Auth, "no AUTH without a username")
	assert.NotEmpty(t, sess.Data)
}

func TestSMTPRecipientRefused(t *testing.T) {
	srv := newSMTPServer(t, "cfo@example.com")
	err := srv.notifier().Notify(t.Context(), alert())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "smtp 127.0.0.1:"+strconv.Itoa(srv.port)+": RCPT TO <cfo@example.com>: 550 ")
	assert.Contains(t, err.Error(), "user unknown")
	assert.Empty(t, srv.session(t).Data, "nothing sent")
}

func TestSMTPRequiresTLS(t *testing.T) {
	srv := newSMTPServer(t)
	n := srv.notifier()
	n.Insecure = false
	err := n.Notify(t.Context(), alert())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not offer STARTTLS")
	sess := srv.session(t)
	assert.Empty(t, sess.Auth, "no password over plain text")
	assert.Empty(t, sess.From)
}

func TestSMTPTimesOut(t *testing.T) {
	// A server that accepts and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(io.Discard, conn) // until the client hangs up
				conn.Close()
			}()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port

	n := &SMTP{Host: "127.0.0.1", Port: port, From: "aop@example.com", To: []string{"fpa@example.com"}, Insecure: true}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = n.Notify(ctx, alert())
	require.ErrorIs(t, err, context.DeadlineExceeded, "the context's deadline holds")
	assert.Less(t, time.Since(start), 5*time.Second)

	n.Timeout = 100 * time.Millisecond
	err = n.Notify(t.Context(), alert())
	require.ErrorIs(t, err, context.DeadlineExceeded, "and so does the notifier's own timeout")

	ctx, cancel = context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	n.Timeout = 0
	err = n.Notify(ctx, alert())
	require.ErrorIs(t, err, context.Canceled, "cancelling cuts the exchange short")
}
