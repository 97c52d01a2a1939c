/** Politeness: a cap on requests in flight overall and per host, and a pause between request starts on one host. */
import pLimit, { type LimitFunction } from 'p-limit';
import { sleep } from './sleep.js';

interface HostLane {
  limit: LimitFunction;
  nextStartAt: number;
}

export class RequestGate {
  private readonly overall: LimitFunction;
  private readonly lanes = new Map<string, HostLane>();

  constructor(concurrency: number, private readonly perHost: number, private readonly delayMs: number) {
    this.overall = pLimit(Math.max(1, concurrency));
  }

  /** Runs one HTTP exchange with `host`. Host slot first, then the overall slot (a fixed order, so no deadlock). */
  run<T>(host: string, exchange: () => Promise<T>): Promise<T> {
    const lane = this.laneFor(host);
    return lane.limit(async () => {
      const now = Date.now();
      const startAt = Math.max(now, lane.nextStartAt);
      lane.nextStartAt = startAt + this.delayMs;
      await sleep(startAt - now);
      return this.overall(exchange);
    });
  }

  private laneFor(host: string): HostLane {
    let lane = this.lanes.get(host);
    if (!lane) {
      lane = { limit: pLimit(Math.max(1, this.perHost)), nextStartAt: 0 };
      this.lanes.set(host, lane);
    }
    return lane;
  }
}
