#!/bin/sh
# Regenerates the test-only TLS files for the local https image server in
# edge/test/images.test.mjs: a CA (ca.pem; its key is thrown away) and a
# server certificate for 127.0.0.1 and localhost signed by it (server.pem,
# server-key.pem), valid for 100 years. Never trust ca.pem outside the tests.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 36500 \
  -subj "/CN=ogmint edge tests CA (test only)" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$tmp/ca-key.pem" -out ca.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
  -subj "/CN=127.0.0.1" -keyout server-key.pem -out "$tmp/server.csr"
printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$tmp/ext"
openssl x509 -req -sha256 -days 36500 -in "$tmp/server.csr" -CA ca.pem -CAkey "$tmp/ca-key.pem" \
  -CAcreateserial -CAserial "$tmp/ca.srl" -extfile "$tmp/ext" -out server.pem
