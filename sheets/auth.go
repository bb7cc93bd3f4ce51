package sheets

import (
	"context"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// Scopes are the OAuth scopes aop asks for: spreadsheets, and Drive to
// copy and share them.
var Scopes = []string{"https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"}

// Account is who aop acts as in Google.
type Account struct {
	// Email is the service account's address, or the impersonated user's.
	Email  string
	Client *http.Client
}

// ServiceAccount returns an HTTP client authorised as the service account
// of a key file (its tokens come from the key's token_uri), acting as
// subject through domain-wide delegation when subject is set. base, when
// not nil, carries both the token and the API requests.
func ServiceAccount(ctx context.Context, key []byte, subject string, base *http.Client) (Account, error) {
	conf, err := google.JWTConfigFromJSON(key, Scopes...)
	if err != nil {
		return Account{}, fmt.Errorf("sheets: the service-account key: %w", err)
	}
	conf.Subject = subject
	if base != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, base)
	}
	email := conf.Email
	if subject != "" {
		email = subject
	}
	// The token source outlives ctx's deadline but keeps its HTTP client.
	return Account{Email: email, Client: oauth2.NewClient(context.WithoutCancel(ctx), conf.TokenSource(context.WithoutCancel(ctx)))}, nil
}
