#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH. The project targets Node 24 LTS (.nvmrc);
# when the machine's node is older, Node 24 is installed once from the npm registry
# (the `node` package) into a prefix outside the repo, then reused.
set -euo pipefail
want=24
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
current=$(command -v node >/dev/null 2>&1 && major node || echo 0)
if [ "$current" -lt "$want" ]; then
  prefix=${AIRPORT_MESH_NODE_PREFIX:-/opt/node24}
  if [ ! -w "$(dirname "$prefix")" ] && [ ! -d "$prefix" ]; then prefix="$HOME/.local/node24"; fi
  if [ ! -x "$prefix/bin/node" ] || [ "$(major "$prefix/bin/node")" -lt "$want" ]; then
    echo "node24.sh: machine node is $(node --version 2>/dev/null || echo missing); installing node@$want into $prefix" >&2
    npm install -g --prefix "$prefix" --allow-scripts=node "node@$want" >&2
  fi
  export PATH="$prefix/bin:$PATH"
fi
exec "$@"
