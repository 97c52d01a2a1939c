/** Positions along one axis (points): near ones clustered into one line or column, the nearest found. */

/**
 * The means of `values` clustered in ascending order: a value joins the
 * cluster before it when `joins(its distance to that cluster's last value)`.
 */
export function clusterMeans(values: readonly number[], joins: (gap: number) => boolean): number[] {
  const sorted = [...values].sort((p, q) => p - q);
  const clusters: number[][] = [];
  for (const v of sorted) {
    const last = clusters[clusters.length - 1];
    if (last && joins(v - last[last.length - 1])) last.push(v);
    else clusters.push([v]);
  }
  return clusters.map((c) => c.reduce((s, v) => s + v, 0) / c.length);
}

/** Index of the value nearest to `x` (the first of equals); 0 for no values. */
export function nearestIndex(values: readonly number[], x: number): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i] - x) < Math.abs(values[best] - x)) best = i;
  return best;
}
