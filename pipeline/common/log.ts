/**
 * Run logging: plain lines (stderr) or JSON lines with run id, document, stage and duration
 * (--log-json); a progress bar on a terminal, plain progress lines when not a TTY.
 */
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';

/** cli-progress, loaded when a bar is first drawn (a terminal): worker threads load this file and never draw one. */
const progressBars = (): typeof cliProgress => createRequire(import.meta.url)('cli-progress') as typeof cliProgress;

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  document?: string;
  stage?: string;
  duration_ms?: number;
  [key: string]: unknown;
}

export class Logger {
  private bar: cliProgress.SingleBar | null = null;
  private total = 0;
  private done = 0;
  private lastLine = 0;

  constructor(
    readonly runId: string,
    private readonly json: boolean,
    private readonly quiet = false,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  log(level: Level, message: string, fields: LogFields = {}): void {
    if (this.quiet && level !== 'error') return;
    if (level === 'debug' && !this.json) return;
    if (this.json) {
      this.stream.write(
        JSON.stringify({ time: new Date().toISOString(), level, run_id: this.runId, message, ...fields }) + '\n',
      );
      return;
    }
    const where = [fields.document, fields.stage].filter(Boolean).join(' · ');
    const line = `${level === 'info' ? '' : level.toUpperCase() + ' '}${message}${where ? ` (${where})` : ''}`;
    if (this.bar) this.bar.update(this.done, { line: line.slice(0, 60) });
    else this.stream.write(line + '\n');
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  /** A line for machines only (JSON logs): in plain logs the printed run summary says it. */
  record(message: string, fields?: LogFields): void {
    if (this.json) this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  startProgress(total: number, label: string): void {
    this.total = total;
    this.done = 0;
    if (this.quiet || this.json) return;
    if (this.stream.isTTY) {
      const bars = progressBars();
      this.bar = new bars.SingleBar(
        {
          format: `${label} [{bar}] {value}/{total} {percentage}% · eta {eta_formatted}`,
          stream: this.stream,
          hideCursor: true,
        },
        bars.Presets.shades_classic,
      );
      this.bar.start(total, 0);
    } else {
      this.stream.write(`${label} ${total} files\n`);
    }
  }

  tick(): void {
    this.done++;
    if (this.bar) this.bar.update(this.done);
    else if (!this.quiet && !this.json) {
      // Plain progress for logs: every 10% or every 1000 documents.
      const step = Math.max(1, Math.min(1000, Math.ceil(this.total / 10)));
      if (this.done % step === 0 || this.done === this.total) {
        if (this.done !== this.lastLine) this.stream.write(`  ${this.done}/${this.total}\n`);
        this.lastLine = this.done;
      }
    }
  }

  stopProgress(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
