#!/bin/sh
# regen.sh: write NAME.der next to every NAME.cnf with `openssl asn1parse -genconf`, so the
# known-answer bytes have an origin independent of our encoder. asn1_kat_test checks that the
# committed .der files equal what this script produces.
set -eu
cd "$(dirname "$0")"
for cnf in *.cnf; do
    openssl asn1parse -genconf "$cnf" -noout -out "${cnf%.cnf}.der"
done
