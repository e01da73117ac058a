#!/bin/sh
# Rebuild the portal's vendored NHS.UK frontend (called by `make frontend`).
#
#   static/build/package.json, package-lock.json  pinned nhsuk-frontend + sass
#   static/build/portal.scss                      entry: nhsuk-frontend + portal styles
#
# Writes (all committed, so a Python-only set-up needs no Node):
#   static/css/portal.css                 compiled, minified nhsuk + portal styles
#   static/nhsuk/nhsuk-frontend.min.js    nhsuk-frontend ES module (initAll)
#   static/nhsuk/assets/                  icons, logos, favicons, manifest.json
#
# node_modules is installed into a temporary directory (never under static/,
# which Django's collectstatic would otherwise publish) and removed afterwards.
# Needs node >= 20 and npm; reaches only the npm registry.
set -eu

BUILD_DIR=$(cd "$(dirname "$0")" && pwd)
STATIC_DIR=$(dirname "$BUILD_DIR")
WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/portal-frontend.XXXXXX")
trap 'rm -rf "$WORK_DIR"' EXIT INT TERM

command -v npm >/dev/null 2>&1 || { echo "build.sh: npm (Node.js >= 20) is required" >&2; exit 1; }

cp "$BUILD_DIR/package.json" "$BUILD_DIR/package-lock.json" "$WORK_DIR/"
(cd "$WORK_DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)

NHSUK="$WORK_DIR/node_modules/nhsuk-frontend/dist/nhsuk"
VERSION=$(node -p "require('$WORK_DIR/node_modules/nhsuk-frontend/package.json').version")

# 1. CSS: nhsuk-frontend (assets under /static/nhsuk/assets/, no web font) + portal styles.
mkdir -p "$STATIC_DIR/css"
"$WORK_DIR/node_modules/.bin/sass" \
  --no-source-map --style=compressed --quiet-deps \
  --load-path="$WORK_DIR/node_modules" \
  "$BUILD_DIR/portal.scss" "$STATIC_DIR/css/portal.css"

# 2. JavaScript (ES module) and assets. The Open Graph image is not used.
rm -rf "$STATIC_DIR/nhsuk/assets"
mkdir -p "$STATIC_DIR/nhsuk/assets/images"
cp "$NHSUK/nhsuk-frontend.min.js" "$STATIC_DIR/nhsuk/nhsuk-frontend.min.js"
# Drop the trailing source-map comment: the map is not shipped.
sed -i.bak 's|//# sourceMappingURL=[^ ]*$||' "$STATIC_DIR/nhsuk/nhsuk-frontend.min.js"
rm -f "$STATIC_DIR/nhsuk/nhsuk-frontend.min.js.bak"
cp "$NHSUK/assets/manifest.json" "$STATIC_DIR/nhsuk/assets/"
for f in "$NHSUK"/assets/images/*; do
  case "$(basename "$f")" in
    nhsuk-opengraph-image.png) ;;
    *) cp "$f" "$STATIC_DIR/nhsuk/assets/images/" ;;
  esac
done
# static/nhsuk/LICENSE.txt is kept in the repository (the npm package ships no
# licence file; its package.json and README state the MIT licence).

# 3. No request may leave the site: refuse a stylesheet that fetches from elsewhere.
if grep -Eo 'url\([^)]*\)|@import[^;]*' "$STATIC_DIR/css/portal.css" | grep -Eq 'https?:|url\(["'"'"']?//'; then
  echo "build.sh: static/css/portal.css references an external URL:" >&2
  grep -Eo 'url\([^)]*\)|@import[^;]*' "$STATIC_DIR/css/portal.css" | grep -E 'https?:|//' >&2
  exit 1
fi
if grep -q '@font-face' "$STATIC_DIR/css/portal.css"; then
  echo "build.sh: static/css/portal.css contains an @font-face rule" >&2
  exit 1
fi

echo "build.sh: nhsuk-frontend $VERSION -> static/css/portal.css ($(wc -c <"$STATIC_DIR/css/portal.css") bytes), static/nhsuk/"
