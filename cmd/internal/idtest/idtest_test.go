package idtest

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/idtoken"
	"google.golang.org/api/option"
)

const audience = "1234-addon.apps.googleusercontent.com"

// TestValidatorAcceptsTheIssuersTokens checks the issuer against the real
// idtoken validator: its tokens verify, forged ones and unknown key ids do
// not, and the keys are fetched once and cached.
func TestValidatorAcceptsTheIssuersTokens(t *testing.T) {
	ctx := context.Background()
	iss := NewIssuer(t)
	v, err := idtoken.NewValidator(ctx, option.WithHTTPClient(iss.Client()))
	require.NoError(t, err)

	p, err := v.Validate(ctx, iss.Token(ValidClaims(audience, "dana@acme.example")), audience)
	require.NoError(t, err)
	assert.Equal(t, "https://accounts.google.com", p.Issuer)
	assert.Equal(t, "dana@acme.example", p.Claims["email"])
	assert.Equal(t, true, p.Claims["email_verified"])
	assert.Equal(t, "acme.example", p.Claims["hd"])

	_, err = v.Validate(ctx, iss.Forged(ValidClaims(audience, "dana@acme.example")), audience)
	assert.Error(t, err, "a forged signature")
	_, err = v.Validate(ctx, iss.TokenWithKeyID("other", ValidClaims(audience, "dana@acme.example")), audience)
	assert.Error(t, err, "an unknown key id")
	_, err = v.Validate(ctx, iss.Token(ValidClaims("someone-else", "dana@acme.example")), audience)
	assert.Error(t, err, "another audience")
	assert.Equal(t, int64(1), iss.Fetches(), "the keys are cached by Cache-Control")
}

func TestPEMCertificates(t *testing.T) {
	iss := NewIssuer(t)
	resp, err := iss.Client().Get("https://www.googleapis.com" + PEMPath)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	var certs map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&certs))
	block, _ := pem.Decode([]byte(certs[iss.KeyID]))
	require.NotNil(t, block)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.True(t, cert.PublicKey.(*rsa.PublicKey).Equal(&iss.key.PublicKey))
}

func TestClientStaysOffline(t *testing.T) {
	iss := NewIssuer(t)
	_, err := iss.Client().Get("https://example.com/")
	require.ErrorContains(t, err, "not a Google certificate host")

	iss.Fail(http.StatusServiceUnavailable)
	v, err := idtoken.NewValidator(context.Background(), option.WithHTTPClient(iss.Client()))
	require.NoError(t, err)
	_, err = v.Validate(context.Background(), iss.Token(ValidClaims(audience, "dana@acme.example")), audience)
	require.ErrorContains(t, err, "503")
}
