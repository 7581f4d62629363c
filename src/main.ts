import { Logger } from '@nestjs/common';
import { createApp, stopOnSignals } from './bootstrap.js';
import { ConfigError, parseEnv } from './config/env.js';

let config;
try {
  config = parseEnv();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const app = await createApp(config);
stopOnSignals(app);
await app.listen(config.port, config.host);
new Logger('Bootstrap').log(`whatsapp-hub listening on ${await app.getUrl()} (GraphQL at /graphql)`);
