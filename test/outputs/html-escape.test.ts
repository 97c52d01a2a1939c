/** Document text never becomes markup: the html tag escapes every interpolation. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, join, trusted } from '../../pipeline/outputs/site/html.js';
import { CONTENT_SECURITY_POLICY, renderPage } from '../../pipeline/outputs/site/page.js';

describe('html escaping', () => {
  it('escapes text, attributes and nested lists', () => {
    const evil = `<script>alert("x")</script>' onerror=alert(1) \`x\` &amp;`;
    expect(escapeHtml(evil)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onerror=alert(1) &#96;x&#96; &amp;amp;',
    );
    const out = html`<td title="${evil}">${[evil, html`<b>${evil}</b>`]}</td>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toContain("' onerror");
    expect(out).toContain('<b>&lt;script&gt;');
    expect(join(['<i>', trusted('<br>')], '<hr>').value).toBe('&lt;i&gt;&lt;hr&gt;<br>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('puts a strict Content-Security-Policy on every page', () => {
    const page = renderPage({ title: '<script>t</script>', body: html`${'<img src=x onerror=alert(1)>'}` });
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`,
    );
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe/);
    expect(page).toContain('<title>&lt;script&gt;t&lt;/script&gt;</title>');
    expect(page).not.toContain('<img');
    expect(page.match(/<script>/g)).toHaveLength(1);
  });
});
