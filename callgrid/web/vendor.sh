#!/bin/sh
# Vendors the browser libraries the web screens use, from npm, into static/vendor/:
# only the built file and its licence, so nothing is loaded from a CDN at run time.
# Run again (with new versions below) to update; the pages need no build step.
# Alpine is its CSP build: the pages allow no eval (script-src 'self'), which the
# standard build needs for every expression.
set -eu
HTMX=2.0.11
ALPINE_CSP=3.17.4
CHARTJS=4.6.1
here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$HTMX" "@alpinejs/csp@$ALPINE_CSP" "chart.js@$CHARTJS" >/dev/null
unpack() { mkdir -p "$1" && tar xzf "$2" -C "$1" --strip-components=1; }
unpack htmx "htmx.org-$HTMX.tgz"
unpack alpine "alpinejs-csp-$ALPINE_CSP.tgz"
unpack chartjs "chart.js-$CHARTJS.tgz"
rm -rf "$vendor/htmx.org" "$vendor/alpinejs" "$vendor/alpinejs-csp" "$vendor/chart.js"
mkdir -p "$vendor/htmx.org" "$vendor/alpinejs-csp" "$vendor/chart.js"
cp htmx/dist/htmx.min.js htmx/LICENSE "$vendor/htmx.org/"
cp alpine/dist/cdn.min.js "$vendor/alpinejs-csp/alpine.min.js"
# @alpinejs/csp ships no licence file; its package.json says MIT, Caleb Porzio.
printf '@alpinejs/csp %s: MIT licence (package.json), Copyright (c) Caleb Porzio.\n' \
    "$ALPINE_CSP" >"$vendor/alpinejs-csp/LICENSE"
cp chartjs/dist/chart.umd.min.js chartjs/LICENSE.md "$vendor/chart.js/"
printf 'htmx.org %s\n@alpinejs/csp %s\nchart.js %s\n' "$HTMX" "$ALPINE_CSP" "$CHARTJS" \
    >"$vendor/VERSIONS"
