/** Which URLs the crawler may request: http(s) only, on the hosts of the listed sources only. */

const ALLOWED_SCHEMES = new Set(['http:', 'https:']);

/** Resolves `href` against `base` and drops the fragment; returns the input unchanged if it does not parse. */
export function resolveUrl(href: string, base?: string): string {
  try {
    const url = new URL(href.trim(), base);
    url.hash = '';
    return url.href;
  } catch {
    return href;
  }
}

export function isHttpUrl(url: string): boolean {
  try {
    return ALLOWED_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

export class UrlPolicy {
  private readonly hosts: Set<string>;

  constructor(sourceUrls: string[]) {
    this.hosts = new Set(sourceUrls.filter(isHttpUrl).map((u) => new URL(u).hostname.toLowerCase()));
  }

  /** Why `url` may not be requested, or null when it may. */
  refusal(url: string): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `not a valid URL: ${url}`;
    }
    if (!ALLOWED_SCHEMES.has(parsed.protocol))
      return `scheme ${parsed.protocol} is not allowed (only http: and https:)`;
    if (!this.hosts.has(parsed.hostname.toLowerCase())) return `host ${parsed.hostname} is not a listed source host`;
    return null;
  }
}
