/** Politeness: a cap on requests in flight overall and per host, and a pause between request starts on one host. */
import pLimit, { type LimitFunction } from 'p-limit';
import { sleep } from './sleep.js';

interface HostLane {
  limit: LimitFunction;
  /** Starts on a host are taken one after another, so each gap is measured from the real previous start. */
  startTurn: Promise<void>;
  lastStartAt: number;
}

export class RequestGate {
  private readonly overall: LimitFunction;
  private readonly lanes = new Map<string, HostLane>();

  constructor(
    concurrency: number,
    private readonly perHost: number,
    private readonly delayMs: number,
  ) {
    this.overall = pLimit(Math.max(1, concurrency));
  }

  /** Runs one HTTP exchange with `host`. Host slot first, then the overall slot (a fixed order, so no deadlock). */
  run<T>(host: string, exchange: () => Promise<T>): Promise<T> {
    const lane = this.laneFor(host);
    return lane.limit(async () => {
      lane.startTurn = lane.startTurn.then(async () => {
        await sleep(lane.lastStartAt + this.delayMs - Date.now());
        lane.lastStartAt = Date.now();
      });
      await lane.startTurn;
      return this.overall(exchange);
    });
  }

  private laneFor(host: string): HostLane {
    let lane = this.lanes.get(host);
    if (!lane) {
      lane = { limit: pLimit(Math.max(1, this.perHost)), startTurn: Promise.resolve(), lastStartAt: 0 };
      this.lanes.set(host, lane);
    }
    return lane;
  }
}
