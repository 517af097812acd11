/* The page's CSS :hover rules for the agent's pointer. A script can't put an element in the :hover state, so hover
 * menus made of CSS alone would stay shut under the agent's pointer. While the agent hovers, each :hover rule the
 * page's stylesheets can be read for is copied with :hover replaced by an attribute, and the hovered element and its
 * ancestors carry that attribute. Stylesheets from other origins can't be read and are left out; the copies and the
 * attributes go when the hover does (or remote control ends). */

const ATTRIBUTE = 'data-tandem-hover';
const HOVER = /:hover\b/g;

/** CSSRule type numbers: a frame's rules are another realm's objects, so instanceof can't tell them apart. */
const STYLE_RULE = 1;
const MEDIA_RULE = 4;
const SUPPORTS_RULE = 12;

function rewrite(rules: CSSRuleList, out: string[]): void {
  for (const rule of rules) {
    if (rule.type === STYLE_RULE) {
      const style = rule as CSSStyleRule;
      if (style.selectorText.includes(':hover')) out.push(`${style.selectorText.replace(HOVER, `[${ATTRIBUTE}]`)} { ${style.style.cssText} }`);
    } else if (rule.type === MEDIA_RULE || rule.type === SUPPORTS_RULE) {
      const group = rule as CSSMediaRule | CSSSupportsRule;
      const inner: string[] = [];
      rewrite(group.cssRules, inner);
      if (inner.length) out.push(`${rule.type === MEDIA_RULE ? '@media' : '@supports'} ${group.conditionText} { ${inner.join('\n')} }`);
    }
  }
}

function hoverRules(doc: Document): string {
  const out: string[] = [];
  for (const sheet of doc.styleSheets) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // another origin's stylesheet, without CORS
    }
    rewrite(rules, out);
  }
  return out.join('\n');
}

export class HoverStyles {
  private style: HTMLStyleElement | undefined;
  private sheets = -1;
  private hovered: Element[] = [];

  /** `chain` is the hovered element and its ancestors. */
  hover(chain: Element[]): void {
    const doc = chain[0]?.ownerDocument;
    if (!doc) return;
    this.ensureRules(doc);
    for (const el of this.hovered) if (!chain.includes(el)) el.removeAttribute(ATTRIBUTE);
    for (const el of chain) if (!el.hasAttribute(ATTRIBUTE)) el.setAttribute(ATTRIBUTE, '');
    this.hovered = chain;
  }

  clear(): void {
    for (const el of this.hovered) el.removeAttribute(ATTRIBUTE);
    this.hovered = [];
    this.style?.remove();
    this.style = undefined;
    this.sheets = -1;
  }

  private ensureRules(doc: Document): void {
    const count = doc.styleSheets.length - (this.style?.isConnected ? 1 : 0);
    if (this.style?.isConnected && this.sheets === count) return;
    this.style?.remove();
    this.sheets = count;
    const css = hoverRules(doc);
    if (!css) {
      this.style = undefined;
      return;
    }
    this.style = doc.createElement('style');
    this.style.setAttribute('data-tandem', 'hover');
    this.style.textContent = css;
    doc.head.append(this.style);
  }
}
