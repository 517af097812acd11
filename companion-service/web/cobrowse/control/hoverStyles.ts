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
      if (style.selectorText.includes(':hover'))
        out.push(`${style.selectorText.replace(HOVER, `[${ATTRIBUTE}]`)} { ${style.style.cssText} }`);
    } else if (rule.type === MEDIA_RULE || rule.type === SUPPORTS_RULE) {
      const group = rule as CSSMediaRule | CSSSupportsRule;
      const inner: string[] = [];
      rewrite(group.cssRules, inner);
      if (inner.length)
        out.push(`${rule.type === MEDIA_RULE ? '@media' : '@supports'} ${group.conditionText} { ${inner.join('\n')} }`);
    }
  }
}

/** The compound selectors :hover is on ("a" in "nav a:hover > ul"): only elements matching one need the attribute, so
 * the page's DOM changes no more than the hover needs. An empty compound (":hover" alone) matches anything. */
function hoverSubjects(rules: string[]): string[] {
  const subjects = new Set<string>();
  // The attribute only ever appears in selectors, so the rules' whole text can be searched (@media blocks too).
  for (const match of rules.join('\n').matchAll(/([^\s>+~,(){};]*)\[data-tandem-hover\]/g))
    subjects.add(match[1] || '*');
  return [...subjects];
}

function hoverRules(doc: Document): string[] {
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
  return out;
}

export class HoverStyles {
  private style: HTMLStyleElement | undefined;
  private sheets = -1;
  private subjects: string[] = [];
  private hovered: Element[] = [];

  /** `chain` is the hovered element and its ancestors. */
  hover(chain: Element[]): void {
    const doc = chain[0]?.ownerDocument;
    if (!doc) return;
    this.ensureRules(doc);
    const marked = chain.filter((el) => this.subjects.some((subject) => matchesSafely(el, subject)));
    for (const el of this.hovered) if (!marked.includes(el)) el.removeAttribute(ATTRIBUTE);
    for (const el of marked) if (!el.hasAttribute(ATTRIBUTE)) el.setAttribute(ATTRIBUTE, '');
    this.hovered = marked;
  }

  clear(): void {
    for (const el of this.hovered) el.removeAttribute(ATTRIBUTE);
    this.hovered = [];
    this.style?.remove();
    this.style = undefined;
    this.sheets = -1;
    this.subjects = [];
  }

  private ensureRules(doc: Document): void {
    const count = doc.styleSheets.length - (this.style?.isConnected ? 1 : 0);
    if (this.style?.isConnected && this.sheets === count) return;
    this.style?.remove();
    this.sheets = count;
    const rules = hoverRules(doc);
    this.subjects = hoverSubjects(rules);
    if (rules.length === 0) {
      this.style = undefined;
      return;
    }
    this.style = doc.createElement('style');
    this.style.setAttribute('data-tandem', 'hover');
    this.style.textContent = rules.join('\n');
    doc.head.append(this.style);
  }
}

/** A subject the browser can't parse on its own (it came out of a larger selector) counts as matching. */
function matchesSafely(el: Element, subject: string): boolean {
  try {
    return el.matches(subject);
  } catch {
    return true;
  }
}
