import {
  ApexParserFactory,
  ClassDeclarationContext,
  DeleteStatementContext,
  DotExpressionContext,
  InsertStatementContext,
  MergeStatementContext,
  MethodCallContext,
  MethodDeclarationContext,
  ReturnStatementContext,
  UndeleteStatementContext,
  UpdateStatementContext,
  UpsertStatementContext,
  type ModifierContext,
} from '@apexdevtools/apex-parser';

/* Checks on the shape of the package's Apex tests that an org enforces but a parser alone does not see:
 *  - mock-after-dml: `Test.setMock` after DML in the same test, without `Test.startTest()` between them (the org
 *    fails the callout with "uncommitted work pending");
 *  - early-return: a test method that returns (a test that stops early on a missing licence or feature leaves its
 *    class under the 75 % per-class coverage a RunSpecifiedTests deploy needs);
 *  - untested-method: a public or global method of a non-test class that no test calls by name.
 * Apex names ignore case, so every comparison here does too. */

export interface ApexSource {
  file: string;
  source: string;
}

export type ShapeRule = 'mock-after-dml' | 'early-return' | 'untested-method';

export interface ShapeFinding {
  file: string;
  line: number;
  rule: ShapeRule;
  message: string;
}

interface Tree {
  children?: Tree[] | null;
  start?: { line: number };
}

interface ParsedClass {
  file: string;
  name: string;
  isTest: boolean;
  methods: Array<{
    name: string;
    displayName: string;
    decl: MethodDeclarationContext;
    modifiers: string[];
    line: number;
  }>;
}

const DML_STATEMENTS = [
  InsertStatementContext,
  UpdateStatementContext,
  DeleteStatementContext,
  UndeleteStatementContext,
  UpsertStatementContext,
  MergeStatementContext,
];
const DATABASE_DML = new Set([
  'insert',
  'update',
  'delete',
  'undelete',
  'upsert',
  'merge',
  'insertimmediate',
  'insertasync',
  'updateimmediate',
  'updateasync',
  'deleteimmediate',
  'deleteasync',
]);

/** A call met while walking a method in source order. */
interface Call {
  qualifier: string | undefined;
  name: string;
}

function modifierWords(modifiers: ModifierContext[]): string[] {
  return modifiers.map((m) => m.getText().toLowerCase());
}

function callOf(node: Tree): Call | undefined {
  if (node instanceof MethodCallContext) {
    const id = node.id();
    return id ? { qualifier: undefined, name: id.getText().toLowerCase() } : undefined;
  }
  if (node instanceof DotExpressionContext) {
    const dotCall = node.dotMethodCall();
    if (!dotCall) return undefined;
    return { qualifier: node.expression().getText().toLowerCase(), name: dotCall.anyId().getText().toLowerCase() };
  }
  return undefined;
}

function isDml(node: Tree, call: Call | undefined): boolean {
  if (DML_STATEMENTS.some((type) => node instanceof type)) return true;
  return call?.qualifier === 'database' && DATABASE_DML.has(call.name);
}

/** Visits every node under root in source order (depth first, children left to right). */
function walk(root: Tree, visit: (node: Tree) => void): void {
  const stack: Tree[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Tree;
    visit(node);
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Tree);
  }
}

function parseClasses({ file, source }: ApexSource): ParsedClass[] {
  const unit = ApexParserFactory.createParser(source, true).compilationUnit();
  const top = unit.typeDeclaration();
  const decl = top.classDeclaration();
  if (!decl) return [];
  const isTest = modifierWords(top.modifier_list()).includes('@istest');
  const classes: ParsedClass[] = [];
  const collect = (cls: ClassDeclarationContext, name: string) => {
    const parsed: ParsedClass = { file, name, isTest, methods: [] };
    for (const member of cls.classBody().classBodyDeclaration_list()) {
      const declaration = member.memberDeclaration();
      const method = declaration?.methodDeclaration();
      const inner = declaration?.classDeclaration();
      const modifiers = modifierWords(member.modifier_list());
      if (method) {
        const displayName = method.id().getText();
        parsed.methods.push({
          name: displayName.toLowerCase(),
          displayName,
          decl: method,
          modifiers,
          line: method.start.line,
        });
      }
      if (inner) collect(inner, `${name}.${inner.id().getText()}`);
    }
    classes.push(parsed);
  };
  collect(decl, decl.id().getText());
  return classes;
}

