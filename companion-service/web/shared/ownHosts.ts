/* The ids of the elements Tandem adds to a customer's page, each the host of a shadow root of ours: the widget
 * (widget/host.ts) and the layer of the agent's pointer and drawings (cobrowse/guide/guideLayer.ts). Masking keeps
 * both out of the recording and out of remote control's reach (cobrowse/masking.ts). A module of its own so that
 * what needs only the names does not bundle the elements' code. */

export const WIDGET_HOST_ID = 'tandem-widget';
export const GUIDE_HOST_ID = 'tandem-guides';
