/* A call needs the camera and the microphone, which a page's Permissions-Policy header can forbid to everything on
 * it (`camera=()`, `microphone=()`), the widget included: the browser then refuses them without asking, and no
 * setting of the visitor's can change that. On such a page the widget would show a launcher whose calls all fail
 * with advice the visitor can't follow, so it tells the site's developer in the browser console and stays hidden,
 * as on a page whose origin the service does not list (originCheck.ts). Browsers that can't tell (no
 * permissionsPolicy / featurePolicy on the document) are taken to allow them. */

const NEEDED = ['camera', 'microphone'] as const;

interface PolicyView {
  allowsFeature(feature: string): boolean;
}

export function pageAllowsCalls(): boolean {
  const doc = document as Document & { permissionsPolicy?: PolicyView; featurePolicy?: PolicyView };
  const policy = doc.permissionsPolicy ?? doc.featurePolicy;
  if (typeof policy?.allowsFeature !== 'function') return true;
  const forbidden = NEEDED.filter((feature) => !policy.allowsFeature(feature));
  if (forbidden.length === 0) return true;
  console.error(
    `Tandem: this page's Permissions-Policy does not allow ${forbidden.join(' or ')}, which a video call needs, so ` +
      `the widget stays hidden. Allow ${forbidden.map((f) => `${f}=(self)`).join(', ')} on the pages that carry it.`,
  );
  return false;
}
