import { Type, type Static } from '@sinclair/typebox';

/* Remote control's actions: the agent's own input in the live view, sent for the customer's page to replay on its real
 * elements the way the customer's own hands would produce it (the visitor's side synthesises the event sequences and
 * default actions: see web/cobrowse/control/). Elements are named by the recorder's rrweb node ids; positions are
 * offsets inside the element's box as the agent saw it, with that box's size, so a layout of another size still gets
 * the same relative point. */

/** rrweb node ids from the visitor's recorder mirror. */
export const NodeId = Type.Integer({ minimum: 0, maximum: 100_000_000 });
const Coordinate = Type.Number({ minimum: -1_000_000, maximum: 1_000_000 });
const Size = Type.Number({ minimum: 0, maximum: 1_000_000 });
const TextOffset = Type.Integer({ minimum: 0, maximum: 10_000_000 });

export const Modifiers = Type.Object(
  { alt: Type.Boolean(), ctrl: Type.Boolean(), meta: Type.Boolean(), shift: Type.Boolean() },
  { additionalProperties: false },
);
export type Modifiers = Static<typeof Modifiers>;

/** Where in the target: an offset inside its box and the box's size in the agent's view. */
const Point = { x: Coordinate, y: Coordinate, w: Size, h: Size };
const MouseButton = Type.Integer({ minimum: 0, maximum: 4 });
const closed = { additionalProperties: false } as const;

/** Pointer down, up or moving (hover) over an element: the visitor's side adds the mouse events that follow. */
export const PointerAction = Type.Object(
  {
    kind: Type.Literal('pointer'),
    phase: Type.Union([Type.Literal('down'), Type.Literal('up'), Type.Literal('move')]),
    nodeId: NodeId,
    ...Point,
    button: MouseButton,
    /** Buttons held (the MouseEvent.buttons bit field). */
    buttons: Type.Integer({ minimum: 0, maximum: 31 }),
    /** Click count of this press (1 for a single click, 2 for the second press of a double click). */
    detail: Type.Integer({ minimum: 0, maximum: 10 }),
    mods: Modifiers,
  },
  closed,
);

/** A click the agent's browser made of presses: click, dblclick, contextmenu (right button) or auxclick. */
export const ClickAction = Type.Object(
  {
    kind: Type.Literal('click'),
    type: Type.Union([
      Type.Literal('click'),
      Type.Literal('dblclick'),
      Type.Literal('contextmenu'),
      Type.Literal('auxclick'),
    ]),
    nodeId: NodeId,
    ...Point,
    button: MouseButton,
    detail: Type.Integer({ minimum: 0, maximum: 10 }),
    mods: Modifiers,
  },
  closed,
);

const TextSelection = Type.Object(
  {
    start: TextOffset,
    end: TextOffset,
    direction: Type.Union([Type.Literal('forward'), Type.Literal('backward'), Type.Literal('none')]),
  },
  closed,
);

/** Where the agent is typing: the element focused in their view and, when the agent moved it there themselves, the
 * selection in it. Keys go to the visitor's real focus; this moves it there first when it differs. */
const TypingTarget = {
  focusNodeId: Type.Optional(NodeId),
  selection: Type.Optional(TextSelection),
};

/** A key going down or up. Down: the visitor's side dispatches keydown (and keypress) and performs the key's default
 * action on the focused element unless the page prevented it; up: keyup, where focus is then. */
export const KeyAction = Type.Object(
  {
    kind: Type.Literal('key'),
    phase: Type.Union([Type.Literal('down'), Type.Literal('up')]),
    ...TypingTarget,
    key: Type.String({ minLength: 1, maxLength: 32 }),
    code: Type.String({ maxLength: 32 }),
    location: Type.Integer({ minimum: 0, maximum: 3 }),
    repeat: Type.Boolean(),
    mods: Modifiers,
  },
  closed,
);

/** Text that came without a key press of its own: an input method's composition, a paste, a drop, autocorrect. */
export const TextInputType = Type.Union([
  Type.Literal('insertText'),
  Type.Literal('insertFromPaste'),
  Type.Literal('insertFromDrop'),
  Type.Literal('insertReplacementText'),
  Type.Literal('deleteByCut'),
]);
export type TextInputType = Static<typeof TextInputType>;
export const TextAction = Type.Object(
  { kind: Type.Literal('text'), ...TypingTarget, inputType: TextInputType, data: Type.String({ maxLength: 10_000 }) },
  closed,
);

/** The selection inside a text field (input or textarea), as the agent made it in the view. */
export const SelectTextAction = Type.Object(
  { kind: Type.Literal('selectText'), nodeId: NodeId, ...TextSelection.properties },
  closed,
);

/** A selection in the page's content (text, contenteditable): its anchor and focus as node and offset. */
export const SelectRangeAction = Type.Object(
  {
    kind: Type.Literal('selectRange'),
    anchorNodeId: NodeId,
    anchorOffset: TextOffset,
    focusNodeId: NodeId,
    focusOffset: TextOffset,
  },
  closed,
);

/** The options chosen in a select (one, or several for a multiple select), by index. */
export const ChooseAction = Type.Object(
  {
    kind: Type.Literal('choose'),
    nodeId: NodeId,
    selected: Type.Array(Type.Integer({ minimum: 0, maximum: 10_000 }), { maxItems: 1000 }),
  },
  closed,
);

/** A value picked with a control's own picker (range, colour, date and time inputs); commit when the picker closed. */
export const SetValueAction = Type.Object(
  { kind: Type.Literal('setValue'), nodeId: NodeId, value: Type.String({ maxLength: 1000 }), commit: Type.Boolean() },
  closed,
);

/** Scroll an element (or the page, with nodeId null) by a distance. */
export const ScrollAction = Type.Object(
  { kind: Type.Literal('scroll'), nodeId: Type.Union([NodeId, Type.Null()]), dx: Coordinate, dy: Coordinate },
  closed,
);

export const ControlInputAction = Type.Union([
  PointerAction,
  ClickAction,
  KeyAction,
  TextAction,
  SelectTextAction,
  SelectRangeAction,
  ChooseAction,
  SetValueAction,
  ScrollAction,
]);
export type ControlInputAction = Static<typeof ControlInputAction>;
export type ControlActionOf<K extends ControlInputAction['kind']> = Extract<ControlInputAction, { kind: K }>;

export const NavigateAction = Type.Union([Type.Literal('back'), Type.Literal('forward'), Type.Literal('refresh')]);
export type NavigateAction = Static<typeof NavigateAction>;
