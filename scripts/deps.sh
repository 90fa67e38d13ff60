#!/usr/bin/env bash
# Installs what storegate needs to build, test, serve and benchmark on Debian 12, and nothing else.
# Idempotent and quick when everything is present: one dpkg-query call decides; apt-get (and its
# `update`) runs only for packages that are missing. npm packages are installed with `npm ci` when
# the project has a package.json and node_modules/ is missing or older than package-lock.json:
# swagger-ui-dist (embedded in the binary by the build, served at /swagger) and playwright-core.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
    libh2o-evloop-dev libh2o-dev libjansson-dev libsqlite3-dev sqlite3 libsodium-dev libssl-dev
    libcurl4-openssl-dev libcmocka-dev libpq-dev postgresql
    python3-pytest python3-requests python3-requests-oauthlib python3-psycopg2
    wrk nginx-light curl
)
# The browser tests (node:test + playwright-core) come with a package.json; they need Debian's node
# and Debian's chromium (playwright-core drives /usr/bin/chromium; it downloads no browser).
# node and npm count as present when their commands exist (a nodejs package from another
# repository bundles npm and conflicts with Debian's npm package).
if [ -f package.json ]; then
    packages+=(chromium)
    command -v node >/dev/null || packages+=(nodejs)
    command -v npm >/dev/null || packages+=(npm)
fi

# "ii" = wanted and installed; anything else (absent, half-installed, removed) counts as missing.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null |
    awk '$2 == "ii" { print $1 }' || true)
missing=()
for p in "${packages[@]}"; do
    grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "deps: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
    echo "deps: all ${#packages[@]} Debian packages present"
fi

if [ -f package.json ]; then
    if [ ! -f package-lock.json ]; then
        echo "deps: package.json has no package-lock.json; run 'npm install' once and commit the lock" >&2
        exit 1
    elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
        # --ignore-scripts: no package needs an install script (swagger-ui-dist's dependency
        # @scarf/scarf has one that only reports the download to a third party)
        echo "deps: npm ci"
        npm ci --ignore-scripts --no-audit --no-fund
        touch node_modules
    else
        echo "deps: node_modules up to date"
    fi
fi
