package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"

	"aop/cmd/internal/plan"
)

// SMTP e-mails alerts in plain text to a list of recipients through a mail
// server, over STARTTLS.
type SMTP struct {
	Host string
	Port int
	// From is the sender ("aop <aop@example.com>"); To are the recipients.
	From string
	To   []string
	// Username, when set, logs in with AUTH PLAIN. net/smtp sends the
	// password only over TLS or to localhost.
	Username, Password string
	// Insecure lets mail go to a local relay without verified TLS: in
	// plain text when the server offers no STARTTLS, and over TLS without
	// checking the certificate when it does. Without it, a server that
	// offers no STARTTLS is an error.
	Insecure bool
	// Timeout bounds the whole exchange, dial included (30s when zero);
	// the context's deadline, when sooner, wins.
	Timeout time.Duration
}

// Notify sends one message about the alert to every recipient.
func (s *SMTP) Notify(ctx context.Context, a plan.Alert) error {
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	if err := s.send(ctx, addr, a); err != nil {
		return fmt.Errorf("smtp %s: %w", addr, err)
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, addr string, a plan.Alert) error {
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("from %q: %w", s.From, err)
	}
	if len(s.To) == 0 {
		return errors.New("no recipients")
	}
	to := make([]*mail.Address, len(s.To))
	for i, t := range s.To {
		if to[i], err = mail.ParseAddress(t); err != nil {
			return fmt.Errorf("to %q: %w", t, err)
		}
	}
	msg, err := message(from, to, a, time.Now())
	if err != nil {
		return err
	}

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	// The deadline bounds every read and write; cancelling the context
	// cuts the exchange short at once.
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return err
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	err = s.exchange(conn, from.Address, to, msg)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// Only the context sets the connection's deadlines: say which end
		// it came to, once its timer has caught up.
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (%w)", ctx.Err(), err)
		case <-time.After(time.Second):
		}
	}
	return err
}

// exchange speaks SMTP over conn, and closes it.
func (s *SMTP) exchange(conn net.Conn, from string, to []*mail.Address, msg []byte) error {
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: s.Host, InsecureSkipVerify: s.Insecure}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	} else if !s.Insecure {
		return errors.New("the server does not offer STARTTLS; only a local relay may be used insecure")
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("AUTH PLAIN as %s: %w", s.Username, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("MAIL FROM <%s>: %w", from, err)
	}
	for _, t := range to {
		if err := c.Rcpt(t.Address); err != nil {
			return fmt.Errorf("RCPT TO <%s>: %w", t.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}

// message is the whole e-mail about the alert: headers and a
// quoted-printable UTF-8 plain-text body, lines ending in CRLF.
func message(from *mail.Address, to []*mail.Address, a plan.Alert, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	rcpts := make([]string, len(to))
	for i, t := range to {
		rcpts[i] = t.String()
	}
	header("From", from.String())
	header("To", strings.Join(rcpts, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine("[aop] "+title(a))))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(body(a))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// body is the alert as plain text.
func body(a plan.Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Trigger \"%s\" fired on the actuals of %s.\n\n", a.Trigger, closeName(a))
	for _, f := range [][2]string{
		{"Condition", a.Condition}, {"Month", a.Month}, {"Value", a.Value}, {"Playbook", a.Playbook},
	} {
		if f[1] != "" {
			fmt.Fprintf(&b, "%-10s %s\n", f[0]+":", f[1])
		}
	}
	if len(a.Actions) > 0 {
		b.WriteString("\nActions the playbook names:\n")
		for _, x := range a.Actions {
			b.WriteString("  - " + action(x) + "\n")
		}
	}
	if a.Link != "" {
		b.WriteString("\nFinance summary of the close: " + a.Link + "\n")
	}
	b.WriteString("\naop takes no action on its own: finance decides.\n")
	return b.String()
}

// messageID is a unique Message-ID in the sender's domain.
func messageID(from string) string {
	domain := "aop.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	return "<" + rand.Text() + "@" + domain + ">"
}
