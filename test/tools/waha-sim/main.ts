/**
 * `npm run waha:sim`: a WAHA 2026.7 stand-in on PORT (default 3001), configured like WAHA.
 * See test/tools/waha-sim/README.md.
 */
import { startWahaSimulator } from './waha-simulator.js';
import type { SimEngineName } from './sim-engine.js';

const ENGINES: readonly SimEngineName[] = ['WEBJS', 'NOWEB', 'GOWS'];

function fail(message: string): never {
  console.error(`waha-sim: ${message}`);
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3001);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`PORT must be a port number, got "${process.env.PORT}"`);

const timeScale = Number(process.env.WAHA_SIM_TIME_SCALE ?? 1);
if (!(timeScale > 0))
  fail(`WAHA_SIM_TIME_SCALE must be a number > 0, got "${process.env.WAHA_SIM_TIME_SCALE}"`);

const engine = (process.env.WHATSAPP_DEFAULT_ENGINE ?? 'WEBJS').toUpperCase() as SimEngineName;
if (!ENGINES.includes(engine))
  fail(`WHATSAPP_DEFAULT_ENGINE must be one of ${ENGINES.join(', ')}, got "${engine}"`);

// WAHA's WHATSAPP_FILES_LIFETIME: seconds a saved media file lives (default 180; 0: for ever).
const filesLifetime = Number(process.env.WHATSAPP_FILES_LIFETIME ?? 180);
if (!(filesLifetime >= 0))
  fail(
    `WHATSAPP_FILES_LIFETIME must be a number of seconds >= 0, got "${process.env.WHATSAPP_FILES_LIFETIME}"`,
  );

const apiKey = process.env.WAHA_API_KEY || undefined;
const sim = await startWahaSimulator({
  port,
  host: process.env.WAHA_SIM_HOST ?? '127.0.0.1',
  timeScale,
  engine,
  filesLifetimeMs: filesLifetime * 1000,
  ...(apiKey ? { apiKey } : {}),
});

console.log(
  `waha-sim: WAHA 2026.7.1 simulator (${engine}) listening on ${sim.url}` +
    ` (API key ${apiKey ? 'required' : 'not checked'}, time scale ${timeScale}); control API under ${sim.url}/__sim`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`waha-sim: ${signal}, stopping`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