/** Methods of a class that do DML themselves or through the class's own methods they call. */
function dmlMethods(cls: ParsedClass): Set<string> {
  const direct = new Set<string>();
  const calls = new Map<string, Set<string>>();
  for (const m of cls.methods) {
    const callees = new Set<string>();
    walk(m.decl as unknown as Tree, (node) => {
      const call = callOf(node);
      if (isDml(node, call)) direct.add(m.name);
      if (call && call.qualifier === undefined) callees.add(call.name);
    });
    calls.set(m.name, callees);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, callees] of calls) {
      if (!direct.has(name) && [...callees].some((c) => direct.has(c))) {
        direct.add(name);
        grew = true;
      }
    }
  }
  return direct;
}

function isTestMethod(modifiers: string[]): boolean {
  return modifiers.includes('@istest') || modifiers.includes('testmethod');
}

function checkTestMethods(cls: ParsedClass, findings: ShapeFinding[]): void {
  const doesDml = dmlMethods(cls);
  for (const m of cls.methods.filter((x) => isTestMethod(x.modifiers))) {
    let dmlLine: number | undefined;
    let started = false;
    walk(m.decl as unknown as Tree, (node) => {
      const line = node.start?.line ?? m.line;
      if (node instanceof ReturnStatementContext) {
        findings.push({
          file: cls.file,
          line,
          rule: 'early-return',
          message: `${cls.name}.${m.displayName} returns before its end: a test must run whole in every org`,
        });
      }
      const call = callOf(node);
      if (isDml(node, call) || (call && call.qualifier === undefined && doesDml.has(call.name))) dmlLine ??= line;
      if (call?.qualifier === 'test' && call.name === 'starttest') started = true;
      if (call?.qualifier === 'test' && call.name === 'setmock' && dmlLine !== undefined && !started) {
        findings.push({
          file: cls.file,
          line,
          rule: 'mock-after-dml',
          message: `${cls.name}.${m.displayName} calls Test.setMock after DML (line ${dmlLine}) without Test.startTest() before it`,
        });
      }
    });
  }
}

/** Every public or global method of a non-test class must be called by name from some test class. */
function checkCoverage(classes: ParsedClass[], findings: ShapeFinding[]): void {
  const testCalls: Call[] = [];
  for (const cls of classes.filter((c) => c.isTest)) {
    for (const m of cls.methods)
      walk(m.decl as unknown as Tree, (node) => {
        const call = callOf(node);
        if (call) testCalls.push(call);
      });
  }
  for (const cls of classes.filter((c) => !c.isTest)) {
    const className = cls.name.toLowerCase();
    for (const m of cls.methods) {
      if (!m.modifiers.includes('public') && !m.modifiers.includes('global')) continue;
      const isStatic = m.modifiers.includes('static');
      const called = testCalls.some(
        (c) => c.name === m.name && (isStatic ? c.qualifier === className : c.qualifier !== undefined),
      );
      if (!called) {
        findings.push({
          file: cls.file,
          line: m.line,
          rule: 'untested-method',
          message: `${cls.name}.${m.displayName} is public but no test calls it`,
        });
      }
    }
  }
}

export function checkApexTestShape(sources: ApexSource[]): ShapeFinding[] {
  const classes = sources.flatMap(parseClasses);
  const findings: ShapeFinding[] = [];
  for (const cls of classes.filter((c) => c.isTest)) checkTestMethods(cls, findings);
  checkCoverage(classes, findings);
  return findings;
}
