package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"google.golang.org/api/idtoken"
	"google.golang.org/api/option"

	"aop/cmd/internal/plan"
)

// GoogleIdentity configures the identity tokens of the Workspace add-on:
// its menu items call the webhook with Authorization: Bearer
// <ScriptApp.getIdentityToken()> and X-AOP-Sheet naming the sheet they
// were clicked in. Bound scripts in copied spreadsheets each have a hidden
// Cloud project of their own, so no audience fits them: they sign with the
// sheet's secret instead.
type GoogleIdentity struct {
	// Audience is the add-on's OAuth client id (google.addon_client_id);
	// without it identity tokens are refused.
	Audience string
	// HostedDomain, when set, is the only Workspace domain whose users are
	// accepted (the token's hd claim).
	HostedDomain string
	// Client fetches Google's signing keys (an http.Client with a 10-second
	// timeout when nil); tests send it to keys of their own.
	Client *http.Client
}

// googleIssuers are the iss values of Google's identity tokens.
var googleIssuers = map[string]bool{"accounts.google.com": true, "https://accounts.google.com": true}

// maxIdentityToken bounds an identity token; Google's are about 1 KiB.
const maxIdentityToken = 8 << 10

// identityVerifier checks Google identity tokens: idtoken verifies the
// signature, the audience and the expiry, and the verifier the rest.
type identityVerifier struct {
	audience, hostedDomain string
	validator              *idtoken.Validator
	err                    error // making the validator failed
}

func newIdentityVerifier(g GoogleIdentity) *identityVerifier {
	v := &identityVerifier{audience: g.Audience, hostedDomain: g.HostedDomain}
	if g.Audience == "" {
		return v
	}
	client := http.Client{Timeout: 10 * time.Second}
	if g.Client != nil {
		client = *g.Client
	}
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = keyFetch{next}
	v.validator, v.err = idtoken.NewValidator(context.Background(), option.WithHTTPClient(&client))
	return v
}

// keysUnavailable is a failed fetch of Google's signing keys: Google's
// trouble or the network's, not the caller's.
type keysUnavailable struct{ err error }

func (e *keysUnavailable) Error() string { return "fetching Google's signing keys: " + e.err.Error() }
func (e *keysUnavailable) Unwrap() error { return e.err }

// keyFetch marks the failures of the key fetches as keysUnavailable, so
// that they are told apart from tokens that do not verify.
type keyFetch struct{ next http.RoundTripper }

func (k keyFetch) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := k.next.RoundTrip(r)
	if err != nil {
		return nil, &keysUnavailable{err}
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &keysUnavailable{fmt.Errorf("%s answered %s", r.URL.Redacted(), resp.Status)}
	}
	return resp, nil
}

// identityToken returns the bearer token of a request when it has the
// form of a JWT: three non-empty parts separated by dots. API tokens
// (aop_ and base64url) never hold a dot.
func identityToken(r *http.Request) (string, bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", false
	}
	return token, true
}

// refused is a 401 for an identity token; field says which check failed.
func refused(field, format string, args ...any) *plan.Error {
	return &plan.Error{Kind: plan.KindUnauthorized, Message: fmt.Sprintf(format, args...),
		Fields: map[string]string{"Authorization": field}}
}

// verify checks an identity token and returns the e-mail address Google
// vouches for. Neither the token nor its claims go into errors, other than
// the address.
func (v *identityVerifier) verify(ctx context.Context, token string) (string, error) {
	if v.audience == "" {
		return "", refused("not configured", "this service takes no Google identity tokens: the Workspace add-on is not configured "+
			"(google.addon_client_id); a sheet's own script signs its requests with the sheet's secret instead")
	}
	if v.err != nil {
		return "", fmt.Errorf("the identity token validator: %w", v.err)
	}
	if len(token) > maxIdentityToken {
		return "", refused("too long", "the identity token is longer than %d bytes; Google's are about 1 KiB", maxIdentityToken)
	}
	p, err := v.validator.Validate(ctx, token, v.audience)
	if err != nil {
		var down *keysUnavailable
		if errors.As(err, &down) {
			return "", &apiError{status: http.StatusServiceUnavailable, code: "unavailable", cause: down,
				message: "Google's signing keys could not be fetched to check the identity token; try again in a minute"}
		}
		return "", v.whyRefused(token)
	}
	if !googleIssuers[p.Issuer] {
		return "", refused("issuer", "the identity token was not issued by Google Accounts (iss is not accounts.google.com)")
	}
	email, _ := p.Claims["email"].(string)
	if email == "" {
		return "", refused("email", "the identity token carries no e-mail address; the add-on must ask for the openid and userinfo.email scopes")
	}
	if !isTrue(p.Claims["email_verified"]) {
		return "", refused("email_verified", "Google has not verified the e-mail address %s", email)
	}
	if hd, _ := p.Claims["hd"].(string); v.hostedDomain != "" && !strings.EqualFold(hd, v.hostedDomain) {
		return "", plan.Errorf(plan.KindForbidden, "%s is not a user of the Workspace domain %s, the only one this service takes", email, v.hostedDomain)
	}
	return email, nil
}

// whyRefused says why idtoken refused a token, reading its claims without
// trusting them: they choose only the words of the refusal.
func (v *identityVerifier) whyRefused(token string) *plan.Error {
	p, err := idtoken.ParsePayload(token)
	switch {
	case err != nil:
		return refused("malformed", "the bearer token is neither an aop API token nor a readable identity token")
	case p.Audience != v.audience:
		return refused("audience", "the identity token is for another OAuth client: its audience is not the add-on's client id (google.addon_client_id)")
	case time.Now().Unix() > p.Expires:
		return refused("expired", "the identity token has expired; use the menu again")
	}
	return refused("signature", "the identity token's signature does not verify against Google's keys")
}

// isTrue reads a boolean claim; some tokens write it as a string.
func isTrue(claim any) bool {
	switch b := claim.(type) {
	case bool:
		return b
	case string:
		return b == "true"
	}
	return false
}

// verifyGoogle authenticates a request of the Workspace add-on: the
// identity token names the person, X-AOP-Sheet the sheet they clicked in,
// and the service accepts them as the owner of the sheet's department.
// It keeps the body and the sheet's round for the handler, as verifySheet
// does.
func (s *server) verifyGoogle(c *echo.Context, token string) (plan.Actor, error) {
	r := c.Request()
	email, err := s.identity.verify(r.Context(), token)
	if err != nil {
		return plan.Actor{}, err
	}
	sheet := r.Header.Get(headerSheet)
	if sheet == "" {
		return plan.Actor{}, &plan.Error{Kind: plan.KindInvalid, Fields: map[string]string{headerSheet: "required"},
			Message: "the add-on names the sheet it was clicked in: send X-AOP-Sheet with the sheet id from the spreadsheet's metadata"}
	}
	actor, round, err := s.svc.VerifyOwner(r.Context(), sheet, email)
	if err != nil {
		return plan.Actor{}, err
	}
	body, err := readBody(c, "request body", base64Limit(s.maxUpload))
	if err != nil {
		return plan.Actor{}, err
	}
	c.Set(signedBodyKey, body)
	c.Set(signedRoundKey, round)
	return actor, nil
}
