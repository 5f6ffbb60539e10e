#!/bin/sh
# Regenerates the TLS fixtures used by the SMTP tests (test/fixtures/tls/).
#   ca.pem / ca.key                    trusted test CA (tests point SSL_CERT_FILE at ca.pem)
#   server.pem / server.key            leaf signed by that CA, SANs localhost + 127.0.0.1
#   untrusted-ca.pem / untrusted-ca.key  a second CA nobody trusts
#   untrusted.pem / untrusted.key      leaf signed by the untrusted CA (same SANs)
#   impostor.pem / impostor.key        another leaf of that CA, same names (a man in the middle's)
# All valid for 100 years. Run from anywhere: sh scripts/make-test-certs.sh [DIR]
# (`npm run dev` makes its own set for the mail sink into DATA_DIR/tls).
set -eu
DIR="${1:-$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/tls}"
mkdir -p "$DIR"
cd "$DIR"
DAYS=36500
EXT="$(mktemp)"
trap 'rm -f "$EXT" ./*.csr ./*.srl' EXIT

make_ca() { # name subject
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" \
    -keyout "$1.key" -out "$1.pem" -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
}
make_leaf() { # name ca subject
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
  cat > "$EXT" <<EOT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier=keyid
subjectKeyIdentifier=hash
EOT
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
    -days "$DAYS" -sha256 -extfile "$EXT" -out "$1.pem" 2>/dev/null
}

make_ca ca "/CN=mail-server-settings test CA"
make_leaf server ca "/CN=localhost"
make_ca untrusted-ca "/CN=untrusted test CA"
make_leaf untrusted untrusted-ca "/CN=localhost"
make_leaf impostor untrusted-ca "/CN=localhost"
echo "test certificates written to $DIR"
