#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH. The project targets Node 24 LTS (.nvmrc); when the
# machine's node is older, Node 24 is installed once from the npm registry (the `node` package) into
# a prefix outside the repo, then reused.
#
# A prefix is trusted only if its node runs and reports major 24 or newer: one left half-installed by
# an interrupted or failed attempt is removed and installed again. The install goes to a temporary
# folder beside the prefix and is moved into place only once its node runs, so a prefix is never
# seen half-written.
#
# The `node` package's install step runs a nested `npm install` of the platform's binary package.
# That nested install inherits npm's configuration through npm_config_* variables; passing
# --allow-scripts (or inheriting it from an outer `npm start`/`npm test`) makes it refuse
# ("--allow-scripts is not allowed in project-scoped installs"), so the install runs without it and
# without the calling npm's per-invocation settings. npm 11 prints a warning that the package's
# install script is not approved; that warning is expected.
set -euo pipefail
want=24

# Prints the major version of the node at $1 when it runs, nothing otherwise.
major() { "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || true; }
usable() { local m; m=$(major "$1"); [ -n "$m" ] && [ "$m" -ge "$want" ]; }

if ! usable node; then
  prefix=${AIRPORT_MESH_NODE_PREFIX:-/opt/node24}
  parent=$(dirname "$prefix")
  if ! mkdir -p "$parent" 2>/dev/null || [ ! -w "$parent" ]; then
    prefix="$HOME/.local/node24"
    parent=$(dirname "$prefix")
    mkdir -p "$parent"
  fi
  if ! usable "$prefix/bin/node" && command -v flock >/dev/null 2>&1; then
    # One install at a time: a second caller waits for the first, then finds its result.
    exec 9>"$prefix.lock"
    flock 9
  fi
  if ! usable "$prefix/bin/node"; then
    if [ -n "$(ls -A "$prefix" 2>/dev/null)" ]; then
      echo "node24.sh: $prefix holds no working Node $want (an earlier install did not finish); reinstalling" >&2
    fi
    echo "node24.sh: machine node is $(node --version 2>/dev/null || echo missing); installing node@$want from the npm registry into $prefix" >&2
    staging=$(mktemp -d "$prefix.partial.XXXXXX")
    trap 'rm -rf "$staging"' EXIT
    # A clean npm environment: only the user's and the machine's npmrc files, none of the calling
    # npm's flags. Run from / so no project's package.json or .npmrc applies.
    clean_env=(env)
    while IFS='=' read -r name _; do
      case "$name" in npm_config_* | NPM_CONFIG_* | npm_lifecycle_* | npm_package_* | INIT_CWD) clean_env+=(-u "$name") ;; esac
    done < <(env)
    if ! (cd / && "${clean_env[@]}" npm install -g --prefix "$staging" --no-audit --no-fund "node@$want" >&2); then
      echo "node24.sh: 'npm install -g --prefix $staging node@$want' failed (output above)" >&2
      exit 1
    fi
    if ! usable "$staging/bin/node"; then
      echo "node24.sh: the installed node does not run: $("$staging/bin/node" --version 2>&1 || true)" >&2
      exit 1
    fi
    rm -rf "$prefix"
    mv "$staging" "$prefix"
    trap - EXIT
    echo "node24.sh: installed $("$prefix/bin/node" --version) at $prefix" >&2
  fi
  export PATH="$prefix/bin:$PATH"
fi
exec "$@"
