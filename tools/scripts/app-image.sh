#!/usr/bin/env bash
# What goes into an app's container image, in two steps the Dockerfile runs in two stages (so the
# dependency install is a cached layer) and tools/local-stack/test/app-image.spec.ts runs for real:
#
#   app-image.sh manifests <src> <dir>                <dir> = every package.json of the workspace <src>,
#                                                     its lock file and .npmrc, nothing else
#   app-image.sh install  <dir> <app>                 in <dir> (the manifests and the lock file):
#                                                     only <app>'s runtime dependencies
#   app-image.sh assemble <dir> <build> <out> <app>   <out> = <dir>'s node_modules + package.json, and
#                                                     from <build> (a built workspace) the package.json
#                                                     and dist of <app> and of each library it links,
#                                                     and the ONNX models for the two analysers
#
# Then `node <out>/app/dist/main.js` runs the app (<out>/app links to apps/<app>).
set -euo pipefail
step=${1:?usage: app-image.sh install|assemble …}
case "$step" in
  manifests)
    src=$2 dir=$3
    mkdir -p "$dir"
    cp "$src/package.json" "$src/package-lock.json" "$src/.npmrc" "$dir/"
    (cd "$src" && for f in apps/*/package.json libs/*/package.json libs/clients/*/package.json tools/*/package.json; do
      mkdir -p "$dir/$(dirname "$f")" && cp "$f" "$dir/$f"
    done)
    ;;
  install)
    dir=$2 app=$3
    cd "$dir"
    npm ci --omit=dev --ignore-scripts --workspace="apps/$app" --no-audit --no-fund
    # @nestjs/swagger names TypeScript an optional peer (for its CLI plugin), and npm installs an
    # optional peer whenever the lock file holds it; no service loads it (the test starts each app
    # from this folder), so it does not go into the image.
    rm -rf node_modules/typescript
    ;;
  assemble)
    dir=$(cd "$2" && pwd) build=$(cd "$3" && pwd) out=$4 app=$5
    mkdir -p "$out"
    cp -a "$dir/node_modules" "$dir/package.json" "$out/"
    for link in "$dir"/node_modules/@airport-mesh/*; do
      target=$(readlink -f "$link")
      rel=${target#"$dir"/}
      mkdir -p "$out/$rel"
      cp "$build/$rel/package.json" "$out/$rel/"
      cp -a "$build/$rel/dist" "$out/$rel/dist"
    done
    if [ "$app" = image-analysis ] || [ "$app" = face-recognition ]; then
      mkdir -p "$out/tools/model-build/dist"
      cp -a "$build/tools/model-build/dist/models" "$out/tools/model-build/dist/models"
    fi
    ln -sfn "apps/$app" "$out/app"
    ;;
  *) echo "app-image.sh: unknown step $step" >&2; exit 2 ;;
esac
