#!/usr/bin/env bash
# `make serve`: runs the built storegate on a local store. On the first run (no env.ini in the var
# directory) it installs a store with `setup:install` (admin user "admin" with a random password) and
# `sampledata:deploy`, and keeps the generated credentials in <var>/admin-credentials.txt (mode 0600)
# so that later runs can print them again. Every run prints the URLs and credentials, then replaces
# itself with `storegate serve` (Ctrl-C stops the server gracefully).
# Environment: STOREGATE_VAR_DIR (default var), STOREGATE_LISTEN (default 127.0.0.1:8080),
# STOREGATE_BIN (default build/release/storegate).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${STOREGATE_BIN:-build/release/storegate}
var_dir=${STOREGATE_VAR_DIR:-var}
listen=${STOREGATE_LISTEN:-127.0.0.1:8080}
credentials=$var_dir/admin-credentials.txt

[ -x "$bin" ] || {
    echo "serve: $bin is not built (run make)" >&2
    exit 1
}

# URLs as a browser on this machine reaches the listener: a wildcard address becomes 127.0.0.1.
port=${listen##*:}
host=${listen%:*}
case "$host" in "" | 0.0.0.0 | "[::]" | "::") host=127.0.0.1 ;; esac
base_url=http://$host:$port/

# A random password with both letters and digits (Magento refuses an admin password without both).
new_password() {
    local pw
    while :; do
        pw=$(head -c 18 /dev/urandom | base64 | tr -dc A-Za-z0-9)
        pw=${pw:0:16}
        if [[ ${#pw} -eq 16 && $pw =~ [0-9] && $pw =~ [A-Za-z] ]]; then
            echo "$pw"
            return
        fi
    done
}

if [ ! -f "$var_dir/env.ini" ]; then
    echo "serve: no store in $var_dir/ yet; installing one"
    admin_user=admin
    admin_password=$(new_password)
    "$bin" --var-dir "$var_dir" setup:install \
        --base-url "$base_url" \
        --admin-user "$admin_user" --admin-password "$admin_password" \
        --admin-email admin@example.com --admin-firstname Store --admin-lastname Admin
    # Written before sampledata:deploy so that a failure there does not lose the password.
    (
        umask 077
        printf 'admin user:     %s\nadmin password: %s\n' "$admin_user" "$admin_password" >"$credentials"
    )
    chmod 0600 "$credentials"
    if ! "$bin" --var-dir "$var_dir" sampledata:deploy; then
        echo "serve: sampledata:deploy failed; the store in $var_dir/ is installed but has no" \
            "sample data: run '$bin --var-dir $var_dir sampledata:deploy', or remove $var_dir/" \
            "and run make serve again" >&2
        exit 1
    fi
fi

echo
echo "storegate"
echo "  base URL:       $base_url"
echo "  admin URL:      ${base_url}admin"
echo "  REST base:      ${base_url}rest/V1/"
if [ -r "$credentials" ]; then
    sed 's/^/  /' "$credentials"
else
    echo "  admin credentials: not recorded ($var_dir/ was installed without make serve);"
    echo "  add a user with: $bin --var-dir $var_dir admin:user:create --help"
fi
echo "  var dir:        $var_dir/"
echo

exec "$bin" --var-dir "$var_dir" serve --listen "$listen"
