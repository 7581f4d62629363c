import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { configVariables } from '../../src/config/env.js';

describe('.env.example', () => {
  const documented = readFileSync('.env.example', 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);

  const composeVariables = [
    ...new Set(
      [...readFileSync('docker-compose.yml', 'utf8').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!),
    ),
  ];

  it('documents every variable the service reads and every one docker-compose.yml substitutes, and only those', () => {
    const expected = [...new Set([...configVariables(), ...composeVariables])].sort();
    expect([...documented].sort()).toEqual(expected);
  });

  it('is documented in the README too', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(configVariables().filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
