/**
 * Where aop is and how this script proves who calls. Edit once per
 * deployment; a script property of the same name wins over each value.
 *
 * AOP_URL: aop's public address (https, and in appsscript.json's
 * urlFetchWhitelist as AOP_URL + "/api/v1/").
 *
 * AOP_AUTH: "signature" for the script bound to the master template, which
 * every department spreadsheet inherits: it signs each call with the
 * spreadsheet's own secret (HMAC-SHA256, a timestamp and a nonce). "identity"
 * for the Workspace add-on deployed once from one standard Cloud project: it
 * sends the clicking person's Google identity token, and falls back to the
 * signature when no token is to be had.
 */
var AOP_URL = 'https://aop.example.com';
var AOP_AUTH = 'signature';
