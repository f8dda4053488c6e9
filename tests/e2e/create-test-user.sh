#!/usr/bin/env bash
# The docs' "Create a test record" flow against a running server: a user
# record, an app record for it, a consent and a session, each through the
# /v1 API with curl. Any answer other than 200 (or a reply without
# "status":"ok") stops the script with exit 1, naming the step.
#
#   DATABUNKER_URL    the server (default http://localhost:3000)
#   DATABUNKER_TOKEN  its access token (default DEMO, the demo's root token)
#   TEST_EMAIL, TEST_PHONE, TEST_LOGIN  the user's keys (defaults: the demo
#                     portal's account test@securitybunker.io, 4444, test)
set -euo pipefail

url=${DATABUNKER_URL:-http://localhost:3000}
url=${url%/}
token=${DATABUNKER_TOKEN:-DEMO}
email=${TEST_EMAIL:-test@securitybunker.io}
phone=${TEST_PHONE:-4444}
login=${TEST_LOGIN:-test}

body=$(mktemp)
trap 'rm -f "$body"' EXIT

# call STEP METHOD PATH [JSON]: the reply body goes to $body.
call() {
    local step=$1 method=$2 path=$3 data=${4:-} code
    local args=(-sS -o "$body" -w '%{http_code}' -X "$method" -H "X-Bunker-Token: $token")
    if [ -n "$data" ]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$data")
    fi
    if ! code=$(curl "${args[@]}" "$url$path"); then
        echo "create-test-user: $step: cannot reach $url" >&2
        exit 1
    fi
    if [ "$code" != 200 ] || ! grep -q '"status": *"ok"' "$body"; then
        echo "create-test-user: $step: $method $path answered $code: $(head -c 500 "$body")" >&2
        exit 1
    fi
}

# The string member NAME of the last reply.
member() {
    sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" "$body"
}

call "user" POST /v1/user \
    "{\"fname\":\"Test\",\"lname\":\"Account\",\"email\":\"$email\",\"phone\":\"$phone\",\"login\":\"$login\"}"
user=$(member token)
if [ -z "$user" ]; then
    echo "create-test-user: user: no token in $(cat "$body")" >&2
    exit 1
fi
echo "user token: $user"

call "app record" POST "/v1/userapp/token/$user/shipping" \
    '{"country":"Israel","city":"Tel Aviv","address":"Allenby 1","postcode":"12345"}'
echo "app record: shipping"

call "consent" POST "/v1/consent/email/$email/contract-approval" \
    '{"lawfulbasis":"contract-necessity","agreementmethod":"test-script"}'
echo "consent: contract-approval"

call "session" POST "/v1/session/token/$user" \
    '{"clientip":"127.0.0.1","x-forwarded-for":"127.0.0.1","agent":"create-test-user.sh"}'
session=$(member session)
echo "session: $session"

# Read everything back once: the record is there as written.
call "read user" GET "/v1/user/token/$user"
call "read app record" GET "/v1/userapp/token/$user/shipping"
call "read consent" GET "/v1/consent/email/$email/contract-approval"
call "read session" GET "/v1/session/$session"
echo "done"
