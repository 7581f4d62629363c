/**
 * What a user folder holds before n8n starts: the encryption key its credentials are stored
 * with, the credentials, and the workflows (imported, then published).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProgressFn } from './n8n-environment.js';

const USER_FOLDER_STATE = '.whatsapp-hub-n8n.json';

interface UserFolderState {
  encryptionKey: string;
}

/** The key asked for, else the one remembered in the user folder, else a new one (then remembered). */
export function resolveEncryptionKey(userFolder: string, requested: string | undefined): string {
  const stateFile = join(userFolder, USER_FOLDER_STATE);
  let state: UserFolderState | undefined;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as UserFolderState;
  } catch {
    // A new folder.
  }
  const key = requested ?? state?.encryptionKey ?? randomBytes(24).toString('base64url');
  if (state?.encryptionKey !== key) {
    writeFileSync(stateFile, `${JSON.stringify({ encryptionKey: key } satisfies UserFolderState)}\n`, {
      mode: 0o600,
    });
  }
  return key;
}

interface WorkflowJson {
  id?: unknown;
  name?: unknown;
}

/** All workflows of all files in one array, so one `import:workflow` call (each boots n8n) does. */
function collectWorkflows(files: readonly string[]): { workflows: WorkflowJson[]; ids: string[] } {
  const workflows: WorkflowJson[] = [];
  for (const file of files) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson | WorkflowJson[];
    workflows.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  }
  const ids: string[] = [];
  for (const workflow of workflows) {
    if (typeof workflow.id !== 'string' || workflow.id.length < 1 || workflow.id.length > 21) {
      throw new Error(
        `n8n-runtime: workflow ${JSON.stringify(workflow.name)} needs a string id of 1-21 characters ` +
          `(import upserts by it and publishing needs it); files: ${files.join(', ')}`,
      );
    }
    if (ids.includes(workflow.id)) throw new Error(`n8n-runtime: workflow id ${workflow.id} appears twice`);
    ids.push(workflow.id);
  }
  return { workflows, ids };
}

/** Runs one n8n CLI command against the user folder; rejects unless it exits 0. */
export type N8nCli = (args: string[], what: string) => Promise<void>;

export interface ImportFiles {
  /** JSON files, each an array of workflows or one workflow; every workflow needs an `id`. */
  workflowsFiles?: string[];
  /** JSON array of credentials; plain `data` is encrypted on import. */
  credentialsFile?: string;
  /** Publish (activate) every imported workflow. Default true. */
  publish?: boolean;
}

/** Imports the credentials, then the workflows (publishing them); returns the workflow ids. */
export async function importIntoUserFolder(
  userFolder: string,
  files: ImportFiles,
  cli: N8nCli,
  progress: ProgressFn,
): Promise<string[]> {
  const importDir = join(userFolder, 'import');
  mkdirSync(importDir, { recursive: true });
  if (files.credentialsFile) {
    progress(`n8n: importing credentials from ${files.credentialsFile}`);
    await cli(['import:credentials', `--input=${files.credentialsFile}`], 'n8n import:credentials');
  }
  if (!files.workflowsFiles?.length) return [];
  const { workflows, ids } = collectWorkflows(files.workflowsFiles);
  const combined = join(importDir, 'workflows.json');
  writeFileSync(combined, JSON.stringify(workflows));
  progress(`n8n: importing ${ids.length} workflow(s)`);
  await cli(['import:workflow', `--input=${combined}`], 'n8n import:workflow');
  if (files.publish ?? true) {
    // Imported workflows are always inactive; publishing changes the DB only, so it precedes start.
    for (const id of ids) await cli(['publish:workflow', `--id=${id}`], `n8n publish:workflow --id=${id}`);
  }
  return ids;
}
