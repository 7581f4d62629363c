/**
 * LOG_FORMAT=pretty: pino's JSON records as one short line each, for a person at a terminal
 * (`npm run dev` picks it, so its banner is not buried under request logs). JSON stays the
 * default: it is what log collectors read.
 *
 * A hand formatter rather than pino-pretty: what is wanted is one fixed line shape
 * (`12:00:00.123 INFO  POST /graphql 200 4 ms`), which pino-pretty gives only through its
 * messageFormat/ignore/singleLine options on top of a dependency tree of its own; these few
 * lines do it synchronously in the process, with nothing to install.
 */

interface Sink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** pino's destination contract: one record per `write`, a JSON line. */
export interface LogStream {
  write(line: string): void;
}

const LEVELS: Record<string, { label: string; color: string }> = {
  trace: { label: 'TRACE', color: '90' },
  debug: { label: 'DEBUG', color: '90' },
  info: { label: 'INFO ', color: '32' },
  warn: { label: 'WARN ', color: '33' },
  error: { label: 'ERROR', color: '31' },
  fatal: { label: 'FATAL', color: '35' },
};

/** Fields every record has, or that the line already shows in its own way. */
const SHOWN = new Set([
  'level',
  'time',
  'service',
  'pid',
  'hostname',
  'msg',
  'context',
  'req',
  'res',
  'responseTime',
  'err',
  'tenantId',
]);

/**
 * Nest's report of how it wired modules and routes: dozens of info lines at every start that
 * nobody at a terminal acts on. Warnings and errors from them still show.
 */
const WIRING = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);
const QUIET_LEVELS = new Set(['trace', 'debug', 'info']);

interface LogRecord {
  level?: unknown;
  time?: unknown;
  msg?: unknown;
  context?: unknown;
  req?: { method?: unknown; path?: unknown };
  res?: { statusCode?: unknown };
  responseTime?: unknown;
  err?: { message?: unknown; stack?: unknown };
  tenantId?: unknown;
  [field: string]: unknown;
}

function clock(time: unknown): string {
  const date = new Date(typeof time === 'string' || typeof time === 'number' ? time : Date.now());
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** One record as the line (and, for an error with a stack, the indented stack lines) to print; null to skip. */
export function formatRecord(record: LogRecord, color: boolean): string | null {
  if (WIRING.has(String(record.context)) && QUIET_LEVELS.has(String(record.level))) return null;
  const level = LEVELS[String(record.level)] ?? { label: String(record.level).toUpperCase(), color: '0' };
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const parts = [clock(record.time), paint(level.color, level.label)];
  if (record.req && record.res) {
    // A request: what was asked, how it went, how long it took.
    parts.push(`${String(record.req.method)} ${String(record.req.path)}`, String(record.res.statusCode));
    if (typeof record.responseTime === 'number') parts.push(`${Math.round(record.responseTime)} ms`);
  } else {
    if (typeof record.context === 'string') parts.push(`[${record.context}]`);
    parts.push(typeof record.msg === 'string' ? record.msg : '');
  }
  let line = parts.filter((part) => part !== '').join(' ');
  if (record.err && typeof record.err.message === 'string' && record.err.message !== record.msg) {
    line += `: ${record.err.message}`;
  }
  const fields = Object.entries(record)
    .filter(([name, value]) => !SHOWN.has(name) && value !== undefined)
    .map(([name, value]) => `${name}=${fieldValue(value)}`);
  if (typeof record.tenantId === 'string') fields.unshift(`tenant=${record.tenantId.slice(0, 8)}`);
  if (fields.length > 0) line += ` ${paint('90', fields.join(' '))}`;
  const stack = record.err?.stack;
  if (typeof stack === 'string') {
    // The message is on the line already; the frames follow, indented.
    const frames = stack.split('\n').filter((frame) => /^\s+at /.test(frame));
    if (frames.length > 0) line += `\n${paint('90', frames.join('\n'))}`;
  }
  return line;
}

/**
 * A pino destination writing pretty lines to `out` (stdout by default). Colors when `out` is a
 * terminal and NO_COLOR is unset. A line that is not a JSON record passes through as it is.
 */
export function prettyLogStream(out: Sink = process.stdout, options: { color?: boolean } = {}): LogStream {
  const color = options.color ?? (Boolean(out.isTTY) && !process.env['NO_COLOR']);
  return {
    write(chunk: string) {
      for (const text of chunk.split('\n')) {
        if (text === '') continue;
        let record: LogRecord | undefined;
        try {
          const parsed = JSON.parse(text) as unknown;
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
            record = parsed as LogRecord;
        } catch {
          record = undefined;
        }
        const line = record ? formatRecord(record, color) : text;
        if (line !== null) out.write(`${line}\n`);
      }
    },
  };
}
