/**
 * One copy of each distinct text: texts read row by row, or sent by a worker, are new strings each
 * time, and what a run holds for every report repeats a few values (statuses, templates, rule
 * ids, severities, agencies) many thousand times. `limit`: at most that many texts are kept (a
 * text past it is returned as it came), for an interner that lives as long as the process.
 */
export class Interner {
  private readonly texts = new Map<string, string>();
  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  of<T extends string | null>(text: T): T {
    if (text === null) return text;
    const known = this.texts.get(text);
    if (known !== undefined) return known as T;
    if (this.texts.size < this.limit) this.texts.set(text, text);
    return text;
  }
}
