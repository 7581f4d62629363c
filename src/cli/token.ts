/**
 * npm run token -- --tenant <slug> [--user <id>] [--roles admin,member] [--name "Acme Inc"] [--ttl 12h]
 * Creates the tenant if it is missing and prints a dashboard token for it.
 */
import { parseArgs } from 'node:util';
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { type Role, ROLES } from '../auth/auth-context.js';
import { JwtService } from '../auth/jwt.service.js';
import { DomainError } from '../common/domain-error.js';
import { parseEnv } from '../config/env.js';
import { ensureDatabase } from '../database/databases.js';
import { migrateUp } from '../database/migrate.js';
import { TenantsService } from '../tenants/tenants.service.js';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    user: { type: 'string', default: 'dev-user' },
    roles: { type: 'string', default: 'admin' },
    name: { type: 'string' },
    ttl: { type: 'string', default: '12h' },
    quiet: { type: 'boolean', default: false },
  },
});

if (!values.tenant) {
  console.error(
    'usage: npm run token -- --tenant <slug> [--user <id>] [--roles admin,member,viewer] [--ttl 12h]',
  );
  process.exit(2);
}
const roles = values.roles.split(',').map((role) => role.trim());
const unknown = roles.filter((role) => !ROLES.includes(role as Role));
if (unknown.length > 0) {
  console.error(`Unknown roles: ${unknown.join(', ')} (known: ${ROLES.join(', ')})`);
  process.exit(2);
}

const config = parseEnv();
await ensureDatabase(config.databaseUrl);
// Stdout carries the token alone (`TOKEN=$(npm run -s token -- … --quiet)`): the ORM's own
// lines, such as the migrations it applies to a new database, go to stderr.
const orm = await MikroORM.init(
  createOrmConfig(config.databaseUrl, { logger: (message: string) => process.stderr.write(`${message}\n`) }),
);
try {
  await migrateUp(orm);
  const tenant = await new TenantsService(orm.em).ensure(values.tenant, values.name);
  const token = await new JwtService(config).sign(
    { tenantId: tenant.id, userId: values.user, roles: roles as Role[] },
    values.ttl,
  );
  if (values.quiet) {
    console.log(token);
  } else {
    console.log(
      `Tenant ${tenant.slug} (${tenant.id}), user ${values.user}, roles ${roles.join(',')}, valid ${values.ttl}`,
    );
    console.log(`\n${token}\n`);
    console.log(`Use it as the header:  Authorization: Bearer ${token.slice(0, 12)}…`);
  }
} catch (error) {
  console.error(error instanceof DomainError ? error.message : error);
  process.exitCode = 1;
} finally {
  await orm.close(true);
}
