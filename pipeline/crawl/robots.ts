/** robots.txt (RFC 9309): parsing, matching, and a per-origin cache that fetches each file once. */

export interface RobotsRule {
  allow: boolean;
  pattern: string;
}

/** The rules of the group naming one of `agents` (our product tokens), else of the `*` group. */
export function parseRobots(text: string, agents: string[]): RobotsRule[] {
  const groups: { agents: string[]; rules: RobotsRule[] }[] = [];
  let current: (typeof groups)[number] | null = null;
  let inAgentLines = false;
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const match = /^\s*([A-Za-z-]+)\s*:\s*(.*?)\s*$/.exec(rawLine.replace(/#.*/, ''));
    if (!match) continue;
    const key = match[1].toLowerCase();
    const value = match[2];
    if (key === 'user-agent') {
      // Consecutive user-agent lines share one group.
      if (!current || !inAgentLines) groups.push((current = { agents: [], rules: [] }));
      current.agents.push(value.toLowerCase());
      inAgentLines = true;
      continue;
    }
    inAgentLines = false;
    // An empty Disallow allows everything, so it adds no rule.
    if (current && (key === 'allow' || key === 'disallow') && value) {
      current.rules.push({ allow: key === 'allow', pattern: value });
    }
  }
  const names = agents.map((a) => a.toLowerCase());
  const ours = groups.filter((g) => g.agents.some((a) => names.includes(a)));
  const chosen = ours.length > 0 ? ours : groups.filter((g) => g.agents.includes('*'));
  return chosen.flatMap((g) => g.rules);
}

/** The most specific (longest) matching rule decides; Allow wins a tie; no match means allowed. */
export function matchRobots(rules: RobotsRule[], pathAndQuery: string): RobotsRule | null {
  let best: RobotsRule | null = null;
  for (const rule of rules) {
    if (!patternMatches(rule.pattern, pathAndQuery)) continue;
    if (
      !best ||
      rule.pattern.length > best.pattern.length ||
      (rule.pattern.length === best.pattern.length && rule.allow)
    ) {
      best = rule;
    }
  }
  return best;
}

function patternMatches(pattern: string, path: string): boolean {
  if (!pattern.includes('*') && !pattern.endsWith('$')) return path.startsWith(pattern);
  const anchored = pattern.endsWith('$');
  const body = (anchored ? pattern.slice(0, -1) : pattern)
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}${anchored ? '$' : ''}`).test(path);
}

/** What fetching `<origin>/robots.txt` gave: bytes for 2xx (or 304 with stored bytes), else the status and why. */
export interface RobotsFile {
  status: number | null;
  body: Buffer | null;
  reason: string | null;
}

type RobotsVerdict = { rules: RobotsRule[] } | { refuseAll: string };

export class RobotsGuard {
  private readonly byOrigin = new Map<string, Promise<RobotsVerdict>>();

  constructor(
    private readonly agents: string[],
    private readonly load: (robotsUrl: string, agency: string) => Promise<RobotsFile>,
  ) {}

  /** Why robots.txt forbids `url`, or null when it allows it. */
  async refusal(url: string, agency: string): Promise<string | null> {
    const parsed = new URL(url);
    let verdict = this.byOrigin.get(parsed.origin);
    if (!verdict) {
      verdict = this.load(`${parsed.origin}/robots.txt`, agency).then((file) => this.verdictOf(file));
      this.byOrigin.set(parsed.origin, verdict);
    }
    const v = await verdict;
    if ('refuseAll' in v) return v.refuseAll;
    const rule = matchRobots(v.rules, parsed.pathname + parsed.search);
    return rule && !rule.allow ? `disallowed by robots.txt (Disallow: ${rule.pattern})` : null;
  }

  private verdictOf(file: RobotsFile): RobotsVerdict {
    if (file.body) return { rules: parseRobots(file.body.toString('utf8'), this.agents) };
    // 4xx: no robots.txt, all allowed. 5xx or unreachable: RFC 9309 says assume complete disallow.
    if (file.status !== null && file.status >= 400 && file.status < 500) return { rules: [] };
    const why = file.reason ?? `HTTP ${file.status}`;
    return { refuseAll: `robots.txt unavailable (${why}), so the whole site is treated as disallowed` };
  }
}
