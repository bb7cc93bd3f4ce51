package httpapi

import (
	"strings"

	"github.com/labstack/echo/v5"

	"aop/cmd/internal/plan"
)

// access is how a route authenticates its callers.
type access int

const (
	// public routes take anyone, rate limited per client IP.
	public access = iota
	// bearer routes take an API token: Authorization: Bearer aop_….
	bearer
	// signed routes take a request from a sheet: signed with the sheet's
	// webhook secret, or carrying the Google identity token of its
	// department's owner (the Workspace add-on) and X-AOP-Sheet.
	signed
	// bearerOrSigned routes take an API token or a sheet's request (a
	// sheet polls its job).
	bearerOrSigned
	// bearerOrLink routes of one department take an API token or a signed
	// link for that department and round (?expires=…&sig=…, as in
	// reminders).
	bearerOrLink
)

// guard returns the middleware that authenticates a route's callers and
// rate limits them: per token, per sheet, or per client IP for public
// routes. Failed authentications have a budget of their own per client
// IP; an IP that spent it is refused before its credentials are even
// looked at, so guessing tokens or signatures is slow.
func (s *server) guard(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if a == public {
				if err := s.admit(c, "ip:"+c.RealIP()); err != nil {
					return err
				}
				return next(c)
			}
			failKey := "failed:" + c.RealIP()
			if s.limits.exhausted(failKey) {
				return s.admit(c, failKey)
			}
			actor, err := s.authenticate(c, a)
			if err != nil {
				if plan.KindOf(err) == plan.KindUnauthorized {
					_, _ = s.limits.allow(failKey)
				}
				return err
			}
			c.Set(actorKey, actor)
			if err := s.admit(c, actor.Kind+":"+actor.Name); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// admit takes a request from key's rate limit, or answers 429 with a
// Retry-After header.
func (s *server) admit(c *echo.Context, key string) error {
	ok, wait := s.limits.allow(key)
	if ok {
		return nil
	}
	err := rateLimited(wait)
	c.Response().Header().Set("Retry-After", err.fields["retry_after"])
	return err
}

// authenticate returns the actor of a request by the route's access. On
// a sheet's routes a bearer token in the form of a JWT is a Google
// identity token; API tokens never have that form.
func (s *server) authenticate(c *echo.Context, a access) (plan.Actor, error) {
	if a == signed || a == bearerOrSigned {
		if token, ok := identityToken(c.Request()); ok {
			return s.verifyGoogle(c, token)
		}
		if a == signed || isSigned(c.Request()) {
			return s.verifySheet(c)
		}
	}
	if q := c.Request().URL.Query(); a == bearerOrLink && q.Has("sig") && c.Request().Header.Get("Authorization") == "" {
		round, err := pathID(c)
		if err != nil {
			return plan.Actor{}, err
		}
		return s.svc.VerifyLink(round, c.Param("dept"), q.Get("expires"), q.Get("sig"))
	}
	return s.bearerActor(c)
}

// bearerActor authenticates an API token.
func (s *server) bearerActor(c *echo.Context) (plan.Actor, error) {
	h := c.Request().Header.Get("Authorization")
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if h == "" || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return plan.Actor{}, &plan.Error{Kind: plan.KindUnauthorized,
			Message: "this route needs an API token: send Authorization: Bearer aop_…",
			Fields:  map[string]string{"Authorization": "missing or not a bearer token"}}
	}
	if _, ok := identityToken(c.Request()); ok {
		return plan.Actor{}, &plan.Error{Kind: plan.KindUnauthorized,
			Message: "a Google identity token is taken by the webhook routes only; this route needs an API token (aop_…)",
			Fields:  map[string]string{"Authorization": "an identity token, not an API token"}}
	}
	return s.svc.Authenticate(c.Request().Context(), token)
}
