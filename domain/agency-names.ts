/**
 * An agency's name in the one form used to match it everywhere: a report's title, the agency CSV
 * (names and aliases), the warehouse's agency key. Width, spaces, brackets and quotes do not count.
 */
export function normaliseAgency(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s\u00a0\u3000]+/g, '')
    .replace(/[()（）《》“”"]/g, '')
    .replace(/人民政府办公室$/, '人民政府办公室')
    .toLowerCase();
}
