#!/bin/sh
# n8n's entrypoint in docker-compose: imports whatsapp-hub's credentials and workflows (the repo's
# n8n/ folder, mounted read-only at $WHATSAPP_HUB_N8N_DIR) and publishes them, then starts n8n.
# Import and publish run again only when a file changed (their hash is kept in the n8n volume):
# `import:workflow` upserts by workflow id and leaves it unpublished, `publish:workflow` activates
# it, and both only write the database, so they run before `n8n start`.
set -eu

SOURCE="${WHATSAPP_HUB_N8N_DIR:-/whatsapp-hub-n8n}"
STATE_DIR="${N8N_USER_FOLDER:-$HOME}/.n8n"
STAMP="$STATE_DIR/.whatsapp-hub-import"
mkdir -p "$STATE_DIR"

# node is the one tool the n8n image is sure to have.
hash=$(node -e '
  const { createHash } = require("node:crypto");
  const { readFileSync, readdirSync } = require("node:fs");
  const dir = process.argv[1];
  const hash = createHash("sha256").update(readFileSync(dir + "/credentials.json"));
  for (const name of readdirSync(dir + "/workflows").filter((n) => n.endsWith(".json")).sort())
    hash.update(name).update(readFileSync(dir + "/workflows/" + name));
  process.stdout.write(hash.digest("hex"));
' "$SOURCE")

if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$hash" ]; then
  echo "whatsapp-hub: importing credentials and workflows from $SOURCE"
  n8n import:credentials --input="$SOURCE/credentials.json"
  n8n import:workflow --separate --input="$SOURCE/workflows"
  for id in $(node -e '
    const { readFileSync, readdirSync } = require("node:fs");
    const dir = process.argv[1] + "/workflows";
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort())
      console.log(JSON.parse(readFileSync(dir + "/" + name, "utf8")).id);
  ' "$SOURCE"); do
    n8n publish:workflow --id="$id"
  done
  echo "$hash" > "$STAMP"
  echo "whatsapp-hub: workflows imported and published"
fi

exec n8n start
